"""Customers named in work orders: created or merged, a blank never erasing what is known.

On PostgreSQL the customers are derived in SQL from each chunk of orders, on
SQLite merged in Python; both must give the same customers, chunk boundaries
and the bulk way included.
"""
import pytest

from scorecard.complaints.importers import base
from scorecard.complaints.models import Customer
from scorecard.complaints.services import import_file

from .conftest import WO_HEADER, wo, write_table

pytestmark = pytest.mark.django_db


def customers():
    return {c.customer_no: (c.name, c.phone, c.district_id, c.sensitive, c.sensitive_note)
            for c in Customer.objects.all()}


@pytest.mark.parametrize("chunk_rows", [5_000, 2])
@pytest.mark.parametrize("bulk_min_rows", [0, 1])
def test_the_last_non_blank_value_of_each_field_wins(tmp_path, settings, monkeypatch, chunk_rows, bulk_min_rows):
    settings.IMPORT_BULK_MIN_ROWS = bulk_min_rows
    monkeypatch.setattr(base, "CHUNK_ROWS", chunk_rows)  # 2: the same customer in different chunks
    rows = [
        wo("WO1", customer="C1", name="张三", phone="", district="TQ0001"),
        wo("WO2", customer="C1", name="", phone="13800000001", district=""),
        wo("WO3", customer="C2", name="李四", phone="13900000002", district="TQ0002", district_name="二号台区"),
        wo("WO4", customer="C1", name="张三丰", phone="", district=""),
        wo("WO5", btype="咨询", cat="", sub="", customer="", name="路人", phone="13700000000"),
    ]
    result = import_file(kind="workorders", path=write_table(tmp_path / "a.csv", WO_HEADER, rows))
    assert result.ok, [str(e) for e in result.errors]
    assert customers() == {
        "C1": ("张三丰", "13800000001", "TQ0001", False, ""),
        "C2": ("李四", "13900000002", "TQ0002", False, ""),
    }

    # What the analysts added by hand survives; a later file's blanks erase nothing, its values win.
    Customer.objects.filter(customer_no="C2").update(sensitive=True, sensitive_note="多次越级投诉")
    later = [wo("WO6", "2026-04-01 10:00:00", customer="C2", name="", phone="", district=""),
             wo("WO7", "2026-04-02 10:00:00", customer="C1", name="", phone="13811111111", district="TQ0002",
                district_name="二号台区")]
    assert import_file(kind="workorders", path=write_table(tmp_path / "b.csv", WO_HEADER, later)).ok
    assert customers() == {
        "C1": ("张三丰", "13811111111", "TQ0002", False, ""),
        "C2": ("李四", "13900000002", "TQ0002", True, "多次越级投诉"),
    }
