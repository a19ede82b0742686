"""A large file into a small table is loaded the bulk way (PostgreSQL): drop, load, rebuild.

The bulk way must be invisible in the result: the same rows as the row-by-row
way, the same indexes and foreign keys afterwards (validated), and a failed
file leaves the table, its data and its schema as they were.
"""
import logging
import re
import sys
import zipfile

import psycopg

import pytest
from django.db import connection, transaction

from scorecard.imports.importers import base, bulk
from scorecard.imports.importers.writers import WriteLane
from scorecard.complaints.models import WorkOrder
from scorecard.imports.services import import_file

from tests.fixtures.import_files import WO_HEADER, sample_orders, snapshot, wo, write_table

# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk way is PostgreSQL's")


TABLES = ("complaints_workorder", "complaints_customer")


def schema() -> dict:
    """The indexes and constraints of the tables loaded the bulk way, as the catalog holds them."""
    out = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            indexes = sorted(cur.fetchall())
            cur.execute("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                        "WHERE conrelid = %s::regclass", [table])
            out[table] = {"indexes": indexes, "constraints": sorted(cur.fetchall())}
    return out


@pytest.fixture
def bulk_log(caplog):
    caplog.set_level(logging.INFO, logger=bulk.__name__)
    return lambda: [r.getMessage() for r in caplog.records if r.name == bulk.__name__]


@postgres_only
def test_bulk_load_gives_the_same_rows_and_rebuilds_every_index_and_foreign_key(tmp_path, settings, bulk_log):
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    before = schema()
    orders = before["complaints_workorder"]
    assert len(orders["indexes"]) == 10 and sum(c[1].startswith("FOREIGN KEY") for c in orders["constraints"]) == 11

    settings.IMPORT_BULK_MIN_ROWS = 0  # off: row by row
    with transaction.atomic():
        assert import_file(kind="workorders", path=path).ok
        row_by_row = snapshot()
        transaction.set_rollback(True)
    assert bulk_log() == []

    settings.IMPORT_BULK_MIN_ROWS = 1
    result = import_file(kind="workorders", path=path)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    orders_message, customers_message = bulk_log()
    assert "complaints_workorder" in orders_message and "dropped 8 indexes and 11 foreign keys" in orders_message
    assert "complaints_customer" in customers_message and "dropped 3 indexes and 1 foreign keys" in customers_message
    assert snapshot() == row_by_row
    after = schema()
    assert after == before  # names, definitions, and every foreign key validated
    assert all(validated for table in TABLES for _, _, validated in after[table]["constraints"])

    # The rebuilt keys are live: a row pointing at a missing 台区 is refused.
    from django.db import IntegrityError
    order = WorkOrder.objects.get(order_no="WO0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(district_id="NO-SUCH-TQ")
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgres_only
def test_a_bad_row_in_a_bulk_load_leaves_data_and_schema_as_they_were(tmp_path, settings, monkeypatch, bulk_log):
    assert import_file(kind="workorders", path=write_table(tmp_path / "first.csv", WO_HEADER, [wo()])).ok
    before_rows, before_schema = snapshot(), schema()

    settings.IMPORT_BULK_MIN_ROWS = 1
    monkeypatch.setattr(base, "CHUNK_ROWS", 2)  # the first chunk is written (the bulk way) before the bad row
    rows = sample_orders()
    rows[3][1] = "2026-02-30 10:00:00"  # no such day
    result = import_file(kind="workorders", path=write_table(tmp_path / "bad.csv", WO_HEADER, rows))
    assert len(bulk_log()) == 2  # it did go the bulk way (orders and customers) ...
    assert [str(e) for e in result.errors] == [f"row 5, 受理时间: {result.errors[0].reason}"]
    assert "2026-02-30" in result.errors[0].reason
    assert snapshot() == before_rows  # ... and the rollback took all of it back
    assert schema() == before_schema


@postgres_only
def test_a_file_that_does_not_double_the_table_goes_row_by_row(tmp_path, settings, bulk_log):
    path = write_table(tmp_path / "all.csv", WO_HEADER, sample_orders())
    assert import_file(kind="workorders", path=path).ok
    settings.IMPORT_BULK_MIN_ROWS = 1
    changed = [wo(content="复核后补充说明"), wo("WO0009", "2026-03-09 09:00:00")]
    result = import_file(kind="workorders", path=write_table(tmp_path / "two.csv", WO_HEADER, changed))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert bulk_log() == []  # 2 rows into a table of 5: the monthly increment, no table locks
    again = import_file(kind="workorders", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 4)
    assert bulk_log() == []  # a re-import: rebuilding every index to change one row would be absurd


@postgres_only
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_short_file_is_sized_by_its_rows_not_by_what_it_seems(tmp_path, settings, suffix, bulk_log):
    """An XLSX's <dimension> says a million rows when whole columns were formatted; a CSV's
    line count grows with line breaks inside cells. Neither may make 5 rows look like 150."""
    settings.IMPORT_BULK_MIN_ROWS = 100
    rows = sample_orders()
    path = tmp_path / f"orders{suffix}"
    if suffix == ".csv":
        for row in rows:
            row[20] = "\n".join(["客户反映："] + ["现场情况说明"] * 30)
        write_table(path, WO_HEADER, rows)
        assert path.read_bytes().count(b"\n") > 150
    else:
        write_table(path, WO_HEADER, rows)
        with zipfile.ZipFile(path) as z:  # as Excel writes it when whole columns are formatted
            parts = {name: z.read(name) for name in z.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:U1048576"/>', parts[sheet])
        assert b"A1:U1048576" in parts[sheet]
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    result = import_file(kind="workorders", path=path)
    assert result.ok and result.created == 5
    assert bulk_log() == []


@postgres_only
def test_the_size_of_a_long_xlsx_is_never_guessed(tmp_path, settings, monkeypatch, bulk_log):
    settings.IMPORT_BULK_MIN_ROWS = 1
    monkeypatch.setattr(base, "CHUNK_ROWS", 2)  # ... but past the first chunk an XLSX's size is unknown
    result = import_file(kind="workorders", path=write_table(tmp_path / "o.xlsx", WO_HEADER, sample_orders()))
    assert result.ok and result.created == 5
    assert bulk_log() == []


@postgres_only
def test_busy_tables_make_the_file_go_row_by_row(tmp_path, settings, monkeypatch, caplog, bulk_log):
    """A reader holding one of the tables: the import never waits for it holding others (no deadlock)."""
    settings.IMPORT_BULK_MIN_ROWS = 1
    monkeypatch.setattr(bulk, "LOCK_ATTEMPTS", 3)
    monkeypatch.setattr(bulk, "LOCK_PAUSE", 0.01)
    params = connection.get_connection_params()
    with psycopg.connect(**params) as reader:  # a page's transaction, reading org units
        reader.execute("SELECT count(*) FROM grid_orgunit").fetchone()
        result = import_file(kind="workorders", path=write_table(tmp_path / "o.csv", WO_HEADER, sample_orders()))
        reader.rollback()
    assert result.ok and result.created == 5
    assert bulk_log() == ["bulk load of complaints_workorder, complaints_customer: the tables stayed busy "
                          "(held by client backend); loading row by row"]


def test_the_bulk_way_is_never_taken_on_sqlite_or_for_a_dry_run(tmp_path, settings, bulk_log):
    settings.IMPORT_BULK_MIN_ROWS = 1
    switch_interval = sys.getswitchinterval()  # the write lane lowers it while it runs
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    result = import_file(kind="workorders", path=path, dry_run=True)
    assert result.ok and result.created == 5 and WorkOrder.objects.count() == 0
    assert bulk_log() == []  # a dry run must not lock the portal's tables
    assert import_file(kind="workorders", path=path).ok
    assert len(bulk_log()) == (2 if connection.vendor == "postgresql" else 0)
    assert sys.getswitchinterval() == switch_interval


@postgres_only
def test_overlapping_write_lanes_restore_the_switch_interval_when_the_last_one_closes():
    before = sys.getswitchinterval()
    first, second = WriteLane(connection), WriteLane(connection)  # e.g. two imports in one threaded worker
    assert sys.getswitchinterval() < before
    first.close()
    assert sys.getswitchinterval() < before  # the second is still parsing
    second.close()
    assert sys.getswitchinterval() == before
