"""The portal pages: who may do what, the refusal list, downloads audited, rankings for all."""
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scorecard.accounts.models import AuditLog
from scorecard.complaints.models import WorkOrder
from scorecard.kpis.models import Appeal
from scorecard.notices import services
from scorecard.notices.models import Notice
from tests.fixtures.factories import dept

from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(month_data, users) -> Notice:
    notice = services.request_generation(month=MONTH, user=users["analyst"])
    return services.render_notice(notice_id=notice.pk)


@pytest.fixture
def published(draft, users) -> Notice:
    after_appeal_window()
    return services.publish_notice(notice=draft, user=users["analyst"])


def login(client, user):
    client.force_login(user)
    return client


def test_analyst_generates_from_the_page(month_data, users, client, django_capture_on_commit_callbacks):
    login(client, users["analyst"])
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        response = client.post(reverse("notices:generate"), {"month": "2024-10"}, follow=True)
    assert len(hooks) == 1  # the task is sent only once the row is committed
    notice = Notice.objects.get(month=MONTH)
    assert notice.status == "pending" and "已提交 2024-10 通报第1版的生成任务" in response.content.decode()
    assert "data-poll=\"%s\"" % reverse("notices:status", args=[notice.pk]) in response.content.decode()


def test_a_bad_month_is_named(users, client):
    response = login(client, users["analyst"]).post(reverse("notices:generate"), {"month": "2024-13"}, follow=True)
    assert "月份格式应为 YYYY-MM" in response.content.decode()
    assert not Notice.objects.exists()


@pytest.mark.parametrize("role", ["head", "leader", "auditor"])
def test_only_analysts_generate_and_publish(draft, users, client, role):
    login(client, users[role])
    assert client.post(reverse("notices:generate"), {"month": "2024-10"}).status_code == 403
    assert client.post(reverse("notices:publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_department_heads_and_leaders_read_the_draft_they_may_appeal_against(draft, users, client):
    for role in ("head", "leader"):
        response = login(client, users[role]).get(reverse("notices:download", args=[draft.pk]))
        assert response.status_code == 200
        assert "征求意见稿" in unquote(response["Content-Disposition"])  # the name says draft too
        assert client.get(reverse("notices:status", args=[draft.pk])).status_code == 200
        assert "下载" in client.get(reverse("notices:list")).content.decode().split('<table class="notices">')[1]
    assert AuditLog.objects.filter(action="notice.download", user=users["head"]).exists()


def test_nobody_outside_the_command_center_reads_a_correction_draft(published, users, client):
    correction = services.render_notice(notice_id=services.request_generation(
        month=MONTH, user=users["analyst"], correction_note="更正笔误").pk)
    for role in ("head", "leader"):
        # Every URL of a correction draft answers alike: for them it does not exist.
        assert login(client, users[role]).get(reverse("notices:download", args=[correction.pk])).status_code == 404
        assert client.get(reverse("notices:snapshot", args=[correction.pk])).status_code == 404
        assert client.get(reverse("notices:status", args=[correction.pk])).status_code == 404
    assert login(client, users["auditor"]).get(reverse("notices:download", args=[correction.pk])).status_code == 200


def test_every_logged_in_user_downloads_a_published_notice_and_each_download_is_logged(published, users, client):
    for role in ("head", "leader", "auditor"):
        response = login(client, users[role]).get(reverse("notices:download", args=[published.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == (Path(published.file.path)).read_bytes()
    logs = AuditLog.objects.filter(action="notice.download").order_by("id")
    assert [(log.username, log.object_id, log.after["version"], log.after["sha256"]) for log in logs] == [
        (users[r].username, str(published.pk), 1, published.sha256) for r in ("head", "leader", "auditor")]
    assert all(log.at is not None and log.ip == "127.0.0.1" for log in logs)


def test_anonymous_users_are_sent_to_login(published, client):
    response = client.get(reverse("notices:download", args=[published.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_publish_with_pending_appeals_is_refused_with_the_list(draft, month_data, users, client):
    for no in ("GD-CS-2", "GD-CS-0"):
        Appeal.objects.create(work_order=WorkOrder.objects.get(order_no=no), month=MONTH, city=month_data["cs"],
                              from_department=dept("运检"), to_department=dept("调控"), reason="计划停电",
                              filed_by=users["head"])
    after_appeal_window()
    response = login(client, users["analyst"]).post(reverse("notices:publish", args=[draft.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert '<ul class="publish-blockers"><li>尚有未处理的申诉：GD-CS-0、GD-CS-2</li></ul>' in page
    assert 'id="early-publish"' in page and 'name="reason"' in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    # With a reason it is published; the reason is recorded and shown; the appeals close undecided.
    page = client.post(reverse("notices:publish", args=[draft.pk]), {"reason": "省公司要求提前通报"},
                       follow=True).content.decode()
    draft.refresh_from_db()
    assert draft.status == "published" and "提前发布理由：省公司要求提前通报" in page
    assert set(Appeal.objects.values_list("status", flat=True)) == {Appeal.Status.CLOSED}


def test_publish_inside_the_appeal_window_is_refused_without_a_reason(draft, users, client):
    response = login(client, users["analyst"]).post(reverse("notices:publish", args=[draft.pk]))
    assert response.status_code == 409 and "申诉期尚未结束" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publish_from_the_page(draft, users, client):
    after_appeal_window()
    response = login(client, users["analyst"]).post(reverse("notices:publish", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert f"已发布 〔2024〕第10期 第1版，SHA-256：{draft.sha256}" in response.content.decode()
