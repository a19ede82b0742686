"""Exports of any size (issues #14 and #15): 20,000 orders exported as CSV and XLSX in chunks — no
statement whose size grows with the rows (SQLite refused the old prefetch past ~5,000 rows with
"Expression tree is too large") — on whichever database DATABASE_URL names (SQLite or PostgreSQL);
above the background threshold the worker writes the file atomically and its owner downloads it."""
import datetime as dt
import os

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tables2 import Column, Table

from scorecard.accounts import exports
from scorecard.accounts.models import ExportJob, User
from scorecard.complaints.models import Customer, WorkOrder
from scorecard.core import exports as core_exports
from tests.fixtures.factories import city, order

pytestmark = pytest.mark.django_db
ROWS = 20_000


@pytest.fixture
def many_orders():
    unit = city("国网长沙供电公司")
    first = order(accepted="2024-07-01 08:00", city_unit=unit, customer="CBIG", order_no="BIG00000")
    Customer.objects.filter(customer_no="CBIG").update(name="王五")
    start = first.accepted_at
    WorkOrder.objects.bulk_create([
        WorkOrder(order_no=f"BIG{i:05d}", accepted_at=start + dt.timedelta(minutes=2 * i),
                  business_type_id=first.business_type_id, is_complaint=True, category_id=first.category_id,
                  subcategory_id=first.subcategory_id, customer_id="CBIG", customer_name="王五",
                  phone="13900001111", city=unit)
        for i in range(1, ROWS)], batch_size=2000)
    return User.objects.create_user("big-analyst", password="pw-big-1", role="analyst")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_20000_orders_in_bounded_queries(many_orders, fmt):
    client = Client()
    client.force_login(many_orders)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/analysis/orders/", {"month": "2024-07", "_export": fmt})
        assert response.status_code == 200 and response.streaming  # nothing buffered whole in the response
        body = body_of(response)
    rows = core_exports.read_rows(body, fmt)
    assert len(rows) == ROWS + 1 and rows[0][0] == "工单编号"
    assert sorted(r[0] for r in rows[1:])[:2] == ["BIG00000", "BIG00001"]
    # Chunked: the longest statement does not grow with the rows (an IN list of 20,000 ids would be > 100 kB).
    longest = max(len(q["sql"]) for q in queries.captured_queries)
    assert longest < 20_000, longest
    assert len(queries.captured_queries) < 4 * ROWS / core_exports.EXPORT_CHUNK + 40


def test_above_the_threshold_the_worker_writes_the_file(world, settings, client):
    settings.SCORECARD_EXPORT_BACKGROUND_ROWS = 1
    leader = world.users["leader"]
    client.force_login(leader)
    offer = client.get("/analysis/orders/", {"month": "2024-07", "_export": "csv"})
    assert offer.status_code == 200 and "后台" in offer.content.decode()
    assert not ExportJob.objects.exists()  # the GET offered; it wrote nothing
    started = client.post(reverse("export_start"), {"path": "/analysis/orders/",
                                                    "query": "month=2024-07&_export=csv"})
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("export_status", args=[job.pk])
    assert job.status == ExportJob.Status.PENDING and job.user == leader
    exports.run_export(job_id=job.pk)  # what the task accounts.run_export does
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows == 2, job.error
    status = client.get(reverse("export_status", args=[job.pk]))
    assert reverse("export_download", args=[job.pk]) in status.content.decode()
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    rows = core_exports.read_rows(body_of(download), "csv")
    # Run as the leader: their company only, names masked, as the page shows them.
    assert sorted(r[0] for r in rows[1:]) == ["O-A-YJ", "O-A-YX"]
    assert "张三丰" not in str(rows) and "13900001111" not in str(rows)
    # Another user's job is not theirs to follow or download.
    other = Client()
    other.force_login(world.users["analyst"])
    assert other.get(reverse("export_status", args=[job.pk])).status_code == 404
    assert other.get(reverse("export_download", args=[job.pk])).status_code == 404


def test_only_the_listed_pages_export_in_the_background(world, client):
    client.force_login(world.users["analyst"])
    assert client.post(reverse("export_start"), {"path": "/scorecard/trace/", "query": "export=csv"}).status_code == 404
    assert client.post(reverse("export_start"), {"path": "/analysis/orders/", "query": "month=2024-07"}).status_code == 404
    assert not ExportJob.objects.exists()


class Exploding(Table):
    n = Column()

    def value_n(self, value):
        if value == 3:
            raise RuntimeError("disk full")
        return value


def test_a_failed_export_leaves_no_half_file(tmp_path):
    tmp_path = tmp_path / "exports"  # a folder of its own: tests/conftest.py puts the sessions next to it
    tmp_path.mkdir()
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        core_exports.write_file(Exploding([{"n": i} for i in range(5)]), "csv", target)
    assert os.listdir(tmp_path) == []
    core_exports.write_file(Exploding([{"n": 1}, {"n": 2}]), "xlsx", tmp_path / "ok.xlsx")
    assert os.listdir(tmp_path) == ["ok.xlsx"]
    assert core_exports.read_rows((tmp_path / "ok.xlsx").read_bytes(), "xlsx") == [["N"], [1], [2]]
