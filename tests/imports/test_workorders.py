"""Customers named in work orders: created or merged, a blank never erasing what is known.

On PostgreSQL the customers are derived in SQL from each chunk of orders, on
SQLite merged in Python; both must give the same customers, chunk boundaries
and the bulk way included.
"""
import logging

import pytest
from django.db import connection

from scorecard.imports.importers import base, bulk
from scorecard.imports.importers.readers import TableReader
from scorecard.complaints.models import Customer
from scorecard.imports.services import import_file

from tests.fixtures.import_files import WO_HEADER, wo, write_table

# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


def customers():
    return {c.customer_no: (c.name, c.phone, c.district_id, c.sensitive, c.sensitive_note)
            for c in Customer.objects.all()}


@pytest.mark.parametrize("chunk_rows", [5_000, 2])
@pytest.mark.parametrize("bulk_min_rows", [0, 1])
def test_the_last_non_blank_value_of_each_field_wins(tmp_path, settings, monkeypatch, caplog, chunk_rows,
                                                    bulk_min_rows):
    caplog.set_level(logging.INFO, logger=bulk.__name__)
    bulk_log = lambda: [r for r in caplog.records if r.name == bulk.__name__]  # noqa: E731
    settings.IMPORT_BULK_MIN_ROWS = bulk_min_rows
    monkeypatch.setattr(base, "CHUNK_ROWS", chunk_rows)  # 2: the same customer in different chunks
    rows = [
        wo("WO1", customer="C1", name="张三", phone="13800000009", district="TQ0002", district_name="二号台区"),
        wo("WO2", customer="C1", name="", phone="13800000001", district=""),
        wo("WO3", customer="C2", name="李四", phone="13900000002", district="TQ0002", district_name="二号台区"),
        wo("WO4", customer="C1", name="张三丰", phone="", district="TQ0001"),
        wo("WO5", btype="咨询", cat="", sub="", customer="", name="路人", phone="13700000000"),
        wo("WO6", customer="C1", name="", phone="", district=""),
    ]
    result = import_file(kind="workorders", path=write_table(tmp_path / "a.csv", WO_HEADER, rows))
    assert result.ok, [str(e) for e in result.errors]
    assert customers() == {
        "C1": ("张三丰", "13800000001", "TQ0001", False, ""),
        "C2": ("李四", "13900000002", "TQ0002", False, ""),
    }
    # Both ways were really taken: into an empty table, the bulk way on PostgreSQL when allowed.
    assert bool(bulk_log()) == (bulk_min_rows == 1 and connection.vendor == "postgresql")

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


def test_a_csv_is_sized_from_the_bytes_read_not_its_line_breaks(tmp_path):
    """What the bulk way's decision reads after the first chunk: never more rows than there are."""
    rows = [wo(f"WO{i:05d}", content="第一行\n第二行\n第三行") for i in range(2000)]
    path = write_table(tmp_path / "multi.csv", WO_HEADER, rows)
    with TableReader(path) as table:
        assert table.estimated_rows > 6000  # the line count: fine for a progress bar, wrong for this
        read = 0
        for _ in table.rows():
            read += 1
            if read == 1000:
                break
        assert 1700 <= table.estimate_total_rows(read) <= 2000
    xlsx = write_table(tmp_path / "o.xlsx", WO_HEADER, rows[:10])
    with TableReader(xlsx) as table:
        assert table.estimate_total_rows(5) == 0  # unknown: only its <dimension> tag would say
