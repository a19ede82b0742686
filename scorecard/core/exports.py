"""CSV/XLSX exports of django-tables2 tables, safe to open in Excel.

A cell that starts with = + - @ (or a tab / carriage return) is read by Excel
and LibreOffice as a formula — "=cmd|' /C calc'!A0" runs a program. Every
exported text cell that could be read as a formula is prefixed with a single
quote, the OWASP recommendation; numbers stay numbers.
"""
import tablib
from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


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
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
