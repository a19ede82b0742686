"""Set-based upserts: a chunk of records in, (created, updated, unchanged) out.

Two implementations of one statement, ``INSERT ... ON CONFLICT (key) DO UPDATE
SET ... WHERE <the row really differs>``:

* PostgreSQL: COPY the chunk into a temporary table, then one
  ``INSERT ... SELECT ... ON CONFLICT`` from it. COPY is the fastest way in;
  ``RETURNING (xmax = 0)`` tells inserted rows from updated ones, and rows the
  WHERE clause skipped are the unchanged ones (and are not rewritten, so a
  re-import leaves no dead tuples and keeps ``imported_at``).
* Anything else (SQLite): ``executemany`` of the same upsert; the keys already
  present are counted first, ``rowcount`` gives inserted + updated.

Values are adapted per column the way the ORM would store them, so the
"differs" test compares like with like and a re-import changes nothing.

On PostgreSQL the writes of an import run in order in one background thread
(``WriteLane``) on the import's own connection and transaction: while the
server inserts chunk N (index maintenance and foreign-key checks are most of
the cost), Python parses, validates and formats chunk N+1 as COPY text.
psycopg releases the GIL while it waits for the server, and its connection
lock serialises use.

Parents carried by the rows themselves (the customers of work orders) are
upserted in SQL from each chunk's temporary table (``Derived``) rather than
sent a second time.
"""
from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from psycopg.adapt import Transformer

try:
    # psycopg's own COPY row formatter (C in psycopg-binary), what
    # Copy.write_row calls; not public API, hence the fallback to write_row.
    from psycopg._copy_base import format_row_text as _format_row_text
except ImportError:  # pragma: no cover - another psycopg version
    _format_row_text = None


@dataclass
class UpsertSpec:
    model: type[models.Model]
    fields: Sequence[str]  # model field names, in the order of the record tuples
    key: Sequence[str]  # the unique key (field names, a subset of fields)
    touch: str | None = None  # auto_now field set when a row is inserted or changed
    # column name → SQL for the stored value, with {new} / {old} standing for the
    # incoming and the existing value; default {new}. E.g. keep a known name
    # when the incoming one is blank.
    merge: dict[str, str] = field(default_factory=dict)
    # Model defaults are not database defaults: columns the file does not carry
    # get these values on insert and are never touched on update.
    insert_only: dict[str, object] = field(default_factory=dict)

    def __post_init__(self):
        opts = self.model._meta
        self.table = opts.db_table
        self.field_objs = [opts.get_field(name) for name in self.fields]
        self.columns = [f.column for f in self.field_objs]
        self.key_columns = [opts.get_field(name).column for name in self.key]
        self.touch_column = opts.get_field(self.touch).column if self.touch else None
        self.extra_columns = [opts.get_field(name).column for name in self.insert_only]
        self.extra_values = list(self.insert_only.values())


class Counts:
    created = updated = unchanged = 0


class WriteLane:
    """Ordered execution of an import's writes, in the background on PostgreSQL.

    Everything submitted runs in submission order (one worker). Before the
    import touches the database itself (ORM calls, the end of the
    transaction) it must ``drain()``. At most two chunks are in flight, so
    memory stays bounded when the database is the slower side. SQLite
    connections may not cross threads, so there the work runs inline.
    """

    MAX_IN_FLIGHT = 2
    # The lane waits for the server many times per chunk and each time needs
    # the GIL back from the parsing thread, which only yields it every switch
    # interval (5 ms by default): a convoy that made the lane, not the
    # server, the slow side. While the lane exists the interval is 0.2 ms
    # (measured on 1M orders: 50 s → 39 s); close() puts it back.
    SWITCH_INTERVAL = 0.0002
    # The interval is the process's: the first open lane lowers it, the last to close restores it.
    _open = 0
    _saved_interval = 0.0
    _interval_lock = threading.Lock()

    def __init__(self, connection):
        self.connection = connection
        self._pool = None
        if connection.vendor == "postgresql":
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
            with WriteLane._interval_lock:
                if WriteLane._open == 0:
                    WriteLane._saved_interval = sys.getswitchinterval()
                    sys.setswitchinterval(min(WriteLane._saved_interval, self.SWITCH_INTERVAL))
                WriteLane._open += 1
        self._futures: list[Future] = []

    def submit(self, fn: Callable[[], None]) -> None:
        if self._pool is None:
            fn()
            return
        self._futures.append(self._pool.submit(fn))
        while len(self._futures) > self.MAX_IN_FLIGHT:
            with self.connection.wrap_database_errors:
                self._futures.pop(0).result()

    def drain(self) -> None:
        futures, self._futures = self._futures, []
        with self.connection.wrap_database_errors:
            for future in futures:
                future.result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
                with WriteLane._interval_lock:
                    WriteLane._open -= 1
                    if WriteLane._open == 0:
                        sys.setswitchinterval(WriteLane._saved_interval)


def make_writer(connection, spec: UpsertSpec, lane: WriteLane, *, derived: Sequence[Derived] = ()):
    """The upsert writer for ``spec``; ``derived`` upserts (PostgreSQL only) run from each chunk first."""
    if connection.vendor == "postgresql":
        return PostgresCopyWriter(connection, spec, lane, derived=derived)
    assert not derived, "derived upserts read the chunk's temporary table: PostgreSQL only"
    return SqlUpsertWriter(connection, spec)


@dataclass
class Derived:
    """A parent table upserted from each chunk's temporary table before the chunk itself.

    ``select`` is a SELECT over ``{chunk}`` (the chunk's rows, ``_seq`` their
    order in the file) that yields ``spec.fields`` in order, one row per key.
    The rows of a child often carry their parent (an order carries its
    customer): deriving the parent in SQL saves sending it a second time.
    """

    spec: UpsertSpec
    select: str

    def __post_init__(self):
        assert self.spec.touch is None, "a derived upsert sets no auto_now column"

    def sql(self, connection, chunk_table: str) -> str:
        qn = lambda c: _q(connection, c)  # noqa: E731
        spec = self.spec
        extras = "".join(", %s" for _ in spec.extra_columns)
        return (f"INSERT INTO {qn(spec.table)} ({', '.join(map(qn, [*spec.columns, *spec.extra_columns]))}) "
                f"SELECT d.*{extras} FROM ({self.select.format(chunk=qn(chunk_table))}) d "
                + _on_conflict(connection, spec, "EXCLUDED", "row"))


def _q(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _on_conflict(connection, spec: UpsertSpec, new_alias: str, distinct: str) -> str:
    """``ON CONFLICT (key) DO UPDATE SET ... WHERE <the row really differs>``, every upsert's tail."""
    qn = lambda c: _q(connection, c)  # noqa: E731
    table = qn(spec.table)
    keys = set(spec.key_columns)
    sets, olds, news = [], [], []
    for col in spec.columns:
        if col in keys:
            continue
        new = f"{new_alias}.{qn(col)}"
        old = f"{table}.{qn(col)}"
        expr = spec.merge.get(col, "{new}").format(new=new, old=old)
        sets.append(f"{qn(col)} = {expr}")
        olds.append(old)
        news.append(expr)
    if spec.touch_column:
        sets.append(f"{qn(spec.touch_column)} = {new_alias}.{qn(spec.touch_column)}")
    if distinct == "row":  # PostgreSQL: one row comparison, NULL-safe
        where = f"({', '.join(olds)}) IS DISTINCT FROM ({', '.join(news)})"
    else:  # SQLite: IS NOT is its NULL-safe inequality
        where = " OR ".join(f"{o} IS NOT {n}" for o, n in zip(olds, news)) or "FALSE"
    return (f"ON CONFLICT ({', '.join(map(qn, spec.key_columns))}) "
            f"DO UPDATE SET {', '.join(sets)} WHERE {where}")


class SqlUpsertWriter(Counts):
    def __init__(self, connection, spec: UpsertSpec):
        self.connection = connection
        self.spec = spec
        qn = lambda c: _q(connection, c)  # noqa: E731
        cols = list(spec.columns) + spec.extra_columns + ([spec.touch_column] if spec.touch_column else [])
        self.sql = (
            f"INSERT INTO {qn(spec.table)} ({', '.join(map(qn, cols))}) "
            f"VALUES ({', '.join(['%s'] * len(cols))}) "
            + _on_conflict(connection, spec, "excluded", "is_not")
        )
        self.key_pos = [spec.fields.index(k) for k in spec.key]
        self.adapters = [self._adapter(f) for f in spec.field_objs]
        self.key_sql = ", ".join(map(qn, spec.key_columns))

    def _adapter(self, f) -> Callable | None:
        ops = self.connection.ops
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(f, models.DecimalField):
            return lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
        return None

    def write(self, records: list[tuple]) -> None:
        if not records:
            return
        adapters = [(i, a) for i, a in enumerate(self.adapters) if a is not None]
        touch = [self.connection.ops.adapt_datetimefield_value(timezone.now())] if self.spec.touch_column else []
        rows = []
        for rec in records:
            row = list(rec)
            for i, adapt in adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            rows.append(row + self.spec.extra_values + touch)
        existing = self._count_existing(rows)
        with self.connection.cursor() as cur:
            cur.executemany(self.sql, rows)
            changed = cur.rowcount
        n = len(rows)
        self.created += n - existing
        self.updated += changed - (n - existing)
        self.unchanged += n - changed

    def _count_existing(self, rows: list[list]) -> int:
        qn = lambda c: _q(self.connection, c)  # noqa: E731
        params: list = []
        if len(self.key_pos) == 1:
            (p,) = self.key_pos
            params = [r[p] for r in rows]
            cond = f"{self.key_sql} IN ({', '.join(['%s'] * len(params))})"
        else:
            one = "(" + ", ".join(["%s"] * len(self.key_pos)) + ")"
            for r in rows:
                params.extend(r[p] for p in self.key_pos)
            cond = f"({self.key_sql}) IN (VALUES {', '.join([one] * len(rows))})"
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {qn(self.spec.table)} WHERE {cond}", params)
            return cur.fetchone()[0]

    def close(self) -> None:
        pass


class PostgresCopyWriter(Counts):
    def __init__(self, connection, spec: UpsertSpec, lane: WriteLane, *, derived: Sequence[Derived] = ()):
        self.connection = connection
        self.spec = spec
        self.lane = lane
        qn = lambda c: _q(connection, c)  # noqa: E731
        # A unique name: several imports may run in one session (tests, a
        # worker process) and a rolled-back one may not have dropped its table.
        self.temp = f"_import_{spec.table}_{uuid.uuid4().hex[:8]}"
        cols = ", ".join(map(qn, spec.columns))
        self.copy_sql = f"COPY {qn(self.temp)} ({cols}) FROM STDIN"
        with connection.cursor() as cur:
            # Same column types as the target, no constraints or indexes: the
            # checks happen once, in the INSERT into the real table.
            cur.execute(f"CREATE TEMPORARY TABLE {qn(self.temp)} ON COMMIT DROP AS "
                        f"SELECT {cols} FROM {qn(spec.table)} WITH NO DATA")
            if derived:
                # The file order of the chunk's rows ("the last non-blank value wins").
                cur.execute(f"ALTER TABLE {qn(self.temp)} ADD COLUMN _seq bigint GENERATED ALWAYS AS IDENTITY")
        self.derived = [(d.sql(connection, self.temp), d.spec.extra_values or None) for d in derived]
        insert_cols = ", ".join(map(qn, [*spec.columns, *spec.extra_columns]))
        select_cols = ", ".join([cols, *(["%s"] * len(spec.extra_columns))])
        if spec.touch_column:
            insert_cols += f", {qn(spec.touch_column)}"
            select_cols += ", statement_timestamp()"
        self.upsert_sql = (
            f"WITH up AS (INSERT INTO {qn(spec.table)} ({insert_cols}) "
            f"SELECT {select_cols} FROM {qn(self.temp)} "
            f"{_on_conflict(connection, spec, 'EXCLUDED', 'row')} "
            f"RETURNING (xmax = 0) AS inserted) "
            f"SELECT count(*) FILTER (WHERE inserted), count(*) FROM up"
        )
        self.truncate_sql = f"TRUNCATE {qn(self.temp)}"
        self.drop_sql = f"DROP TABLE IF EXISTS {qn(self.temp)}"
        self._tx = None  # psycopg's adapters, for formatting COPY rows

    def write(self, records: list[tuple]) -> None:
        if not records:
            return
        self.connection.ensure_connection()
        raw = self.connection.connection  # the psycopg connection, in our transaction
        if _format_row_text is None:
            self.lane.submit(lambda: self._write(raw, records))
            return
        # Turn the chunk into COPY text here, in the parsing thread: formatting
        # needs the GIL, and done in the lane it would take turns with parsing
        # instead of the lane waiting for the server while parsing goes on.
        if self._tx is None:
            self._tx = Transformer(raw)
        data = bytearray()
        with self.connection.wrap_database_errors:  # what psycopg refuses is a DatabaseError, as in the lane
            for rec in records:
                _format_row_text(rec, self._tx, data)
        self.lane.submit(lambda: self._write(raw, records, data))

    def _write(self, raw, records: list[tuple], data: bytearray | None = None) -> None:  # in the lane's thread
        with raw.cursor() as cur:
            with cur.copy(self.copy_sql) as copy:
                if data is not None:
                    copy.write(data)
                else:
                    for rec in records:
                        copy.write_row(rec)
            for sql, params in self.derived:  # parents first: the foreign keys are checked at once
                cur.execute(sql, params)
            cur.execute(self.upsert_sql, self.spec.extra_values or None)
            inserted, changed = cur.fetchone()
            cur.execute(self.truncate_sql)
        n = len(records)
        self.created += inserted
        self.updated += changed - inserted
        self.unchanged += n - changed

    def close(self) -> None:
        self.lane.drain()
        with self.connection.cursor() as cur:
            cur.execute(self.drop_sql)
