"""Bad input at scale: import_data's importers fuzzed over all five kinds.

Whatever the file holds — random bytes, text in UTF-8 / GBK / UTF-16, formulas, 1 MB
cells, dates out of range, 1e309 / NaN, XLSX cells of any type — ``import_file``:
- never raises (it returns ``ok`` or errors);
- names a row (and, for a cell, its column) in every error;
- leaves the database exactly as it was when it fails (every table's row count);
- is idempotent when it succeeds (the same file again creates and updates nothing).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from scorecard.accounts.models import AuditLog
from scorecard.imports.services import import_file

from tests.fixtures.import_files import DISTRICT_HEADER, WO_HEADER, wo, write_table

HEADERS = {
    "workorders": WO_HEADER,
    "districts": DISTRICT_HEADER,
    "loads": ["台区编号", "月份", "最大负载率", "最低电压", "最高电压"],
    "outages": ["停电编号", "线路名称", "台区编号", "停电类型", "开始时间", "结束时间", "纳入月度计划"],
    "projects": ["项目编号", "台区编号", "项目类型", "计划投运日期", "实际投运日期"],
}
VALID = {
    "workorders": [wo(), wo("WO0002", customer="C0002", district="TQ0002", closed="2026-03-03 10:00:00",
                              satisfaction="满意")],
    "districts": [["TQ0001", "星沙一号台区", "国网长沙供电公司", "长沙县供电公司", "星沙供电所", "10kV星沙线", "400", "120"],
                  ["TQ0002", "星沙二号台区", "国网长沙供电公司", "长沙县供电公司", "星沙供电所", "10kV星沙线", "315", "80"]],
    "loads": [["TQ0001", "2026-03", "105.5", "190", "236"], ["TQ0002", "2026-03", "60", "210", "230"]],
    "outages": [["TD0001", "10kV星沙线", "TQ0001", "故障", "2026-03-01 10:00", "2026-03-01 12:00", "否"],
                ["TD0002", "10kV星沙线", "", "计划", "2026-03-05 08:00", "", "是"]],
    "projects": [["XM0001", "TQ0001", "增容改造", "2026-02-28", ""], ["XM0002", "TQ0002", "新建台区", "2026-06-30",
                                                                     "2026-07-02"]],
}
KINDS = list(HEADERS)
FORMULA = "=cmd|' /C calc'!A0"
NASTY = [FORMULA, "+1+1", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://x\")", "0001-01-01 00:00", "9999-12-31 23:59:59",
         "2024-02-30 10:00", "2026-13", "0000-00-00", "1e309", "-1e309", "NaN", "inf", "-0", "", " ", "\u3000",
         "\x00", "😀", "\u202e反", "１２３", "9" * 40, "null", "None", "TRUE", "'", '"', "\r\n", ",,,", "\ufeff"]
CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
XLSX_CELL = st.one_of(
    CELL, st.integers(min_value=-10**18, max_value=10**18), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59), dt.date(1900, 2, 28), True, None]),
)
FUZZ = hsettings(max_examples=15, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])


@pytest.fixture
def grid(tmp_path, db):
    """台区 TQ0001/TQ0002 and their feeder, so that valid rows of every kind can succeed."""
    result = import_file(kind="districts", path=write_csv(tmp_path / "d.csv", DISTRICT_HEADER, VALID["districts"]))
    assert result.ok, result.errors


def table_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        counts = {}
        for table in connection.introspection.table_names(cur):
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    return counts


def write_csv(path, header, rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


def check(kind, path):
    """The properties every import must have, whatever the file."""
    before = table_counts()
    result = import_file(kind=kind, path=path)  # must not raise
    if result.ok:
        again = import_file(kind=kind, path=path)
        assert again.ok, again.errors
        assert (again.created, again.updated) == (0, 0), f"re-import changed rows: {again}"
        return result
    for error in result.errors:
        assert error.row >= 1 and str(error.reason).strip(), error
        assert str(error).startswith(f"row {error.row}, ")
        assert "Traceback" not in error.reason
    after = table_counts()
    # The one row a failed import adds: its import.failed audit entry (who tried which file).
    assert after.pop("accounts_auditlog") == before.pop("accounts_auditlog") + 1
    assert AuditLog.objects.latest("id").action == "import.failed"
    assert after == before, "a failed import changed the database"
    return result


def mutate(kind, data, cells):
    rows = [list(r) for r in VALID[kind]]
    width = len(HEADERS[kind])
    for value in cells:
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, width - 1))
        rows[r][c] = value
    return rows


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
def test_csv_cells_fuzzed(kind, data, encoding, grid, tmp_path):
    cells = data.draw(st.lists(CELL, min_size=1, max_size=6))
    path = write_csv(tmp_path / f"fuzz-{kind}.csv", HEADERS[kind], mutate(kind, data, cells), encoding=encoding)
    check(kind, path)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_xlsx_cells_fuzzed(kind, data, grid, tmp_path):
    cells = data.draw(st.lists(XLSX_CELL, min_size=1, max_size=6))
    try:
        path = write_table(tmp_path / f"fuzz-{kind}.xlsx", HEADERS[kind], mutate(kind, data, cells))
    except (IllegalCharacterError, ValueError, TypeError):
        return  # openpyxl cannot store the value: no such file can exist
    check(kind, path)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@FUZZ
@given(blob=st.binary(max_size=4096))
def test_random_bytes(kind, suffix, blob, grid, tmp_path):
    path = tmp_path / f"bytes{suffix}"
    path.write_bytes(blob)
    result = check(kind, path)
    assert not result.ok or result.rows == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_then_random_bytes(kind, grid, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes((",".join(HEADERS[kind]) + "\n").encode() + bytes(range(256)) * 8)
    check(kind, path)


@pytest.mark.parametrize("kind", KINDS)
def test_one_megabyte_cells_in_every_column(kind, grid, tmp_path):
    for column in range(len(HEADERS[kind])):
        rows = [list(r) for r in VALID[kind]]
        rows[0][column] = "停" * (1 << 20)
        result = check(kind, write_csv(tmp_path / f"huge-{column}.csv", HEADERS[kind], rows))
        if not result.ok:
            assert any(e.row == 2 for e in result.errors), result.errors[:3]


@pytest.mark.parametrize("kind", KINDS)
def test_formulas_in_every_column_are_refused_or_stored_as_text(kind, grid, tmp_path):
    rows = [[FORMULA if i else cell for i, cell in enumerate(r)] for r in VALID[kind]]
    result = check(kind, write_csv(tmp_path / "formulas.csv", HEADERS[kind], rows))
    assert not result.ok  # a formula in a key, date or number column is an error naming the row


@pytest.mark.parametrize("value", ["0001-01-01 00:00", "9999-12-31 23:59:59", "2024-02-30 10:00", "1e309", "NaN",
                                   "-1e309"])
def test_dates_and_numbers_out_of_range_name_the_cell(value, grid, tmp_path):
    rows = [wo(accepted=value)]
    result = check("workorders", write_csv(tmp_path / "dates.csv", WO_HEADER, rows))
    if not result.ok:
        assert any(e.row == 2 and e.column == "受理时间" for e in result.errors), result.errors
    loads = [["TQ0001", "2026-03", value, value, value]]
    result = check("loads", write_csv(tmp_path / "loads.csv", HEADERS["loads"], loads))
    assert not result.ok or all(math.isfinite(float(v)) for v in (value,)), "a non-finite number was stored"
