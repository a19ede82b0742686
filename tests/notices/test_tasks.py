"""With a real Celery worker (not eager mode) on the test broker: the embedded
filesystem broker by default, Redis when CELERY_BROKER_URL points at it."""
import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from scorecard.accounts.models import AuditLog
from scorecard.notices import services
from scorecard.notices.models import Notice

from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH, wait_for

# serialized_rollback: the migrations' seeded rows (taxonomy, departments) come back after a
# transactional test flushed them, before this module's fixtures build their data.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]


def notice_in(status: str | tuple, pk: int, timeout: float = 90) -> Notice:
    statuses = (status,) if isinstance(status, str) else status

    def check():
        n = Notice.objects.get(pk=pk)
        return n if n.status in statuses else None
    return wait_for(check, timeout=timeout, what=f"notice {pk} to be {status}")


def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page, as pdftotext (poppler) reads it: the marks are text, not pictures."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in out.split("\f") if page.strip()]


def pdf_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_generate_render_publish_download_verify(month_data, users, celery_worker_process, client):
    client.force_login(users["analyst"])
    response = client.post(reverse("notices:generate"), {"month": "2024-10"})
    assert response.status_code == 302
    notice = Notice.objects.get(month=MONTH)
    notice = notice_in(("draft", "failed"), notice.pk)
    assert notice.status == "draft", notice.error
    path = Path(notice.file.path)
    assert path.is_file() and services.sha256_of(path) == notice.sha256
    assert [p.name for p in pdf_files()] == [path.name]
    assert "notices.generate_notice" in celery_worker_process.log()
    draft_pages = pdf_pages_text(path)
    assert len(draft_pages) > 1 and all("征求意见稿" in page for page in draft_pages)  # the mark on every page

    after_appeal_window()
    response = client.post(reverse("notices:publish", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "published" and notice.number == "〔2024〕第10期"
    # The published file: rendered again without the mark, dated the day of publication; the draft is gone.
    published_path = Path(notice.file.path)
    assert pdf_files() == [published_path]
    text = "".join(pdf_pages_text(published_path))
    assert "征求意见稿" not in text
    day = services.timezone.localdate(notice.published_at)
    # The 落款 (issuer over the date of publication) and the 版记's 印发 date.
    flat = "".join(text.split())
    date = f"{day.year}年{day.month}月{day.day}日"
    assert f"{settings.SCORECARD_ISSUER}{date}" in flat and f"{date}印发" in flat

    client.force_login(users["auditor"])
    response = client.get(reverse("notices:download", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert services.hashlib.sha256(body).hexdigest() == notice.sha256
    log = AuditLog.objects.get(action="notice.download")
    assert (log.user, log.object_id, log.after["version"]) == (users["auditor"], str(notice.pk), 1)

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("notices:verify"),
                           {"file": SimpleUploadedFile("held.pdf", body, content_type="application/pdf")})
    assert "与以下已发布版本逐字节一致" in response.content.decode()
    assert notice.sha256 in response.content.decode()


def test_a_worker_killed_mid_render_leaves_no_partial_file_and_the_next_one_finishes(month_data, celery_worker_factory):
    first = celery_worker_factory(app="tests.fixtures.slow_render", SLOW_RENDER_SECONDS=60)
    notice = services.request_generation(month=MONTH)
    # The PDF is complete in <name>.tmp and the worker sleeps before moving it into place.
    wait_for(lambda: Notice.objects.get(pk=notice.pk).progress == 90, timeout=90, what="the render's last step")
    first.kill()
    assert [p.name for p in pdf_files()] == ["95598投诉管控通报-2024-10-v1-draft.pdf.tmp"]
    assert Notice.objects.get(pk=notice.pk).status == "rendering"

    # The next worker finds the render without heartbeat and sends it again
    # (the filesystem broker has already dropped the message; Redis would
    # redeliver it only after its visibility timeout — the task is idempotent either way).
    # It only takes over a render silent for longer than the stale period (1 s here):
    # on a fast machine a worker is up in under a second, so wait that out first,
    # else it rightly leaves the render to its (apparently live) owner.
    stale = dt.timedelta(seconds=1)
    wait_for(lambda: timezone.now() - Notice.objects.get(pk=notice.pk).heartbeat_at > stale * 2,
             timeout=30, what="the killed render's heartbeat to go stale")
    celery_worker_factory(NOTICE_STALE_SECONDS=int(stale.total_seconds()))
    done = notice_in(("draft", "failed"), notice.pk)
    assert done.status == "draft", done.error
    assert done.attempts == 2
    assert Notice.objects.filter(month=MONTH).count() == 1
    assert [p.name for p in pdf_files()] == ["95598投诉管控通报-2024-10-v1-draft.pdf"]
    assert services.sha256_of(pdf_files()[0]) == done.sha256


def test_broker_down_when_generate_is_pressed_then_sent_when_it_returns(month_data, users, broker_down, client,
                                                                        celery_worker_factory):
    client.force_login(users["analyst"])
    response = client.post(reverse("notices:generate"), {"month": "2024-10"}, follow=True)
    assert services.QUEUE_DOWN in response.content.decode()
    notice = Notice.objects.get(month=MONTH)
    assert (notice.status, notice.enqueued_at) == ("pending", None)

    broker_down()  # the broker is back
    celery_worker_factory()  # a starting worker resubmits what the broker never got (so does beat, every minute)
    done = notice_in(("draft", "failed"), notice.pk)
    assert done.status == "draft", done.error
    assert done.enqueued_at is not None and Notice.objects.filter(month=MONTH).count() == 1


def test_a_second_generate_while_one_is_running_returns_the_running_one(month_data, users, client, celery_worker_factory):
    celery_worker_factory(app="tests.fixtures.slow_render", SLOW_RENDER_SECONDS=2)
    client.force_login(users["analyst"])
    client.post(reverse("notices:generate"), {"month": "2024-10"})
    notice = Notice.objects.get(month=MONTH)
    wait_for(lambda: Notice.objects.get(pk=notice.pk).status == "rendering", timeout=90, what="rendering")
    status = client.get(reverse("notices:status", args=[notice.pk])).json()
    assert status["running"] and status["status"] == "rendering" and 0 < status["progress"] < 100

    response = client.post(reverse("notices:generate"), {"month": "2024-10"}, follow=True)
    assert "已在生成中" in response.content.decode()
    done = notice_in(("draft", "failed"), notice.pk)
    assert done.status == "draft" and done.attempts == 1
    assert Notice.objects.filter(month=MONTH).count() == 1


def test_the_task_gives_up_on_a_permanent_error_and_the_analyst_sees_it(month_data, users, client, celery_worker_factory):
    celery_worker_factory(NOTICE_FONT_PATH="/nonexistent/notice-font.ttf")
    notice = services.request_generation(month=MONTH, user=users["analyst"])
    failed = notice_in(("failed", "draft"), notice.pk)
    assert failed.status == "failed" and "/nonexistent/notice-font.ttf" in failed.error
    assert pdf_files() == []
    client.force_login(users["analyst"])
    page = client.get(reverse("notices:list")).content.decode()
    assert "生成失败" in page and "/nonexistent/notice-font.ttf" in page


def test_notice_command_generate_wait_then_publish(month_data, users, celery_worker_process, capsys):
    call_command("notice", "generate", "--month", "2024-10", "--wait", "--timeout", "90")
    path, digest = capsys.readouterr().out.strip().split("\t")
    notice = Notice.objects.get(month=MONTH)
    assert (Path(path), digest) == (Path(notice.file.path), notice.sha256)
    assert services.sha256_of(Path(path)) == digest
    after_appeal_window()
    call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    assert "已发布 〔2024〕第10期 第1版" in capsys.readouterr().out
    assert Notice.objects.get(pk=notice.pk).status == "published"
