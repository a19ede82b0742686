"""PostgreSQL's recipe for a large load: drop the secondary indexes and foreign keys, load, rebuild.

Inserting a million rows into ``complaints_workorder`` with its eight secondary
indexes and eleven foreign keys in place costs about sixteen raw COPYs: every
row updates eight B-trees at random places and fires eleven foreign-key
triggers, each a lookup with a row lock. Building the same indexes once over
the loaded table and checking each foreign key with one join costs about a
quarter of that (bench/import.py prints both floors). This is the recipe of
the PostgreSQL manual's "Populating a Database".

Everything happens inside the import's transaction, so it stays all-or-nothing:
if any row is wrong, or the rebuild itself fails, the rollback brings the
indexes and constraints back exactly as they were. The definitions are read
from the catalog, not from the models, so whatever the migrations made is what
is rebuilt, names included. (The import ANALYZEs the tables after it commits.)

The price is locking. Dropping an index or a foreign key needs an ACCESS
EXCLUSIVE lock on the table and on the tables the keys reference (org units,
台区, customers, the taxonomy), held until the import commits: pages that read
them wait for the import. Hence:

* only a file that at least doubles the table takes this way (a province's
  first load, a backfill), never the monthly increments, a re-import or a dry
  run; ``IMPORT_BULK_MIN_ROWS`` sets the smallest file (0 turns it off);
* the size of the file must be known, not guessed: the importer decides at its
  first write, from the rows read so far (the whole file if it is shorter than
  a chunk) scaled by the bytes read of a CSV. An XLSX's row count is only its
  ``<dimension>`` tag, which formatting whole columns sets to a million: XLSX
  files always go row by row;
* all the locks are taken at once, with NOWAIT, and retried for a few seconds:
  an import that waited for one table while holding another could deadlock
  with a page's query reading both. If the tables stay busy, the file goes row
  by row instead;
* except when the only holder is autovacuum. Its SHARE UPDATE EXCLUSIVE lock
  conflicts with ours, and a NOWAIT request never makes it yield: PostgreSQL
  cancels an autovacuum only for a request that *waits* (after
  ``deadlock_timeout``). After a large rolled-back or deleted batch autovacuum
  can hold a table for longer than the retries last, so then the import waits,
  bounded by ``lock_timeout``, and autovacuum steps aside.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# NOWAIT attempts to take every lock at once, and the pause between them (s).
LOCK_ATTEMPTS = 20
LOCK_PAUSE = 0.25
# How long a waiting request for autovacuum's tables may wait: above PostgreSQL's default
# deadlock_timeout (1 s), after which the server cancels the autovacuum that blocks it.
AUTOVACUUM_WAIT = "5s"


@dataclass
class TableDefinitions:
    """What the bulk way drops from a table and rebuilds."""

    name: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)
    foreign_keys: list[tuple[str, str, str]]  # (name, constraint definition, referenced table)


def table_definitions(connection, table: str) -> TableDefinitions:
    """``table``'s secondary indexes and foreign keys, as the catalog holds them.

    ``connection`` is a Django or a psycopg connection (bench/import.py times
    the same recipe without Django).
    """
    with connection.cursor() as cur:
        # Secondary = neither the primary key nor backing a constraint (the
        # unique order number stays: the upsert's ON CONFLICT needs it).
        cur.execute(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                              AND c.conrelid = i.indrelid)
            ORDER BY ic.relname
            """, [table])
        indexes = cur.fetchall()
        cur.execute(
            """
            SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
            """, [table])
        foreign_keys = cur.fetchall()
    return TableDefinitions(table, indexes, foreign_keys)


@dataclass
class BulkLoad:
    """The dropped definitions of the tables loaded the bulk way, to rebuild at ``restore()``."""

    connection: object
    tables: list[TableDefinitions]
    busy_with: dict[int, str] = field(default_factory=dict)  # who held the tables when the locks failed

    @classmethod
    def begin(cls, connection, bulk_models, *, file_rows: int) -> BulkLoad | None:
        """Drop the secondary indexes and foreign keys of those of ``bulk_models`` that
        ``file_rows`` would at least double; None if none (or the locks can't be had)."""
        threshold = settings.IMPORT_BULK_MIN_ROWS
        if connection.vendor != "postgresql" or threshold <= 0 or file_rows < threshold:
            return None
        names = [m._meta.db_table for m in bulk_models if cls._at_most(connection, m, file_rows // 2)]
        if not names:
            return None
        load = cls(connection, [table_definitions(connection, name) for name in names])
        if not load._lock():
            kinds = sorted(set(load.busy_with.values()))
            logger.warning("bulk load of %s: the tables stayed busy (held by %s); loading row by row",
                           ", ".join(names), ", ".join(kinds) or "a session that has since ended")
            return None
        load._drop()
        for t in load.tables:
            logger.info("bulk load of %s: ~%s rows; dropped %s indexes and %s foreign keys until commit",
                        t.name, file_rows, len(t.indexes), len(t.foreign_keys))
        return load

    @staticmethod
    def _at_most(connection, model, limit: int) -> bool:
        """Whether the table holds at most ``limit`` rows: an exact count that stops at limit + 1
        (the planner's estimate may be stale, e.g. after a rolled-back load)."""
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [limit + 1])
            return cur.fetchone()[0] <= limit

    def _lock(self) -> bool:
        """Every table the DDL touches, ACCESS EXCLUSIVE, all at once or not at all."""
        names = self._lock_names()
        statement = f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE"
        for attempt in range(LOCK_ATTEMPTS):
            try:
                # A failed NOWAIT aborts only the savepoint, and with it any lock it took.
                with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cur:
                    cur.execute(statement + " NOWAIT")
                return True
            except OperationalError:  # lock_not_available: a reader (or autovacuum) holds one of them
                holders = self.holders()
                if holders and all(kind == "autovacuum worker" for kind in holders.values()):
                    try:
                        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cur:
                            cur.execute(f"SET LOCAL lock_timeout = '{AUTOVACUUM_WAIT}'")
                            cur.execute(statement)
                            cur.execute("SET LOCAL lock_timeout = DEFAULT")
                        logger.debug("bulk load: autovacuum held %s; waited for it to step aside", ", ".join(names))
                        return True
                    except OperationalError:
                        pass
                time.sleep(LOCK_PAUSE)
        self.busy_with = self.holders()
        return False

    def _lock_names(self) -> list[str]:
        return sorted({t.name for t in self.tables} | {fk[2] for t in self.tables for fk in t.foreign_keys})

    def holders(self) -> dict[int, str]:
        """The other sessions holding a lock on one of the tables: pid → backend type
        ('client backend', 'autovacuum worker', ...)."""
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT a.pid, a.backend_type FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid() "
                "AND l.relation = ANY(%s::regclass[])", [self._lock_names()])
            return dict(cur.fetchall())

    def _drop(self) -> None:
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cur:
            for t in self.tables:
                for name, _, _ in t.foreign_keys:
                    cur.execute(f"ALTER TABLE {qn(t.name)} DROP CONSTRAINT {qn(name)}")
                for name, _ in t.indexes:
                    cur.execute(f"DROP INDEX {qn(name)}")

    def restore(self) -> None:
        """Rebuild what was dropped."""
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cur:
            # Sorting is what index builds need memory for; never less than the server's own setting.
            cur.execute("SELECT setting::bigint * 1024 < 256 * 1024 * 1024 FROM pg_settings "
                        "WHERE name = 'maintenance_work_mem'")
            if cur.fetchone()[0]:
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for t in self.tables:
                for _, statement in t.indexes:
                    cur.execute(statement)
                # Adding a foreign key checks every row with one join, and so
                # proves the loaded rows as the per-row triggers would have.
                for name, definition, _ in t.foreign_keys:
                    cur.execute(f"ALTER TABLE {qn(t.name)} ADD CONSTRAINT {qn(name)} {definition}")
