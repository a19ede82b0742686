"""Reading spreadsheet files row by row, whatever the exporting system produced.

95598 and grid exports arrive as CSV in UTF-8 (with or without BOM) or in
GBK/GB18030 (Excel on a Chinese Windows), or as XLSX. Both readers stream: a
CSV is decoded and parsed incrementally and an XLSX is read with openpyxl's
read-only parser, so a file of a million rows never sits in memory.

Every cell comes out as one of: ``str`` (trimmed, including full-width U+3000
spaces and zero-width characters; ``""`` for an empty cell), or a naive
``datetime.datetime`` / ``datetime.date`` for an Excel date cell. Numbers are
turned into their text (``123456.0`` becomes ``"123456"``) because the columns
that hold numbers in some exports (customer numbers, 台区 codes) are
identifiers in others; the schemas parse numbers where numbers are meant.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

# Zero-width characters Excel and web forms leave around values; str.strip()
# already removes every Unicode space, U+3000 included, but not these.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
# ... and NUL, which no database text column can hold: a file with it is damaged.
_JUNK_RE = re.compile(f"[{_ZERO_WIDTH}\x00]")
_SNIFF_BYTES = 1 << 20

Row = tuple[int, list]  # (spreadsheet row number, cells)


class _NulCharacter(Exception):
    pass


def _clean_line(line: str) -> str:
    if "\x00" in line:
        raise _NulCharacter
    return _ZERO_WIDTH_RE.sub("", line)


class FileFormatError(Exception):
    """The file cannot be read as a table at all (reported as a row-1 error, or as
    the row where reading broke down when that is known)."""

    def __init__(self, message: str, *, row: int = 1):
        super().__init__(message)
        self.row = row


def clean_cell(value) -> str | dt.datetime | dt.date:
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        if value and (value[0] in _ZERO_WIDTH or value[-1] in _ZERO_WIDTH):
            value = value.strip(_ZERO_WIDTH).strip()
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel stores every number as a double; an identifier typed as a
        # number (客户编号 123456) must come back without ".0".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def sniff_csv(path: Path) -> tuple[str, int]:
    """Return (encoding, number of line breaks) in one pass over the bytes.

    UTF-8 is tried strictly over the whole file (an incremental decoder, so
    memory stays at one chunk): a GBK file almost never decodes as valid UTF-8,
    while the reverse is common, so UTF-8 must be ruled out first. Anything
    that is not UTF-8 is read as GB18030, the superset of GBK and GB2312.
    The line count is the cheap denominator for a progress bar.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    lines = 0
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16", sum(chunk.count(b"\n\x00") for chunk in _chunks(fh)) + 1
        fh.seek(0)
        for chunk in _chunks(fh):
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return ("utf-8-sig" if utf8 else "gb18030"), lines


def _chunks(fh, size: int = _SNIFF_BYTES) -> Iterator[bytes]:
    while chunk := fh.read(size):
        yield chunk


class TableReader:
    """``with TableReader(path) as t: t.header ... for n, cells in t.rows(): ...``

    ``header`` is the first non-empty row (cleaned strings) or, with ``is_header``, the first
    of the first ``search_rows`` rows it accepts (a title row and blank rows above the header
    are ``skipped``: (row, text), text "" for a blank row); if none is accepted, the first
    non-empty row. ``rows()`` yields the following non-empty rows with their spreadsheet row
    numbers (header = 1 when it is the first line). ``estimated_rows`` is an upper bound on
    the data rows, for progress display only.
    """

    def __init__(self, path: str | Path, *, is_header: Callable[[list], bool] | None = None,
                 search_rows: int = 10):
        self.path = Path(path)
        self.is_header = is_header
        self.search_rows = search_rows
        self.header: list[str] = []
        self.header_row = 0
        self.skipped: list[tuple[int, str]] = []
        self.estimated_rows = 0
        self.encoding = ""
        self._close = lambda: None
        self._iter: Iterator[Row] | None = None
        self._cleaned = True  # the CSV reader yields cleaned strings already
        self._raw = None  # a CSV's byte stream, and its size: for estimate_total_rows
        self._size = 0

    # -- context manager ---------------------------------------------------
    def __enter__(self) -> TableReader:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._close()

    # -- opening -------------------------------------------------------------
    def open(self) -> None:
        suffix = self.path.suffix.lower()
        if suffix == ".xlsx" or suffix == ".xlsm":
            raw = self._open_xlsx()
        elif suffix in (".csv", ".txt", ""):
            raw = self._open_csv()
        else:
            raise FileFormatError(f"不支持的文件类型 {suffix}（只支持 .csv 和 .xlsx）")
        seen: list[tuple[int, list]] = []  # the rows read while looking for the header
        header_at = None
        last = 0
        for number, cells in raw:
            number = number or last + 1
            last = number
            cells = [clean_cell(c) for c in cells]
            seen.append((number, cells))
            if self.is_header is None:
                if any(cells):
                    header_at = len(seen) - 1
                    break
            elif any(cells) and self.is_header(cells):
                header_at = len(seen) - 1
                break
            if number >= self.search_rows:
                break
        if header_at is None:
            # No row looks like a header: the first non-empty one is taken (and reported as such).
            header_at = next((i for i, (_, cells) in enumerate(seen) if any(cells)), None)
            if header_at is None:
                for number, cells in raw:  # beyond the search: the first non-empty row at all
                    cells = [clean_cell(c) for c in cells]
                    seen.append((number or last + 1, cells))
                    last = seen[-1][0]
                    if any(cells):
                        header_at = len(seen) - 1
                        break
                else:
                    raise FileFormatError("文件为空：没有表头行，也没有数据行")
        number, cells = seen[header_at]
        self.header = [c if isinstance(c, str) else str(c) for c in cells]
        self.header_row = number
        if self.is_header is not None and self.is_header(cells):
            self.skipped = [(n, " ".join(str(c) for c in row if c != "")) for n, row in seen[:header_at]]
        # The rows read past the header go first, then the rest of the file.
        self._iter = itertools.chain(seen[header_at + 1:], raw)

    def _open_csv(self) -> Iterator[Row]:
        self.encoding, lines = sniff_csv(self.path)
        self.estimated_rows = max(lines, 1)
        fh = open(self.path, encoding=self.encoding, newline="", errors="strict")
        self._close = fh.close
        self._raw, self._size = fh.buffer, self.path.stat().st_size
        try:
            first = fh.readline()
        except UnicodeDecodeError as exc:  # not even GB18030 (e.g. a lone 0x80 byte): not a text file
            fh.close()
            raise FileFormatError(f"文件编码无法识别（{self.encoding}）：{exc}") from exc
        fh.seek(0)
        # Excel's "Unicode text" and some exports use tabs; plain CSV otherwise.
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        # Zero-width characters are junk wherever they are in an export; a
        # regex test per line (C code) is far cheaper than a check per cell.
        lines = (_clean_line(line) if _JUNK_RE.search(line) else line for line in fh)
        reader = csv.reader(lines, delimiter=delimiter)

        def rows() -> Iterator[Row]:
            try:
                for cells in reader:
                    # reader.line_num counts physical lines; a record number
                    # is what a spreadsheet shows, and what we report. CSV
                    # cells are all text: str.strip (every Unicode space,
                    # U+3000 included) is the whole of the cleaning.
                    yield rows.n, [c.strip() for c in cells]
                    rows.n += 1
            except UnicodeDecodeError as exc:  # only if sniffing was fooled
                raise FileFormatError(f"文件编码无法识别（{self.encoding}）：{exc}") from exc
            except _NulCharacter:
                raise FileFormatError("含有 NUL 字符（0x00）：文本导出中不会有这个字符，文件可能已损坏或不是 CSV",
                                      row=rows.n) from None
            except csv.Error as exc:  # e.g. a cell over csv's field limit (128 KB)
                raise FileFormatError(f"CSV 格式错误：{exc}", row=rows.n) from exc

        rows.n = 1
        return rows()

    def _open_xlsx(self) -> Iterator[Row]:
        # openpyxl loads only when an .xlsx arrives: CSV imports and every web process that never reads one skip it.
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException  # (see above)

        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise FileFormatError(f"无法读取 XLSX 文件：{exc}") from exc
        except Exception as exc:  # zipfile.BadZipFile and friends
            raise FileFormatError(f"无法读取 XLSX 文件：{exc}") from exc
        self._close = wb.close
        self._cleaned = False
        ws = wb.worksheets[0]
        # The dimension tag may be missing or stale; only used for progress.
        try:
            self.estimated_rows = max(int(ws.max_row or 0), 1)
        except (TypeError, ValueError):
            self.estimated_rows = 1
        # read_only sheets may have lost the reset of the dimension; make the
        # parser honour rows beyond a wrong <dimension> tag.
        ws.reset_dimensions()

        def rows() -> Iterator[Row]:
            for cells in ws.iter_rows():
                if not cells:
                    continue
                number = next((c.row for c in cells if getattr(c, "row", None)), None)
                yield number, [c.value for c in cells]

        return rows()

    def estimate_total_rows(self, rows_read: int) -> int:
        """The file's data rows, from the first ``rows_read`` of them: scaled by the bytes a CSV
        has read so far (records with line breaks in cells included); 0 for an XLSX, whose
        only clue (the <dimension> tag) may say a million for a sheet of ten rows."""
        if self._raw is None:
            return 0
        position = self._raw.tell()  # read-ahead included: errs low, by a buffer at most
        if position <= 0:
            return rows_read
        return int(rows_read * self._size / position)

    # -- data rows -------------------------------------------------------
    def rows(self) -> Iterator[Row]:
        assert self._iter is not None, "open() first"
        width = len(self.header)
        last = self.header_row
        cleaned = self._cleaned
        for number, cells in self._iter:
            number = number or last + 1
            last = number
            if not cleaned:
                cells = [clean_cell(c) for c in cells]
            if not any(cells):
                continue  # trailing (or stray) empty rows carry nothing
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield number, cells


def estimate_rows(path: str | Path) -> int:
    """Cheap upper bound of data rows, for a progress bar (lines or XLSX dimension)."""
    try:
        with TableReader(path) as table:
            return max(table.estimated_rows - table.header_row, 0)
    except FileFormatError:
        return 0
