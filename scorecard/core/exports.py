"""CSV/XLSX exports of django-tables2 tables, safe to open in Excel.

A cell that starts with = + - @ (or a tab / carriage return) is read by Excel
and LibreOffice as a formula — "=cmd|' /C calc'!A0" runs a program. Every
exported text cell that could be read as a formula is prefixed with a single
quote, the OWASP recommendation; numbers stay numbers.
"""
import re

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# Download names are built by the views from a fixed vocabulary (a table's name, a status among the
# model's choices, a month label), never from a raw parameter: letters (Chinese included), digits,
# '-' and '_' only, so a quote or a ``filename*=`` cannot be smuggled into the header (issue #15).
_SAFE_NAME = re.compile(r"^[^\W][\w-]*$")


def download_name(name: str, fmt: str) -> str:
    """``name.fmt``; ValueError for a name outside the safe vocabulary (a view's bug, never the user's)."""
    if not _SAFE_NAME.match(name) or fmt not in CONTENT_TYPES:
        raise ValueError(f"unsafe download name {name!r}")
    return f"{name}.{fmt}"


def attachment(response, filename: str):
    """``Content-Disposition: attachment`` with ``filename`` (RFC 6266: ASCII fallback plus UTF-8)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_dataset(table) -> tablib.Dataset:
    rows = iter(table.as_values())
    headers = [str(h) for h in next(rows)]
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append([neutralise(v) for v in row])
    return data


def export_response(table, fmt: str, filename: str) -> HttpResponse:
    data = table_dataset(table)
    if fmt == "csv":
        # BOM so that Excel opens UTF-8 Chinese text correctly.
        body = "\ufeff" + data.export("csv")
    else:
        body = data.export("xlsx")
    name = download_name(filename, fmt)
    return attachment(HttpResponse(body, content_type=CONTENT_TYPES[fmt]), name)
