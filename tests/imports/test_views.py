"""Web import: upload → ImportJob → Celery task → job page with status, progress and errors."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.celery import app as celery_app
from scorecard.imports import services
from scorecard.complaints.models import WorkOrder
from scorecard.imports.models import ImportJob
from scorecard.imports.tasks import run_import

from tests.fixtures.import_files import WO_HEADER, sample_orders, web_import, wo, write_table

# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


@pytest.fixture
def analyst(client):
    user = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
    client.force_login(user)
    return user


@pytest.fixture
def eager():
    # Run .delay() in-process for this unit test; the real worker is tested by the harness.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _upload(client, path, kind="workorders"):
    data = {"kind": kind, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    return client.post(reverse("imports:list"), data)


def test_analyst_upload_is_checked_then_confirmed_and_imported(client, analyst, tmp_path, eager,
                                                              django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders(), encoding="gbk")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(client, path)
    # The check is queued only once the job row is committed; a dry run announces nothing.
    assert len(callbacks) == 1
    check = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[check.pk])
    assert (check.kind, check.original_name, check.created_by, check.dry_run) == ("workorders", "orders.csv",
                                                                                 analyst, True)
    assert check.status == ImportJob.Status.SUCCEEDED and "仅校验" in check.message
    assert (check.rows_done, check.created, check.errors) == (5, 5, [])
    assert WorkOrder.objects.count() == 0  # nothing written before the analyst confirms
    page = client.get(reverse("imports:detail", args=[check.pk])).content.decode()
    assert "确认导入" in page and reverse("imports:confirm", args=[check.pk]) in page

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("imports:confirm", args=[check.pk]))
    # The real import is queued on commit (the first callback); it announces its own commit (the second)
    # and schedules the warm-up of the read-outs it moved (the third, core.freshness).
    assert len(callbacks) == 3
    job = ImportJob.objects.get(confirms=check)
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    assert (job.file.name, job.original_name, job.dry_run, job.created_by) == (check.file.name, "orders.csv",
                                                                              False, analyst)
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.rows_done, job.rows_total, job.created, job.updated, job.errors) == (5, 5, 5, 0, [])
    assert job.finished_at is not None
    assert WorkOrder.objects.count() == 5

    status = client.get(reverse("imports:status", args=[job.pk])).json()
    assert status["finished"] and status["status"] == "succeeded" and status["percent"] == 100
    assert (status["rows_done"], status["created"], status["updated"], status["unchanged"]) == (5, 5, 0, 0)
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "成功" in page and "新增 5" in page and "确认导入</button>" not in page
    listing = client.get(reverse("imports:list")).content.decode()
    assert "orders.csv" in listing and "95598工单" in listing
    # The check's page now links to the import it became, and a second confirmation imports nothing more.
    assert reverse("imports:detail", args=[job.pk]) in client.get(reverse("imports:detail", args=[check.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("imports:confirm", args=[check.pk]))
    assert again["Location"] == reverse("imports:detail", args=[job.pk]) and ImportJob.objects.count() == 2

    # The same file again: nothing changes, and the page says so.
    _, again = web_import(client, django_capture_on_commit_callbacks, path)
    assert again.status == "succeeded" and (again.created, again.updated) == (0, 0)
    assert client.get(reverse("imports:status", args=[again.pk])).json()["unchanged"] == 5


def test_only_a_passed_check_can_be_confirmed(client, analyst, tmp_path, eager, django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "bad.csv", WO_HEADER, [wo("A1", btype="投拆")])
    check, job = web_import(client, django_capture_on_commit_callbacks, path)
    assert check.status == "failed" and job is None
    assert "确认导入</button>" not in client.get(reverse("imports:detail", args=[check.pk])).content.decode()
    response = client.post(reverse("imports:confirm", args=[check.pk]), follow=True)
    assert "只有校验通过的文件才能确认导入" in response.content.decode()
    assert ImportJob.objects.count() == 1 and WorkOrder.objects.count() == 0
    assert client.get(reverse("imports:confirm", args=[check.pk])).status_code == 405


def test_bad_file_shows_row_errors_on_the_job_page(client, analyst, tmp_path, eager,
                                                   django_capture_on_commit_callbacks):
    path = write_table(tmp_path / "bad.csv", WO_HEADER, [wo("A1"), wo("A2", sub="服务态度")])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    reason = "二级分类“服务态度”不属于一级分类“供电质量”（如为新分类，请先导入分类目录：import_data taxonomy）"
    assert job.errors == [{"row": 3, "column": "二级分类", "reason": reason}]
    assert WorkOrder.objects.count() == 0
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "失败" in page
    assert f"<td>3</td><td>二级分类</td><td>{reason}</td>" in page
    assert client.get(reverse("imports:status", args=[job.pk])).json()["errors"][0]["row"] == 3


def test_running_job_reports_progress_from_the_progress_file(client, analyst, tmp_path):
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    job = services.create_import_job(kind="workorders", uploaded_file=SimpleUploadedFile("o.csv", path.read_bytes()),
                                     dry_run=False, user=analyst)  # (the confirmed import's job)
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_total=10)
    services.write_progress(job.pk, 4)
    status = client.get(reverse("imports:status", args=[job.pk])).json()
    assert (status["status"], status["rows_done"], status["rows_total"], status["percent"]) == ("running", 4, 10, 40)
    assert not status["finished"]
    # The task itself (called directly) finishes the job and removes the progress file.
    assert run_import(job.pk) == "succeeded"
    assert services.read_progress(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("succeeded", 5)
    assert run_import(job.pk) == "succeeded"  # a redelivered message does not import twice


def test_invalid_upload_form(client, analyst):
    response = client.post(reverse("imports:list"), {"kind": "workorders",
                                                     "file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.status_code == 200
    assert "只支持 .csv 和 .xlsx 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("role", [User.Role.ADMIN])  # heads and leaders: tests/accounts/test_access_matrix.py
def test_non_analysts_get_403(client, tmp_path, role):
    user = User.objects.create_user(username="someone", password="pw-someone-1", role=role)
    client.force_login(user)
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    assert client.get(reverse("imports:list")).status_code == 403
    assert _upload(client, path).status_code == 403
    assert not ImportJob.objects.exists()


def test_superuser_may_upload(client, tmp_path):
    admin = User.objects.create_superuser(username="root", password="pw-root-1", role=User.Role.AUDITOR)
    client.force_login(admin)
    path = write_table(tmp_path / "orders.csv", WO_HEADER, sample_orders())
    assert _upload(client, path).status_code == 302
    assert ImportJob.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
