"""Imports are audited (one entry per attempt, with the file's SHA-256 and months) and
announced (``data_imported``, once, after the commit)."""
import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from scorecard.accounts.models import AuditLog, User
from scorecard.celery import app as celery_app
from scorecard.complaints.models import WorkOrder
from scorecard.imports.models import ImportJob
from scorecard.imports.services import analyze_statements, import_file
from scorecard.core.signals import data_imported

from tests.fixtures.import_files import (DISTRICT_HEADER, WO_HEADER, sample_districts, sample_orders, web_import, wo,
                                        write_table)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


@pytest.fixture
def signals():
    """Every data_imported the test causes, as its keyword arguments."""
    sent = []

    def listener(sender, **kwargs):
        sent.append(kwargs)

    data_imported.connect(listener)
    yield sent
    data_imported.disconnect(listener)


@pytest.fixture
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _import_entries():
    return AuditLog.objects.filter(action__startswith="import.")


def _boundary_orders():
    # 23:30 local on the 31st is October, although it is already 15:30 UTC (still the 31st)
    # — and 00:30 local on 1 November is 16:30 UTC on 31 October, yet November.
    return [wo("B1", accepted="2026-10-31 23:30:00"), wo("B2", accepted="2026-11-01 00:30"),
            wo("B3", accepted="2026/12/5 08:00:00")]


def test_months_are_local_calendar_months(tmp_path):
    result = import_file(kind="workorders", path=write_table(tmp_path / "o.csv", WO_HEADER, _boundary_orders()))
    assert result.ok
    assert result.months == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]


def test_months_of_an_excel_file_and_of_the_grid_kinds(tmp_path):
    from tests.fixtures.import_files import LOAD_HEADER, OUTAGE_HEADER

    xlsx = write_table(tmp_path / "o.xlsx", WO_HEADER, [wo("X1", accepted=dt.datetime(2026, 10, 31, 23, 30))])
    assert import_file(kind="workorders", path=xlsx).months == [dt.date(2026, 10, 1)]
    assert import_file(kind="districts", path=write_table(tmp_path / "d.csv", DISTRICT_HEADER,
                                                          sample_districts())).months == []
    loads = write_table(tmp_path / "l.csv", LOAD_HEADER, [["TQ0001", "2026-09", "90", "", ""],
                                                          ["TQ9001", "2026-07", "90", "", ""]])
    assert import_file(kind="loads", path=loads).months == [dt.date(2026, 7, 1), dt.date(2026, 9, 1)]
    outages = write_table(tmp_path / "out.csv", OUTAGE_HEADER,
                          [["TD1", "10kV星沙线", "", "故障", "2026-10-31 23:59", "", "否"]])
    assert import_file(kind="outages", path=outages).months == [dt.date(2026, 10, 1)]


def test_a_cli_import_is_one_audit_entry(tmp_path, signals, django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "oct.csv", WO_HEADER, _boundary_orders())
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_data", "workorders", str(path), stdout=StringIO(), stderr=StringIO())
    entry = AuditLog.objects.get(action="import.commit")
    assert (entry.action, entry.user, entry.username) == ("import.commit", None, "命令行")
    # The kpis app heard of it and re-traced the three months before the command ended (audited too).
    assert AuditLog.objects.filter(action="month.trace").count() == 3
    assert entry.after == {"file": "oct.csv", "sha256": sha, "kind": "workorders", "rows": 3, "created": 3,
                           "updated": 0, "unchanged": 0, "months": ["2026-10", "2026-11", "2026-12"],
                           "dry_run": False, "errors": 0, "job": None}
    assert "oct.csv" in entry.summary
    assert len(signals) == 1
    sent = signals[0]
    assert (sent["kind"], sent["user"], sent["source"]) == ("workorders", None, "oct.csv")
    assert sent["months"] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    assert sent["result"].created == 3 and sent["result"].sha256 == sha


def test_cli_by_names_the_user(tmp_path):
    user = User.objects.create_user(username="zhang", password="pw-zhang-1", role=User.Role.ANALYST)
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    call_command("import_data", "workorders", str(path), "--by", "zhang", stdout=StringIO())
    entry = AuditLog.objects.get()
    assert (entry.user, entry.username, entry.after["months"]) == (user, "zhang", ["2026-03"])
    with pytest.raises(CommandError, match="未知用户"):
        call_command("import_data", "workorders", str(path), "--by", "nobody", stdout=StringIO())
    assert AuditLog.objects.count() == 1


def test_the_signal_waits_for_the_commit(tmp_path, signals, django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    with django_capture_on_commit_callbacks() as callbacks:
        result = import_file(kind="workorders", path=path)
        assert result.ok and signals == []  # inside the (test's) transaction: nothing announced yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert [s["months"] for s in signals] == [[dt.date(2026, 3, 1)]]


def test_a_dry_run_is_audited_as_such_and_not_announced(tmp_path, signals, django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = import_file(kind="workorders", path=path, dry_run=True)
    assert result.ok and result.months == [dt.date(2026, 3, 1)]
    assert callbacks == [] and signals == []
    entry = AuditLog.objects.get()
    assert entry.action == "import.dry_run" and entry.after["created"] == 5 and entry.after["dry_run"]
    assert WorkOrder.objects.count() == 0


def test_a_failed_file_is_audited_as_a_failed_attempt_and_not_announced(
        tmp_path, signals, django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "bad.csv", WO_HEADER, [wo("A1"), wo("A2", city="国网长沙市供电公司")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = import_file(kind="workorders", path=path)
    assert not result.ok and callbacks == [] and signals == []
    entry = AuditLog.objects.get()
    assert entry.action == "import.failed"
    assert (entry.after["errors"], entry.after["created"], entry.after["months"]) == (1, 0, [])
    assert entry.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_web_import_is_one_audit_entry_naming_the_uploader(client, tmp_path, eager, signals,
                                                             django_capture_on_commit_callbacks):
    analyst = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
    client.force_login(analyst)
    path = write_table(tmp_path / "march.csv", WO_HEADER, sample_orders())
    check, job = web_import(client, django_capture_on_commit_callbacks, path)
    assert job.status == ImportJob.Status.SUCCEEDED
    # The upload's dry run is on record too; the import itself is one entry.
    dry, entry = _import_entries().order_by("pk")  # (the login is in the log too)
    assert (dry.action, dry.object_id, dry.after["dry_run"]) == ("import.dry_run", str(check.pk), True)
    assert (entry.action, entry.user, entry.username) == ("import.commit", analyst, "analyst")
    assert (entry.object_type, entry.object_id) == ("imports.importjob", str(job.pk))
    assert entry.after == {"file": "march.csv", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                           "kind": "workorders", "rows": 5, "created": 5, "updated": 0, "unchanged": 0,
                           "months": ["2026-03"], "dry_run": False, "errors": 0, "job": job.pk}
    assert [(s["user"], s["source"], s["months"]) for s in signals] == [(analyst, "march.csv", [dt.date(2026, 3, 1)])]


def test_the_web_job_shows_an_unknown_unit(client, tmp_path, eager, django_capture_on_commit_callbacks):
    analyst = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
    client.force_login(analyst)
    path = write_table(tmp_path / "bad.csv", WO_HEADER, [wo(city="国网长沙市供电公司")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "workorders",
                                              "file": SimpleUploadedFile("bad.csv", path.read_bytes())})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and WorkOrder.objects.count() == 0
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "<td>2</td><td>地市单位</td><td>未知单位「国网长沙市供电公司」，最接近的已有单位：国网长沙供电公司" in page
    assert _import_entries().get().action == "import.failed"


def test_an_auditor_lists_imports_but_cannot_post(client, tmp_path):
    analyst = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
    job = ImportJob.objects.create(kind="workorders", file="imports/x.csv", original_name="x.csv",
                                   created_by=analyst, status=ImportJob.Status.SUCCEEDED)
    auditor = User.objects.create_user(username="audit", password="pw-audit-1", role=User.Role.AUDITOR)
    client.force_login(auditor)
    listing = client.get(reverse("imports:list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "x.csv" in page and 'enctype="multipart/form-data"' not in page and "上传并导入" not in page
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("imports:status", args=[job.pk])).json()["id"] == job.pk
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    response = client.post(reverse("imports:list"), {"kind": "workorders",
                                                     "file": SimpleUploadedFile("o.csv", path.read_bytes())})
    assert response.status_code == 403
    assert ImportJob.objects.count() == 1 and WorkOrder.objects.count() == 0


# --- the planner's statistics after an import (imports.services.analyze_statements) -------------------

def test_a_large_load_analyses_its_tables_whole():
    # Into a table never analysed, or one the file grows by a tenth or more: every column's statistics.
    whole = ['ANALYZE "complaints_workorder"', 'ANALYZE "complaints_customer"', 'ANALYZE "grid_district"']
    assert analyze_statements("workorders", written=1_000_000, rows_before=None) == whole
    assert analyze_statements("workorders", written=100_000, rows_before=1_000_000) == whole


def test_a_monthly_increment_analyses_only_the_time_columns_it_extends():
    # 80,000 orders into 1,000,000: below autovacuum's 10 %, yet the new month lies past the histograms.
    assert analyze_statements("workorders", written=80_000, rows_before=1_000_000) == [
        'ANALYZE "complaints_workorder" (accepted_at, dispatched_at, acknowledged_at, closed_at, imported_at)']
    assert analyze_statements("outages", written=20_000, rows_before=500_000) == [
        'ANALYZE "grid_outage" (start_at, end_at)']
    # A small table's kinds re-analyse nothing on a small increment (no ranges a month extends).
    assert analyze_statements("districts", written=10_000, rows_before=200_000) == []


def test_a_small_import_leaves_the_statistics_to_autovacuum():
    assert analyze_statements("workorders", written=9_999, rows_before=None) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_after_an_increment_the_new_month_is_in_the_histogram(tmp_path, monkeypatch):
    from scorecard.imports import services

    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", 5)  # a test-sized "large" import
    with connection.cursor() as cur:
        # pg_class.reltuples is updated in place, so an earlier test's rolled-back rows still count
        # there: start from the empty table this test sees.
        cur.execute("ANALYZE complaints_workorder")
    rows = [wo(f"H{i:03d}", accepted=f"2026-03-{1 + i % 28:02d} 09:00:00", customer=f"C{i:03d}") for i in range(60)]
    assert import_file(kind="workorders", path=write_table(tmp_path / "a.csv", WO_HEADER, rows)).ok
    increment = [wo(f"J{i:03d}", accepted="2026-04-02 09:00:00", customer=f"C{i:03d}") for i in range(5)]
    assert import_file(kind="workorders", path=write_table(tmp_path / "b.csv", WO_HEADER, increment)).ok

    def upper(column: str) -> str:
        with connection.cursor() as cur:
            cur.execute("SELECT histogram_bounds::text, most_common_vals::text FROM pg_stats "
                        "WHERE tablename = 'complaints_workorder' AND attname = %s", [column])
            return " ".join(v or "" for v in cur.fetchone())

    assert "2026-04-02" in upper("accepted_at")  # re-analysed: April is known to the planner
    # The first import analysed every column; the increment only the time columns.
    assert "H059" in upper("order_no") and "J000" not in upper("order_no")
