"""The import pipeline shared by every kind of file.

    file ─ TableReader (streams rows) ─ header → columns ─ Importer.parse(row)
         ─ chunks of records ─ Importer.write(chunk) ─ upsert writers

One file is one transaction: rows are validated and written chunk by chunk;
once any row is invalid nothing more is written, the remaining rows are still
validated (so the analyst gets every error in one go) and the transaction is
rolled back. A dry run does the same work and always rolls back, so the
counts it reports are exactly what a real run would do.
"""
from __future__ import annotations

import datetime as dt
import logging
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, OperationalError, connection, transaction

from scorecard.core.months import LOCAL_TZ

from .bulk import BulkLoad
from .readers import FileFormatError, TableReader
from .writers import WriteLane

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
PROGRESS_EVERY = 5_000
# A file where every row is wrong is a wrong file; a million identical errors
# would only exhaust memory and the analyst's patience.
MAX_ERRORS = 10_000


# What parse_datetime's fast path attaches (a fixed +08:00): its wall clock is Asia/Shanghai's.
_UTC8 = dt.timezone(dt.timedelta(hours=8))


def local_month(value: dt.datetime) -> tuple[int, int]:
    """(year, month) of an aware datetime in Asia/Shanghai (scorecard.core.months' months), cheaply:
    a million rows call this, and nearly all already carry the local offset."""
    tz = value.tzinfo
    if tz is not LOCAL_TZ and tz != _UTC8:
        value = value.astimezone(LOCAL_TZ)
    return value.year, value.month


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header is row 1, first data row is row 2)
    column: str  # the header as written in the file, or "" for whole-row/file errors
    reason: str

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # The months (first days, sorted) the file's rows are dated in, for the kinds that have a
    # date (work orders: 受理时间, loads: 月份, outages: 开始时间); [] for the others or a failed file.
    months: list[dt.date] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, set by the import service (the audit entry names it)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    field: str  # English alias, also the key parse() reads
    header: str  # Chinese header of interfaces.md
    required: bool = False  # the column must be present (values are checked by parse)


class ErrorList(list):
    """Collects RowErrors up to MAX_ERRORS, counting the rest."""

    def __init__(self):
        super().__init__()
        self.dropped = 0

    def add(self, error: RowError) -> None:
        if len(self) < MAX_ERRORS:
            self.append(error)
        else:
            self.dropped += 1


def _norm_header(text: str) -> str:
    return "".join(text.split()).casefold().replace("（", "(").replace("）", ")").lstrip("*")


def resolve_header(header: Sequence[str], columns: Sequence[Column]
                   ) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Map file columns to fields: (field → index, field → header as written, errors)."""
    lookup = {}
    for col in columns:
        lookup[_norm_header(col.header)] = col.field
        lookup[_norm_header(col.field)] = col.field
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[RowError] = []
    for i, text in enumerate(header):
        fld = lookup.get(_norm_header(text)) if text else None
        if fld is None:
            continue  # extra columns are allowed and ignored
        if fld in index:
            errors.append(RowError(1, text, f"列重复：与“{written[fld]}”是同一列"))
            continue
        index[fld] = i
        written[fld] = text
    if not index:
        expected = "、".join(c.header for c in columns if c.required)
        errors.append(RowError(1, "", f"第一行不是表头：没有识别出任何列名（应包含 {expected}）"))
        return index, written, errors
    for col in columns:
        if col.required and col.field not in index:
            errors.append(RowError(1, col.header, f"缺少必需的列“{col.header}”（或 {col.field}）"))
    return index, written, errors


class Importer:
    """One kind of file. Subclasses declare ``kind``, ``columns`` and implement
    ``parse`` (cells → record, reporting errors) and ``write`` (records → DB)."""

    kind: str = ""
    columns: Sequence[Column] = ()
    key_fields: Sequence[str] = ()
    # The big tables a large file may be loaded into the bulk way (see bulk.py).
    bulk_models: Sequence[type] = ()

    def __init__(self, *, index: dict[str, int], headers: dict[str, str], errors: ErrorList):
        self.index = index
        self.headers = headers
        self.errors = errors
        self.fields = tuple(index)
        self.positions = tuple(index.values())
        # take(cells) → the values of ``columns`` in declared order, "" for a
        # column the file lacks (it reads the "" appended at the end): one C
        # call per row instead of a dict per row.
        self._take = operator.itemgetter(*[index.get(c.field, -1) for c in self.columns])
        self.seen: dict = {}  # key → first row number, for duplicates inside the file
        # (year, month) of the valid rows, collected by parse() while it reads them: the
        # months of a file cost a set insert per row, not a query afterwards.
        self.months: set[tuple[int, int]] = set()
        self.lane = WriteLane(connection)

    # -- helpers for subclasses -------------------------------------------
    def take(self, cells: list) -> tuple:
        cells.append("")
        return self._take(cells)

    def values(self, cells: list) -> dict:
        return dict(zip(self.fields, [cells[i] for i in self.positions]))

    def error(self, row: int, fld: str, reason: str) -> None:
        self.errors.add(RowError(row, self.headers.get(fld, "") if fld else "", reason))

    def check_duplicate(self, row: int, key, fld: str, label) -> bool:
        first = self.seen.setdefault(key, row)
        if first != row:
            self.error(row, fld, f"{label} 在文件中重复：第 {first} 行已出现")
            return False
        return True

    def key_text(self, row: int, v, fld: str, max_length: int, label: str):
        """The file's key column: required text, unique within the file. (value, ok)."""
        value, ok = self.text(row, v, fld, max_length, required=True, label=label)
        if value and not self.check_duplicate(row, value, fld, f"{label} {value}"):
            ok = False
        return value, ok

    # -- the contract -------------------------------------------------------
    def prepare(self) -> None:
        """Load caches of the small tables (inside the transaction)."""

    def parse(self, row: int, cells: list):
        raise NotImplementedError

    def write(self, records: list) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Flush and release anything held (temp tables)."""

    def counts(self) -> tuple[int, int, int]:
        """(created, updated, unchanged) of the file's own table, after finish()."""
        raise NotImplementedError


def run(importer_cls: type[Importer], *, path: str | Path, dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        before_commit: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """``before_commit(result)`` runs inside the import's transaction once the whole file is
    written and valid (never for a dry run): what it writes (the audit entry) commits or rolls
    back with the data, and what it defers with ``transaction.on_commit`` runs only if they commit."""
    result = ImportResult(kind=importer_cls.kind, dry_run=dry_run)
    errors = ErrorList()
    result.errors = errors
    try:
        with TableReader(path) as table:
            index, headers, header_errors = resolve_header(table.header, importer_cls.columns)
            if header_errors:
                errors.extend(header_errors)
                return result
            _run_rows(importer_cls, table, index, headers, errors, result, progress, before_commit)
    except FileFormatError as exc:
        errors.add(RowError(exc.row, "", str(exc)))
    except OperationalError as exc:
        # The server went away (restart, network): the transaction rolled back with it.
        logger.warning("import of %s interrupted: the database connection was lost: %s", path, exc)
        errors.add(RowError(1, "", f"数据库连接中断，导入已整体回滚（未导入任何数据），请在数据库恢复后重新导入：{exc}"))
    except DatabaseError as exc:
        # Validation should have caught everything the schema forbids; if the
        # database still refuses, report it instead of half a stack trace.
        logger.exception("import of %s failed in the database", path)
        errors.add(RowError(1, "", f"数据库拒绝写入（未导入任何数据）：{exc}"))
    if errors.dropped:
        errors.append(RowError(1, "", f"另有 {errors.dropped} 处错误未列出（只列出前 {MAX_ERRORS} 处）"))
    if errors:
        result.created = result.updated = result.unchanged = 0
        result.months = []
    result.errors = list(errors)
    return result


def _run_rows(importer_cls, table, index, headers, errors, result, progress, before_commit) -> None:
    postgres = connection.vendor == "postgresql"
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            if postgres:
                # Check foreign keys as each chunk is inserted rather than all
                # at COMMIT: the checks then overlap with parsing the next
                # chunk (see writers.WriteLane); parents are always written first.
                with connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _stream(importer_cls, table, index, headers, errors, result, progress)
            if errors or result.dry_run:
                transaction.set_rollback(True)
            elif before_commit is not None:
                before_commit(result)
    finally:
        if postgres and nested:
            # Inside a caller's transaction (tests, an outer atomic): give it
            # back the constraints' declared (deferred) mode.
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
    if progress is not None:
        progress(result.rows)


def _stream(importer_cls, table, index, headers, errors, result, progress) -> None:
    """Parse every row; write valid chunks until the first error; count."""
    importer = importer_cls(index=index, headers=headers, errors=errors)
    rows = 0
    try:
        importer.prepare()
        # Decided at the first write, when the file's size is known well enough
        # (see bulk.py); the lane is idle then, so the DDL may use the connection.
        bulk: BulkLoad | None | bool = None

        def decide_bulk(done: bool):
            if result.dry_run or not importer_cls.bulk_models:
                return False
            file_rows = rows if done else table.estimate_total_rows(rows)
            return BulkLoad.begin(connection, importer_cls.bulk_models, file_rows=file_rows) or False

        chunk: list = []
        for number, cells in table.rows():
            rows += 1
            record = importer.parse(number, cells)
            if not errors:
                chunk.append(record)
                if len(chunk) >= CHUNK_ROWS:
                    if bulk is None:
                        bulk = decide_bulk(done=False)
                    importer.write(chunk)
                    chunk = []
            elif chunk:
                chunk = []  # nothing more will be written; free the memory
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
        if rows == 0:
            errors.add(RowError(table.header_row + 1, "", "文件只有表头，没有数据行"))
        if not errors:
            if bulk is None:
                bulk = decide_bulk(done=True)  # the whole file fit in one chunk: its size is exact
            if chunk:
                importer.write(chunk)
            importer.finish()
            if bulk:
                bulk.restore()
            result.created, result.updated, result.unchanged = importer.counts()
            result.months = [dt.date(y, m, 1) for y, m in sorted(importer.months)]
    finally:
        result.rows = rows
        importer.lane.close()  # never leave a statement running past the transaction
