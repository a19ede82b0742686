"""Fixture files for the importer tests, written by the tests into tmp_path.

``write_table`` writes the same header + rows as CSV (UTF-8, UTF-8 with BOM,
GBK) or XLSX, so one logical fixture can be checked in every format.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from scorecard.complaints.models import Customer, WorkOrder
from scorecard.grid.models import District, Feeder, OrgUnit

WO_HEADER = ["工单编号", "受理时间", "业务类型", "一级分类", "二级分类", "三级分类", "客户编号", "客户名称",
             "联系电话", "地市单位", "县级单位", "供电所", "台区编号", "台区名称", "线路名称", "责任部门",
             "派单时间", "接单时间", "办结时间", "回访满意度", "受理内容"]
DISTRICT_HEADER = ["台区编号", "台区名称", "地市单位", "县级单位", "供电所", "线路名称", "配变容量", "用户数"]

CITY = "国网长沙供电公司"


def wo(order_no="WO0001", accepted="2026-03-01 09:05:00", btype="投诉", cat="供电质量", sub="频繁停电", det="",
       customer="C0001", name="张三", phone="13800000001", city=CITY, county="长沙县供电公司", station="星沙供电所",
       district="TQ0001", district_name="星沙一号台区", feeder="10kV星沙线", dept="", dispatched="", acknowledged="",
       closed="", satisfaction="", content="反映经常停电"):
    return [order_no, accepted, btype, cat, sub, det, customer, name, phone, city, county, station, district,
            district_name, feeder, dept, dispatched, acknowledged, closed, satisfaction, content]


def sample_orders() -> list[list]:
    """A small but varied export: complaints with all levels, other business types, blanks."""
    return [
        wo(),
        wo("WO0002", "2026-03-01 19:30", "投诉", "供电质量", "电压质量长时间异常", "低电压", "C0002", "李四",
           "13800000002", district="TQ0002", district_name="星沙二号台区", dispatched="2026-03-01 19:40:00",
           acknowledged="2026-03-01 20:00:00", closed="2026-03-03 10:00:00", satisfaction="满意", dept="运检"),
        wo("WO0003", "2026/3/2 11:00:00", "咨询", "", "", "", "", "", "", city="国网株洲供电公司", county="",
           station="", district="", district_name="", feeder="", content="咨询电价"),
        wo("WO0004", "2026-03-02 17:15:00", "投诉", "服务", "服务不规范", "", "123456", "王五", "0731-8888",
           closed="2026-03-02 18:00:00", satisfaction="不满意", content="营业员态度"),
        wo("WO0005", "2026-03-03 08:00:00", "故障报修", "", "", "", "C0001", "", "", content="家里停电"),
    ]


# The org units the sample files name: units are master data (a work-order import never
# creates one), so a test importing work orders creates them first, as the districts
# import or the admin would.
SAMPLE_UNITS = [(CITY, "长沙县供电公司", "星沙供电所"), ("国网株洲供电公司", "", "")]


def sample_districts() -> list[list]:
    """A districts file naming every unit of ``SAMPLE_UNITS`` (the way production gets its units)."""
    return [["TQ0001", "星沙一号台区", CITY, "长沙县供电公司", "星沙供电所", "10kV星沙线", 400, 120],
            ["TQ9001", "株洲一号台区", "国网株洲供电公司", "", "", "", 200, 50]]


def create_units(keys) -> None:
    """OrgUnit rows for (city, county, station) name keys ("" for a level left out), the way the
    districts import keys them: a station with no county hangs off its city."""
    province = OrgUnit.objects.filter(level="province").first() or OrgUnit.objects.create(
        name=settings.SCORECARD_PROVINCE, level="province")
    for city, county, station in keys:
        parent, _ = OrgUnit.objects.get_or_create(name=city, level="city", defaults={"parent": province})
        if county:
            parent, _ = OrgUnit.objects.get_or_create(name=county, level="county", parent=parent)
        if station:
            OrgUnit.objects.get_or_create(name=station, level="station", parent=parent)


@pytest.fixture
def units(db):
    """The org units of ``sample_orders`` (and of ``wo()``'s defaults)."""
    create_units(SAMPLE_UNITS)


def write_table(path: Path, header: list, rows: list[list], *, encoding: str = "utf-8") -> Path:
    """CSV in ``encoding`` ("utf-8", "utf-8-sig", "gbk") or, for a .xlsx path, an XLSX sheet."""
    path = Path(path)
    if path.suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
        return path
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def orders_xlsx(path: Path, rows: list[list]) -> Path:
    """The sample as an analyst's Excel would hold it: real date cells, a number stored as
    text, a customer number typed as a number, full-width spaces, trailing empty rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工单"
    ws.append(WO_HEADER)
    for row in rows:
        row = list(row)
        for i in (1, 16, 17, 18):  # 受理/派单/接单/办结时间 as Excel date cells
            if row[i]:
                day, time = row[i].replace("/", "-").split(" ")
                y, m, d = (int(x) for x in day.split("-"))
                row[i] = dt.datetime.combine(dt.date(y, m, d), dt.time.fromisoformat(time))
        if row[6].isdigit():
            row[6] = float(row[6])  # 客户编号 123456 typed as a number (Excel stores 123456.0)
        if row[9]:
            row[9] = f"\u3000{row[9]} \u3000"  # full-width padding around 地市单位
        ws.append(row)
    for r in range(ws.max_row + 1, ws.max_row + 4):  # trailing rows that only hold blanks
        ws.cell(row=r, column=1, value="  ")
        ws.cell(row=r, column=5, value="\u3000")
    ws["I2"].number_format = "@"  # 联系电话 is text that looks like a number
    wb.save(path)
    return path


def snapshot() -> dict:
    """Every imported row by natural keys (no ids, no timestamps), for comparisons."""
    return {
        "orders": list(WorkOrder.objects.order_by("order_no").values(
            "order_no", "accepted_at", "business_type__name", "is_complaint", "category__name", "subcategory__name",
            "detail__name", "customer_id", "customer_name", "phone", "city__name", "county__name", "station__name",
            "district_id", "feeder__name", "responsible_dept__name", "dispatched_at", "acknowledged_at",
            "closed_at", "satisfaction", "content")),
        "customers": list(Customer.objects.order_by("customer_no").values("customer_no", "name", "phone",
                                                                           "district_id")),
        "districts": list(District.objects.order_by("code").values("code", "name", "city__name", "county__name",
                                                                   "station__name", "feeder__name", "capacity_kva",
                                                                   "customers")),
        "units": _units(),
        "feeders": sorted(Feeder.objects.values_list("name", "city__name")),
    }


def _units():
    """Org units with their materialised path spelled in names (ids differ between imports)."""
    names = dict(OrgUnit.objects.values_list("pk", "name"))
    return sorted(("/".join(names[int(p)] for p in path.strip("/").split("/")), level, city)
                  for path, level, city in OrgUnit.objects.values_list("path", "level", "city__name"))


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
