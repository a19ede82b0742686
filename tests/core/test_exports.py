"""Every CSV/XLSX export the product offers neutralises formula cells (CSV injection).

A city company, a 台区, a customer and an order's content are named ``=cmd|' /C calc'!A0``;
each export that shows them must hold the text with a leading quote, never a cell that
Excel or LibreOffice would evaluate. The planted text must appear (so the test can fail),
and no module may build an export outside ``scorecard.core.exports`` (one function to trust).
"""
import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from scorecard.accounts import audit
from scorecard.accounts.models import User
from scorecard.complaints.models import Customer
from scorecard.core.exports import FORMULA_START
from scorecard.grid.models import DistrictManagerAssignment, OrgUnit
from scorecard.kpis.models import Appeal
from scorecard.kpis.services import trace_month
from tests.fixtures.factories import city, dept, district, order, reading

FORMULA = "=cmd|' /C calc'!A0"
MONTH = "2024-10"
pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    evil = city(FORMULA)
    d = district("TQX001", evil, customers=500)
    d.name = FORMULA
    d.county = OrgUnit.objects.create(name=FORMULA, level="county", parent=evil)  # the drill-down's rows
    d.save()
    DistrictManagerAssignment.objects.create(district=d, name=FORMULA, staff_no="", valid_from=dt.date(2024, 1, 1))
    reading(d, MONTH, load=115)  # an overload incident in the evil 台区
    Customer.objects.create(customer_no="CX1", name=FORMULA, phone="+8613800000000")
    for i, customer in enumerate(["CX1", "CX2"]):  # two customers: a multi-customer hotspot
        wo = order(accepted=f"2024-10-0{i + 3} 10:00", city_unit=evil, district_obj=d, customer=customer,
                   category="供电质量", subcategory="电压质量长时间异常", detail="低电压", order_no=f"GDX{i}")
        wo.content = FORMULA
        wo.customer_name = FORMULA
        wo.save()
    order(accepted="2024-09-10 10:00", city_unit=evil, district_obj=d, customer="CX1", order_no="GDX9")
    trace_month(month=dt.date(2024, 10, 1))  # as the import of these orders would have
    audit.record(action="test.plant", summary=FORMULA)
    analyst = User.objects.create_user("fx-analyst", password="pw-exports-1", role="analyst")
    Appeal.objects.create(work_order=wo, month=dt.date(2024, 10, 1), city=evil, from_department=dept("运检"),
                          to_department=dept("营销"), reason=FORMULA, filed_by=analyst)
    return analyst


EXPORTS = [
    f"/scorecard/?month={MONTH}&table=units&export={{fmt}}",
    f"/scorecard/?month={MONTH}&table=departments&export={{fmt}}",
    f"/scorecard/incidents/?month={MONTH}&export={{fmt}}",
    f"/analysis/?month={MONTH}&_table=multi&_export={{fmt}}",
    f"/analysis/?month={MONTH}&_table=consecutive&_export={{fmt}}",
    f"/analysis/orders/?month={MONTH}&_export={{fmt}}",
    f"/analysis/orders/?month={MONTH}&types=all&_export={{fmt}}",
    "/scorecard/appeals/?status=pending&export={fmt}",
    "/audit/?export={fmt}",
    # The drill-down of the planted city: its county, and its 台区经理 (issue #18).
    f"/scorecard/units/{{city}}/?month={MONTH}&export={{fmt}}",
    f"/scorecard/units/{{city}}/?month={MONTH}&table=managers&export={{fmt}}",
]


def cells(body: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    out = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula cell {cell.coordinate}: {cell.value!r}"
            if isinstance(cell.value, str):
                out.append(cell.value)
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", EXPORTS)
def test_every_export_neutralises_formula_cells(client, planted, url, fmt):
    user = planted if not url.startswith("/audit/") else User.objects.create_user(
        "fx-auditor", password="pw-exports-2", role="auditor")
    client.force_login(user)
    resp = client.get(url.format(fmt=fmt, city=OrgUnit.objects.get(name=FORMULA, level="city").pk))
    assert resp.status_code == 200, resp.status_code
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    values = cells(body, fmt)
    dangerous = [v for v in values if v.startswith(FORMULA_START)]
    assert not dangerous, dangerous[:5]
    assert any(FORMULA in v for v in values), f"the planted cell is not in the export: {values[:20]}"
    assert "'" + FORMULA in values


def test_no_export_bypasses_scorecard_exports():
    """tablib / django-tables2's TableExport / csv.writer only in scorecard/core/exports.py."""
    offenders = []
    for base in ("scorecard", "accounts"):
        for path in (Path(settings.BASE_DIR) / base).rglob("*.py"):
            rel = path.relative_to(settings.BASE_DIR).as_posix()
            if rel == "scorecard/core/exports.py" or "/importers/" in rel or "/demo/" in rel or "/migrations/" in rel:
                continue
            if re.search(r"TableExport|import tablib|csv\.writer|openpyxl", path.read_text(encoding="utf-8")):
                offenders.append(rel)
    assert offenders == []
