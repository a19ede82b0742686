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
is rebuilt, names included.

The price is locking. Dropping an index or a foreign key takes an ACCESS
EXCLUSIVE lock on the table and on the tables the keys reference (org units,
台区, customers, the taxonomy), held until the import commits: pages that read
them wait for the import. That is why it is only used when a file would at
least double the table (a first load of a province, a backfill), never for the
monthly increments; ``IMPORT_BULK_MIN_ROWS`` sets the smallest file it is
considered for (0 turns it off).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

# A file at least this big, and at least as big as the table already is (by
# the planner's estimate), is loaded the bulk way.
DEFAULT_MIN_ROWS = 100_000


def min_rows() -> int:
    return int(getattr(settings, "IMPORT_BULK_MIN_ROWS", DEFAULT_MIN_ROWS))


@dataclass
class BulkLoad:
    """The dropped definitions of one table, to rebuild at ``restore()``."""

    connection: object
    table: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)
    foreign_keys: list[tuple[str, str]]  # (name, constraint definition)

    @classmethod
    def decide(cls, connection, model: type[models.Model], *, estimated_rows: int) -> BulkLoad | None:
        """Drop ``model``'s secondary indexes and foreign keys if the file is large enough; else None."""
        threshold = min_rows()
        if connection.vendor != "postgresql" or threshold <= 0 or estimated_rows < threshold:
            return None
        table = model._meta.db_table
        with connection.cursor() as cur:
            # reltuples is -1 for a table never analysed (e.g. just migrated): then count,
            # which for such a table is cheap or the file is no bigger anyway.
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
            existing = cur.fetchone()[0]
            if existing < 0:
                cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                existing = cur.fetchone()[0]
        if existing > estimated_rows:
            return None
        load = cls(connection, table, *cls._definitions(connection, table))
        load._drop()
        logger.info("bulk load of %s: ~%s rows into ~%s; dropped %s indexes and %s foreign keys until commit",
                    table, estimated_rows, existing, len(load.indexes), len(load.foreign_keys))
        return load

    @staticmethod
    def _definitions(connection, table: str) -> tuple[list, list]:
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
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
                """, [table])
            foreign_keys = cur.fetchall()
        return indexes, foreign_keys

    def _drop(self) -> None:
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cur:
            for name, _ in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} DROP CONSTRAINT {qn(name)}")
            for name, _ in self.indexes:
                cur.execute(f"DROP INDEX {qn(name)}")

    def restore(self) -> None:
        """Rebuild what was dropped, then refresh the planner's statistics."""
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cur:
            # Sorting for an index build is what the memory is for; LOCAL: this transaction only.
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, statement in self.indexes:
                cur.execute(statement)
            # Adding a foreign key checks every row with one join, and so
            # proves the loaded rows as the per-row triggers would have.
            for name, definition in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} ADD CONSTRAINT {qn(name)} {definition}")
            # The planner would otherwise plan the next pages for an empty table until autovacuum comes.
            cur.execute(f"ANALYZE {qn(self.table)}")
