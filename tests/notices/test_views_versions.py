"""Acceptance gaps closed: every version downloadable and verifiable by an auditor (a
superseded one too), the notice pages' messages in English when the user switched, and
`notice publish --by` accepting whoever the publish button accepts."""
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from scorecard.accounts.models import AuditLog, User
from scorecard.notices import services
from scorecard.notices.models import Notice

from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _draft(user=None, **kwargs) -> Notice:
    return services.render_notice(notice_id=services.request_generation(month=MONTH, user=user, **kwargs).pk)


@pytest.fixture
def corrected(month_data, users):
    first = _draft(users["analyst"])
    after_appeal_window()
    v1 = services.publish_notice(notice=first, user=users["analyst"])
    v2 = services.publish_notice(notice=_draft(users["analyst"], correction_note="更正株洲公司投诉件数"),
                                 user=users["analyst"])
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.corrects_id) == ("superseded", "published", v1.pk)
    return v1, v2


def test_auditor_downloads_and_verifies_a_superseded_version(corrected, users, client):
    v1, v2 = corrected
    client.force_login(users["auditor"])
    bodies = {}
    for notice in (v1, v2):
        response = client.get(reverse("notices:download", args=[notice.pk]))
        assert response.status_code == 200 and notice.filename in unquote(response["Content-Disposition"])
        bodies[notice.version] = b"".join(response.streaming_content)
        assert services.hashlib.sha256(bodies[notice.version]).hexdigest() == notice.sha256
    assert bodies[1] != bodies[2]
    logs = AuditLog.objects.filter(action="notice.download", user=users["auditor"]).order_by("id")
    assert [(log.object_id, log.after["version"]) for log in logs] == [(str(v1.pk), 1), (str(v2.pk), 2)]

    # The superseded file is still recognised as what was published then, and said to be superseded.
    page = client.post(reverse("notices:verify"),
                       {"file": SimpleUploadedFile("old.pdf", bodies[1])}).content.decode()
    assert "与以下已发布版本逐字节一致" in page and v1.sha256 in page and "已被更正" in page
    assert v2.sha256 not in page
    log = AuditLog.objects.filter(action="notice.verify").latest("id")
    assert log.after["matches"] == [v1.pk]


def test_a_published_file_altered_on_disk_no_longer_verifies(corrected, users, client):
    # The record alone proves nothing: the file served must still have the published hash.
    v1, v2 = corrected
    path = Path(v2.file.path)
    original = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(original + b"%tampered\n")
    client.force_login(users["auditor"])
    page = client.post(reverse("notices:verify"), {"file": SimpleUploadedFile("x.pdf", original)}).content.decode()
    assert "不是任何已发布版本" in page


def test_notice_page_messages_follow_the_english_switch(month_data, users, client, django_capture_on_commit_callbacks,
                                                        broker_down):
    client.force_login(users["analyst"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    def flash(response) -> str:
        return " ".join(str(m) for m in response.context["messages"])

    bad_month = flash(client.post(reverse("notices:generate"), {"month": "10/2024"}, follow=True))
    assert bad_month == "Month: The month must be YYYY-MM (years 1900 to 2100), e.g. 2018-03 (got '10/2024')", bad_month
    with django_capture_on_commit_callbacks(execute=True):
        queued = flash(client.post(reverse("notices:generate"), {"month": "2024-10"}, follow=True))
    assert queued == "Generation of the 2024-10 notice, version 1, has been submitted.", queued
    # The broker is down (the on-commit send ran as the block exited): the request is kept,
    # and the list tells the user so in their language.
    assert Notice.objects.get(month=MONTH).stage == services.QUEUE_DOWN
    page = client.get(reverse("notices:list")).content.decode()
    assert "The task queue is unavailable; the request is recorded" in page
    assert services.QUEUE_DOWN not in page
    status = client.get(reverse("notices:status", args=[Notice.objects.get(month=MONTH).pk])).json()
    assert status["stage"].startswith("The task queue is unavailable")
    # Stored untranslated, whatever the language of the request that wrote it: a Chinese
    # reader of the same row sees Chinese.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert services.QUEUE_DOWN in client.get(reverse("notices:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    again = flash(client.post(reverse("notices:generate"), {"month": "2024-10"}, follow=True))
    assert not CJK.search(again.replace("2024-10", "")), again

    notice = Notice.objects.get(month=MONTH)
    services.render_notice(notice_id=notice.pk)
    after_appeal_window()
    published = flash(client.post(reverse("notices:publish", args=[notice.pk]), follow=True))
    assert not CJK.search(published.replace("〔2024〕第10期", "")), published
    assert Notice.objects.get(pk=notice.pk).sha256 in published

    no_file = flash(client.post(reverse("notices:verify"), {}))
    assert no_file and not CJK.search(no_file), no_file


def test_the_command_publishes_for_whoever_the_publish_button_accepts(month_data, users, capsys):
    _draft()
    User.objects.create_user("guanli", password="pw-admin-role", role="admin")
    after_appeal_window()
    call_command("notice", "publish", "--month", "2024-10", "--by", "guanli")
    assert capsys.readouterr().out.startswith("已发布 〔2024〕第10期 第1版\t")
    for role in ("head", "leader", "auditor"):
        with pytest.raises(CommandError, match="不能发布通报"):
            call_command("notice", "publish", "--month", "2024-10", "--by", users[role].username)


def test_auditor_downloads_the_snapshot_and_re_derives_the_published_hash(corrected, users, client):
    import json

    from scorecard.notices.renderer import render_notice_pdf

    v1, v2 = corrected
    client.force_login(users["auditor"])
    for notice in (v1, v2):
        response = client.get(reverse("notices:snapshot", args=[notice.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
        assert unquote(response["Content-Disposition"]).endswith(notice.filename.removesuffix(".pdf") + ".json")
        figures = json.loads(response.content.decode("utf-8"))
        # The figures, rendered again, are the published file byte for byte.
        assert services.hashlib.sha256(render_notice_pdf(figures)).hexdigest() == notice.sha256
    assert v2.correction_note in response.content.decode()  # the last one read: the correction
    logs = AuditLog.objects.filter(action="notice.snapshot", user=users["auditor"]).order_by("id")
    assert [(log.object_id, log.after["version"]) for log in logs] == [(str(v1.pk), 1), (str(v2.pk), 2)]
    page = client.get(reverse("notices:list")).content.decode()
    assert reverse("notices:snapshot", args=[v2.pk]) in page
