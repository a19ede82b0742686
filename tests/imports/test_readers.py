"""One logical export in every accepted format gives the same rows; re-imports change nothing."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from scorecard.imports.importers.readers import TableReader, sniff_csv
from scorecard.complaints.models import Customer, WorkOrder
from scorecard.imports.services import import_file
from scorecard.grid.models import District, OrgUnit

from tests.fixtures.import_files import WO_HEADER, orders_xlsx, sample_orders, snapshot, write_table

SH = ZoneInfo("Asia/Shanghai")
# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


def _import_and_snapshot(path):
    with transaction.atomic():
        result = import_file(kind="workorders", path=path)
        assert result.ok, [str(e) for e in result.errors]
        assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
        snap = snapshot()
        transaction.set_rollback(True)
    return snap


def test_every_format_gives_identical_rows(tmp_path):
    rows = sample_orders()
    # Full-width spaces and stray blanks in the CSVs too: trimming is the reader's job.
    rows[0][9] = f"\u3000{rows[0][9]}\u3000"
    rows[1][7] = f" {rows[1][7]} "
    files = {
        "utf-8": write_table(tmp_path / "utf8.csv", WO_HEADER, rows, encoding="utf-8"),
        "bom": write_table(tmp_path / "bom.csv", WO_HEADER, rows, encoding="utf-8-sig"),
        "gbk": write_table(tmp_path / "gbk.csv", WO_HEADER, rows, encoding="gbk"),
        "xlsx": orders_xlsx(tmp_path / "orders.xlsx", sample_orders()),
    }
    assert sniff_csv(files["gbk"])[0] == "gb18030"
    assert sniff_csv(files["bom"])[0] == sniff_csv(files["utf-8"])[0] == "utf-8-sig"
    with TableReader(files["xlsx"]) as table:  # the fixture really holds what it claims
        first = next(table.rows())[1]
        assert isinstance(first[1], dt.datetime)
    snaps = {name: _import_and_snapshot(path) for name, path in files.items()}
    reference = snaps.pop("utf-8")
    for name, snap in snaps.items():
        assert snap == reference, name

    orders = {o["order_no"]: o for o in reference["orders"]}
    assert len(orders) == 5
    wo1, wo2, wo3, wo4 = orders["WO0001"], orders["WO0002"], orders["WO0003"], orders["WO0004"]
    assert wo1["accepted_at"] == dt.datetime(2026, 3, 1, 9, 5, tzinfo=SH)  # local time, not UTC
    assert wo1["city__name"] == "国网长沙供电公司"
    assert (wo1["is_complaint"], wo1["category__name"], wo1["subcategory__name"]) == (True, "供电质量", "频繁停电")
    assert (wo2["detail__name"], wo2["responsible_dept__name"], wo2["satisfaction"]) == ("低电压", "运检", "满意")
    assert wo2["closed_at"] == dt.datetime(2026, 3, 3, 10, 0, tzinfo=SH)
    assert wo2["customer_name"] == "李四"
    assert wo3["accepted_at"] == dt.datetime(2026, 3, 2, 11, 0, tzinfo=SH)  # YYYY/M/D accepted
    assert (wo3["is_complaint"], wo3["customer_id"], wo3["district_id"], wo3["county__name"]) == (
        False, None, None, None)
    assert wo4["customer_id"] == "123456"  # not "123456.0"
    assert orders["WO0005"]["business_type__name"] == "故障报修" and not orders["WO0005"]["is_complaint"]
    # Customer C0001 appears twice; the blank name of the later order keeps the known one.
    customers = {c["customer_no"]: c for c in reference["customers"]}
    assert customers["C0001"] == {"customer_no": "C0001", "name": "张三", "phone": "13800000001",
                                  "district_id": "TQ0001"}
    # Org units, 台区 and feeders named by the orders were created under the one province.
    assert ("国网湖南省电力有限公司/国网长沙供电公司/长沙县供电公司/星沙供电所", "station", "国网长沙供电公司") in reference["units"]
    assert ("国网湖南省电力有限公司/国网株洲供电公司", "city", "国网株洲供电公司") in reference["units"]
    districts = {d["code"]: d for d in reference["districts"]}
    assert districts["TQ0002"]["name"] == "星沙二号台区"
    assert districts["TQ0002"]["station__name"] == "星沙供电所"
    assert districts["TQ0002"]["feeder__name"] == "10kV星沙线"


def test_reimport_changes_nothing(tmp_path):
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    first = import_file(kind="workorders", path=path)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    before = snapshot()
    stamps = dict(WorkOrder.objects.values_list("order_no", "imported_at"))
    counts = (OrgUnit.objects.count(), District.objects.count(), Customer.objects.count())

    again = import_file(kind="workorders", path=path)
    assert again.ok
    assert (again.rows, again.created, again.updated, again.unchanged) == (5, 0, 0, 5)
    assert snapshot() == before
    assert dict(WorkOrder.objects.values_list("order_no", "imported_at")) == stamps  # not even touched
    assert (OrgUnit.objects.count(), District.objects.count(), Customer.objects.count()) == counts

    # The same file as XLSX is the same data: still nothing to do.
    xlsx = import_file(kind="workorders", path=orders_xlsx(tmp_path / "o.xlsx", sample_orders()))
    assert (xlsx.created, xlsx.updated, xlsx.unchanged) == (0, 0, 5)


def test_changed_rows_are_updated_others_untouched(tmp_path):
    rows = sample_orders()
    import_file(kind="workorders", path=write_table(tmp_path / "a.csv", WO_HEADER, rows))
    stamps = dict(WorkOrder.objects.values_list("order_no", "imported_at"))
    rows[1][18], rows[1][19] = "2026-03-04 09:00", "基本满意"
    rows.append(sample_orders()[0])
    rows[-1][0] = "WO0006"
    result = import_file(kind="workorders", path=write_table(tmp_path / "b.csv", WO_HEADER, rows))
    assert (result.rows, result.created, result.updated, result.unchanged) == (6, 1, 1, 4)
    wo2 = WorkOrder.objects.get(order_no="WO0002")
    assert wo2.satisfaction == "基本满意"
    assert wo2.closed_at == dt.datetime(2026, 3, 4, 9, 0, tzinfo=SH)
    assert wo2.imported_at > stamps["WO0002"]
    assert WorkOrder.objects.get(order_no="WO0001").imported_at == stamps["WO0001"]


def test_headers_in_any_order_aliases_and_extra_columns(tmp_path):
    header = ["备注", "accepted_at", "order_no", "业务类型", "CITY_UNIT", "一级分类", "customer_no", "二级分类"]
    rows = [["随便", "2026-03-05 10:00", "WOX1", "投诉", "国网长沙供电公司", "营业", "C9", "电费电价"]]
    result = import_file(kind="workorders", path=write_table(tmp_path / "x.csv", header, rows))
    assert result.ok, result.errors
    wo = WorkOrder.objects.get(order_no="WOX1")
    assert (wo.category.name, wo.subcategory.name, wo.customer_id) == ("营业", "电费电价", "C9")
