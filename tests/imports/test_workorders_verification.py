"""The verification columns (是否属实/是否有责/是否降级) and date-only times of real exports."""
import datetime as dt

import pytest

from scorecard.complaints.models import WorkOrder
from scorecard.core.months import LOCAL_TZ
from scorecard.imports.services import import_file

from tests.fixtures.import_files import SAMPLE_UNITS, WO_HEADER, create_units, wo, write_table
from tests.fixtures.readouts import dept_row, scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _units():
    create_units(SAMPLE_UNITS)


def test_verification_columns_under_their_export_names_and_spellings(tmp_path):
    header = [*WO_HEADER, "核实结果", "定责结果", "降级"]  # aliases of 是否属实 / 是否有责 / 是否降级
    rows = [wo("V1", dept="营销") + ["是", "有责", "否"],
            wo("V2", dept="营销") + ["否", "", ""],
            wo("V3", dept="营销") + ["属实", "无责投诉", ""],
            wo("V4", dept="营销") + ["", "", "已降级"]]
    result = import_file(kind="workorders", path=write_table(tmp_path / "v.csv", header, rows, encoding="gbk"))
    assert result.ok, result.errors
    got = {o.order_no: (o.valid, o.at_fault, o.downgraded) for o in WorkOrder.objects.all()}
    assert got == {"V1": ("属实", "有责", False), "V2": ("不属实", "", False), "V3": ("属实", "无责", False),
                   "V4": ("", "", True)}
    row = dept_row(scorecard("2026-03"), "国网长沙供电公司", "营销")
    assert (row["accepted_complaints"], row["complaints"]) == (4, 1)
    assert row["excluded"] == {"not_valid": 1, "not_at_fault": 1, "downgraded": 1}


def test_an_unknown_verification_value_is_an_error_naming_row_and_column(tmp_path):
    header = [*WO_HEADER, "是否属实"]
    result = import_file(kind="workorders", path=write_table(tmp_path / "v.csv", header, [wo("V1") + ["待定"]]))
    assert not result.ok
    assert [str(e) for e in result.errors] == ["row 2, 是否属实: 是否属实只能是 属实/不属实（或 是/否）或空白，不能是“待定”"]


def test_date_only_times_are_read_and_what_they_cost_is_said(tmp_path):
    header = [("受理日期" if h == "受理时间" else "办结日期" if h == "办结时间" else h) for h in WO_HEADER]
    rows = [wo("D1", accepted="2026-03-02", closed="2026-03-02"), wo("D2", accepted="2026-03-02 10:00",
                                                                       closed="2026-03-03")]
    result = import_file(kind="workorders", path=write_table(tmp_path / "d.csv", header, rows))
    assert result.ok, result.errors
    d1, d2 = WorkOrder.objects.get(order_no="D1"), WorkOrder.objects.get(order_no="D2")
    assert d1.accepted_at == dt.datetime(2026, 3, 2, 0, 0, tzinfo=LOCAL_TZ)
    # The latest moment the date allows: a missing time never shortens the handling.
    assert d1.closed_at == dt.datetime(2026, 3, 2, 23, 59, 59, tzinfo=LOCAL_TZ)
    assert d2.closed_at == dt.datetime(2026, 3, 3, 23, 59, 59, tzinfo=LOCAL_TZ)
    assert result.warnings == [
        "“受理日期”列有 1 行只有日期、没有时刻：按当日 0 点计，时段分布把这些投诉计入 0 时",
        "“办结日期”列有 2 行只有日期、没有时刻：按当日 23:59:59 计，处理时长按最长计",
    ]
