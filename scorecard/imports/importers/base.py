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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction

from scorecard.core.months import LOCAL_TZ

from .bulk import BulkLoad
from .readers import FileFormatError, TableReader
from .writers import WriteLane

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
PROGRESS_EVERY = 5_000
# A file where every row is wrong is a wrong file; a million identical errors would only exhaust memory,
# the job's stored status and the analyst's patience: the first settings.IMPORT_MAX_STORED_ERRORS are
# kept, the rest counted per cause (issue #15: one stray cell at column XFD gave 800k stored errors).
DEFAULT_MAX_ERRORS = 1000


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
    # What the header told, so that nothing is lost silently (interfaces: "Nothing lost silently"):
    header_row: int = 0  # spreadsheet row of the header (1 unless title rows sit above it)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, text) above the header
    ignored_columns: list[str] = field(default_factory=list)  # headers no column of the kind matched
    renamed_columns: list[tuple[str, str]] = field(default_factory=list)  # (header as written, standard header)
    warnings: list[str] = field(default_factory=list)  # absent columns a figure needs
    # What the file changed besides its own table's rows (the districts' 台区经理 history), counted
    # (``changes``, for the audit entry) and said in words (``details``, after the counts).
    changes: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def notes(self) -> dict:
        """The header notes as JSON (the web job keeps them)."""
        return {"header_row": self.header_row, "skipped_rows": [list(r) for r in self.skipped_rows],
                "ignored_columns": list(self.ignored_columns),
                "renamed_columns": [list(r) for r in self.renamed_columns], "warnings": list(self.warnings),
                "details": list(self.details)}

    def note_lines(self) -> list[str]:
        """The notes as the command line and the job page say them (warnings apart)."""
        return note_lines(self.notes())


def note_lines(notes: dict) -> list[str]:
    lines = list(notes.get("details") or [])
    skipped = notes.get("skipped_rows") or []
    if skipped:
        shown = "、".join(f"第 {row} 行「{text}」" if text else f"第 {row} 行（空行）" for row, text in skipped)
        lines.append(f"表头在第 {notes['header_row']} 行，已跳过其上方的 {len(skipped)} 行：{shown}")
    renamed = notes.get("renamed_columns") or []
    if renamed:
        lines.append("按别名识别的列：" + "、".join(f"{written} → {header}" for written, header in renamed))
    ignored = notes.get("ignored_columns") or []
    if ignored:
        lines.append(f"已忽略的列（{len(ignored)}）：" + "、".join(ignored))
    return lines


@dataclass(frozen=True)
class Column:
    field: str  # English alias, also the key parse() reads
    header: str  # Chinese header of interfaces.md
    required: bool = False  # the column must be present (values are checked by parse)
    # What goes missing without the column (a warning when the file lacks it), e.g. the on-time rate.
    needed_for: str = ""


@dataclass(frozen=True)
class Profile:
    """The administrator's aliases for one kind (scorecard.imports.profiles.load_profile), read once per file."""

    kind: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # alias as written → standard header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # standard header → {alias: value}

    def value_aliases(self, columns: Sequence[Column]) -> dict[str, dict[str, str]]:
        """field → {alias: value} for the columns of a kind."""
        by_header = {c.header: c.field for c in columns}
        return {by_header[h]: dict(m) for h, m in self.values.items() if h in by_header and m}


EMPTY_PROFILE = Profile()
# The header row is looked for among the first rows: exports put a title (and blank rows) above it.
HEADER_SEARCH_ROWS = 10


class ErrorList(list):
    """Collects RowErrors up to ``limit`` (settings.IMPORT_MAX_STORED_ERRORS), counting the rest per cause."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.limit = limit if limit is not None else getattr(settings, "IMPORT_MAX_STORED_ERRORS", DEFAULT_MAX_ERRORS)
        self.dropped = 0
        self.dropped_by_cause: Counter[tuple[str, str]] = Counter()

    def add(self, error: RowError) -> None:
        if len(self) < self.limit:
            self.append(error)
        else:
            self.dropped += 1
            self.dropped_by_cause[(error.column, error.reason)] += 1

    def summary(self) -> list[RowError]:
        """What stands for the errors not kept: one line per cause with its count, then the total."""
        if not self.dropped:
            return []
        lines = [RowError(1, column, f"{reason}（另有 {n} 行同样的错误未列出）")
                 for (column, reason), n in self.dropped_by_cause.most_common()]
        return lines + [RowError(1, "", f"另有 {self.dropped} 处错误未列出（只列出前 {self.limit} 处）")]


def _norm_header(text: str) -> str:
    return "".join(text.split()).casefold().replace("（", "(").replace("）", ")").lstrip("*")


def header_lookup(columns: Sequence[Column], profile: Profile = EMPTY_PROFILE) -> dict[str, str]:
    """Normalised header text → field: the standard headers, the English aliases and the profile's."""
    by_header = {c.header: c.field for c in columns}
    lookup = {}
    for alias, header in profile.headers.items():
        if header in by_header:
            lookup[_norm_header(alias)] = by_header[header]
    for col in columns:  # the standard names win over any alias spelled like them
        lookup[_norm_header(col.header)] = col.field
        lookup[_norm_header(col.field)] = col.field
    return lookup


def header_finder(columns: Sequence[Column], profile: Profile = EMPTY_PROFILE) -> Callable[[list], bool]:
    """Whether a row is the header: it names at least one column of the kind (a title row names none)."""
    lookup = header_lookup(columns, profile)
    return lambda cells: any(isinstance(c, str) and c and _norm_header(c) in lookup for c in cells)


def resolve_header(header: Sequence[str], columns: Sequence[Column], profile: Profile = EMPTY_PROFILE, *,
                   header_row: int = 1, notes: ImportResult | None = None
                   ) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Map file columns to fields: (field → index, field → header as written, errors).

    ``notes`` (an ImportResult) receives the ignored columns, the columns found by an alias
    and a warning for each absent column a figure needs."""
    lookup = header_lookup(columns, profile)
    standard = {c.field: c.header for c in columns}
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[RowError] = []
    ignored: list[str] = []
    for i, text in enumerate(header):
        fld = lookup.get(_norm_header(text)) if text else None
        if fld is None:
            if text:
                ignored.append(text)  # extra columns are allowed, and listed in the summary
            continue
        if fld in index:
            errors.append(RowError(header_row, text, f"列“{written[fld]}”和“{text}”都对应“{standard[fld]}”："
                                                     f"同一列只能出现一次，请删除其中一列"))
            continue
        index[fld] = i
        written[fld] = text
    if not index:
        expected = "、".join(c.header for c in columns if c.required)
        errors.append(RowError(header_row, "", f"前 {HEADER_SEARCH_ROWS} 行中没有表头：没有识别出任何列名"
                                               f"（应包含 {expected}）"))
        return index, written, errors
    for col in columns:
        if col.required and col.field not in index:
            errors.append(RowError(header_row, col.header, f"缺少必需的列“{col.header}”（或 {col.field}）"))
    if notes is not None:
        notes.header_row = header_row
        notes.ignored_columns = ignored
        notes.renamed_columns = [(text, standard[fld]) for fld, text in written.items()
                                 if _norm_header(text) not in (_norm_header(standard[fld]), _norm_header(fld))]
        notes.warnings = [f"缺少“{c.header}”列：{c.needed_for}" for c in columns
                          if c.needed_for and c.field not in index]
    return index, written, errors


class Importer:
    """One kind of file. Subclasses declare ``kind``, ``columns`` and implement
    ``parse`` (cells → record, reporting errors) and ``write`` (records → DB)."""

    kind: str = ""
    columns: Sequence[Column] = ()
    key_fields: Sequence[str] = ()
    # The big tables a large file may be loaded into the bulk way (see bulk.py).
    bulk_models: Sequence[type] = ()
    # Fields whose value aliases the importer merges into its own lookup tables in prepare()
    # (free for every row); the aliases of the other fields are applied to the cells as they are read.
    absorbs_values: frozenset[str] = frozenset()

    def __init__(self, *, index: dict[str, int], headers: dict[str, str], errors: ErrorList,
                 value_aliases: dict[str, dict[str, str]] | None = None, user=None):
        self.index = index
        self.user = user  # who imports (None: the command line without --by); the events kind needs one
        self.headers = headers
        self.errors = errors
        self.value_aliases = value_aliases or {}
        # (position, {alias: value}) of the aliased columns the importer does not absorb.
        self._remap = [(index[f], m) for f, m in self.value_aliases.items()
                       if f in index and f not in self.absorbs_values]
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
        if self._remap:
            self.remap(cells)
        cells.append("")
        return self._take(cells)

    def values(self, cells: list) -> dict:
        if self._remap:
            self.remap(cells)
        return dict(zip(self.fields, [cells[i] for i in self.positions]))

    def remap(self, cells: list) -> None:
        for i, aliases in self._remap:
            value = cells[i]
            if value in aliases:
                cells[i] = aliases[value]

    def merged(self, fld: str, table: dict) -> dict:
        """``table`` (name → anything) with the field's value aliases added: alias → table[value]."""
        for alias, value in self.value_aliases.get(fld, {}).items():
            if value in table and alias not in table:
                table[alias] = table[value]
        return table

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

    def row_warnings(self) -> list[str]:
        """Warnings about the values the rows held (not errors), after the last row was parsed."""
        return []

    def changes(self) -> tuple[dict[str, int], list[str]]:
        """What else the file changed, after finish(): (counts by name, the same in words)."""
        return {}, []


def run(importer_cls: type[Importer], *, path: str | Path, dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        before_commit: Callable[[ImportResult], None] | None = None,
        profile: Profile = EMPTY_PROFILE, user=None) -> ImportResult:
    """``before_commit(result)`` runs inside the import's transaction once the whole file is
    written and valid (never for a dry run): what it writes (the audit entry) commits or rolls
    back with the data, and what it defers with ``transaction.on_commit`` runs only if they commit.
    ``profile`` holds the aliases, loaded once for the file (the import service reads them)."""
    result = ImportResult(kind=importer_cls.kind, dry_run=dry_run)
    errors = ErrorList()
    result.errors = errors
    try:
        with TableReader(path, is_header=header_finder(importer_cls.columns, profile),
                         search_rows=HEADER_SEARCH_ROWS) as table:
            result.skipped_rows = list(table.skipped)
            index, headers, header_errors = resolve_header(table.header, importer_cls.columns, profile,
                                                           header_row=table.header_row, notes=result)
            if header_errors:
                errors.extend(header_errors)
                return result
            aliases = profile.value_aliases(importer_cls.columns)
            _run_rows(importer_cls, table, index, headers, errors, result, progress, before_commit, aliases, user)
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
    errors.extend(errors.summary())
    if errors:
        result.created = result.updated = result.unchanged = 0
        result.months = []
        result.changes, result.details = {}, []
    result.errors = list(errors)
    return result


def _run_rows(importer_cls, table, index, headers, errors, result, progress, before_commit, aliases, user) -> None:
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
            _stream(importer_cls, table, index, headers, errors, result, progress, aliases, user)
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


def _stream(importer_cls, table, index, headers, errors, result, progress, aliases, user) -> None:
    """Parse every row; write valid chunks until the first error; count."""
    importer = importer_cls(index=index, headers=headers, errors=errors, value_aliases=aliases, user=user)
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
            result.warnings.extend(importer.row_warnings())
            result.changes, result.details = importer.changes()
            result.months = [dt.date(y, m, 1) for y, m in sorted(importer.months)]
    finally:
        result.rows = rows
        importer.lane.close()  # never leave a statement running past the transaction
