"""CSV/XLSX exports of django-tables2 tables: safe to open in Excel, of any size, in constant memory.

Formulas: a cell that starts with = + - @ (or a tab / carriage return) is read by Excel and
LibreOffice as a formula — "=cmd|' /C calc'!A0" runs a program. Every exported text cell that
could be read as a formula is prefixed with a single quote, the OWASP recommendation; numbers stay
numbers.

Size (issues #14 and #15): the rows of a queryset-backed table are read with
``QuerySet.iterator(chunk_size=EXPORT_CHUNK)``, so memory does not grow with the rows and each
prefetch (the names of categories, units, feeders) is one query per chunk with at most
EXPORT_CHUNK ids — a prefetch over all the rows at once built an ``IN`` list that SQLite refused
past ~5,000 rows ("Expression tree is too large"). CSV is streamed as it is written
(StreamingHttpResponse); XLSX is written by openpyxl's write-only workbook (rows go to a temporary
file as they come) and the finished file streamed. Above a size the export runs in the background
instead (``scorecard.accounts.exports``, the one entry point the views call).
"""
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header
from django_tables2.rows import BoundRow
import tablib
from openpyxl import Workbook, load_workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# Rows fetched (and prefetched) per query; well under SQLite's limits on one statement.
EXPORT_CHUNK = 500
# Up to this many rows an export is one plain response (small, and simpler for clients); above, streamed.
STREAM_MIN_ROWS = 2000
# Download names are built by the views from a fixed vocabulary (a table's name, a status among the
# model's choices, a month label), never from a raw parameter: letters (Chinese included), digits,
# '-' and '_' only, so a quote or a ``filename*=`` cannot be smuggled into the header (issue #15).
_SAFE_NAME = re.compile(r"^[^\W][\w-]*$")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def download_name(name: str, fmt: str) -> str:
    """``name.fmt``; ValueError for a name outside the safe vocabulary (a view's bug, never the user's)."""
    if not _SAFE_NAME.match(name) or fmt not in CONTENT_TYPES:
        raise ValueError(f"unsafe download name {name!r}")
    return f"{name}.{fmt}"


def attachment(response, filename: str):
    """``Content-Disposition: attachment`` with ``filename`` (RFC 6266: ASCII fallback plus UTF-8)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _records(table) -> Iterable:
    data = getattr(table.data, "data", table.data)  # TableQuerysetData/TableListData keep the ordered data here
    if isinstance(data, QuerySet):
        return data.iterator(chunk_size=EXPORT_CHUNK)
    return data


def row_count(table) -> int:
    """How many rows an export of ``table`` writes (one COUNT for a queryset)."""
    data = getattr(table.data, "data", table.data)
    return data.count() if isinstance(data, QuerySet) else len(data)


def table_rows(table) -> Iterator[list]:
    """The header row, then each row's exported values (``value_*`` methods, formulas neutralised), read
    chunk by chunk: ``Table.as_values`` would read the whole queryset into memory first."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    yield [force_str(c.header, strings_only=True) for c in columns]
    for record in _records(table):
        row = BoundRow(record, table=table)
        yield [neutralise(force_str(row.get_cell_value(c.name), strings_only=True)) for c in columns]


def table_dataset(table) -> tablib.Dataset:
    """The exported rows in memory, for small tables and tests (the downloads stream ``table_rows``)."""
    rows = table_rows(table)
    data = tablib.Dataset(headers=next(rows))
    for row in rows:
        data.append(row)
    return data


class _Line:
    """A file-like ``write`` that hands back what csv.writer wrote."""

    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list], *, rows_per_chunk: int = 200) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so that Excel opens Chinese text correctly), a few hundred rows per chunk."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(row))
        if len(buffer) >= rows_per_chunk:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(rows: Iterable[list], fileobj) -> None:
    """The rows into an XLSX workbook on ``fileobj`` (write-only: memory independent of the rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    workbook.save(fileobj)


def write_file(table, fmt: str, path) -> None:
    """The export of ``table`` to ``path``, atomically: written beside it and renamed into place, so a
    failure half-way leaves no half file (the background exports)."""
    directory = os.path.dirname(os.fspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=f".{fmt}")
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "csv":
                for chunk in csv_chunks(table_rows(table)):
                    fh.write(chunk)
            else:
                write_xlsx(table_rows(table), fh)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def export_response(table, fmt: str, filename: str, *, rows: int | None = None):
    """The export of ``table`` as a download. Up to STREAM_MIN_ROWS rows (``rows``, counted if not given)
    one plain response; above, CSV is streamed as it is written and XLSX streamed from its temporary file."""
    name = download_name(filename, fmt)
    stream = (row_count(table) if rows is None else rows) > STREAM_MIN_ROWS
    if fmt == "csv":
        chunks = csv_chunks(table_rows(table))
        response = (StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt]) if stream
                    else HttpResponse(b"".join(chunks), content_type=CONTENT_TYPES[fmt]))
    else:
        spool = tempfile.TemporaryFile()
        write_xlsx(table_rows(table), spool)
        spool.seek(0)
        if stream:
            response = FileResponse(spool, content_type=CONTENT_TYPES[fmt])
        else:
            with spool:
                response = HttpResponse(spool.read(), content_type=CONTENT_TYPES[fmt])
    return attachment(response, name)


def read_rows(content: bytes, fmt: str) -> list[list]:
    """An export's rows back (tests and checks): CSV text or the XLSX sheet's values."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
