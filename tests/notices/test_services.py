"""The notice services on a real database: request, render, idempotency, failure, publish, verify."""
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scorecard.accounts.models import AuditLog
from scorecard.kpis.models import Appeal, ReportingMonth
from scorecard.notices import selectors, services
from scorecard.notices.models import Notice
from scorecard.notices.renderer import render_notice_pdf
from tests.fixtures.factories import dept

from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def _request(user=None, **kwargs) -> Notice:
    # The `db` fixture wraps each test in a transaction, so the on-commit enqueue
    # does not run here: these tests call the task's service directly.
    return services.request_generation(month=MONTH, user=user, **kwargs)


def _rendered(user=None, **kwargs) -> Notice:
    notice = _request(user, **kwargs)
    return services.render_notice(notice_id=notice.pk)


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_request_commits_a_pending_row_and_a_second_request_returns_it(month_data, users):
    first = _request(users["analyst"])
    assert (first.status, first.version, first.number) == ("pending", 1, "〔2024〕第10期")
    again = _request(users["analyst"])
    assert again.pk == first.pk
    assert Notice.objects.filter(month=MONTH).count() == 1
    assert AuditLog.objects.filter(action="notice.generate").count() == 1


def test_the_database_refuses_a_second_working_row_for_a_month(month_data):
    Notice.objects.create(month=MONTH, version=1, status="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(month=MONTH, version=2, status="rendering")


def test_render_writes_the_pdf_stores_its_hash_and_opens_the_appeal_window(month_data, users):
    notice = _rendered(users["analyst"])
    assert notice.status == "draft" and notice.progress == 100
    path = Path(notice.file.path)
    assert path.read_bytes()[:5] == b"%PDF-"
    assert notice.sha256 == services.sha256_of(path) and notice.size == path.stat().st_size
    assert media_files() == ["notices/2024/95598投诉管控通报-2024-10-v1-draft.pdf"]  # no .tmp left behind
    assert notice.snapshot["draft"] is True
    # The stored snapshot re-renders to the very same bytes: the hash can be re-derived.
    assert services.hashlib.sha256(render_notice_pdf(notice.snapshot)).hexdigest() == notice.sha256
    assert notice.snapshot["scorecard"]["units"][0]["unit"] in ("国网长沙供电公司", "国网株洲供电公司")
    assert notice.snapshot["incidents"]["rows"][0]["department"] == "发展"
    assert ReportingMonth.objects.get(month=MONTH).draft_at is not None


def test_the_snapshot_lists_accountable_incidents_and_counts_hazards(month_data, users):
    import re
    import subprocess

    from tests.fixtures.factories import district, reading

    # A second overload in 长沙 that explains no complaint: a 隐患预警.
    reading(district("TQ0003", month_data["cs"]), "2024-10", load=125)
    notice = _rendered(users["analyst"])
    block = notice.snapshot["incidents"]
    assert notice.snapshot["schema"] == selectors.SNAPSHOT_SCHEMA == 3
    assert (block["count"], block["accountable"], block["hazards"], block["hazards_rectified"]) == (2, 1, 1, 0)
    assert block["accountable_by_department"] == [["发展", 1]] and block["hazards_by_department"] == [["发展", 1]]
    assert [(r["district"], r["complaints"], r["due_on"], r["status"]) for r in block["rows"]] == [
        ("TQ0001", 4, "2024-11-30", "open")]  # the hazard is counted, never listed
    assert services.hashlib.sha256(render_notice_pdf(notice.snapshot)).hexdigest() == notice.sha256
    path = Path(notice.file.path)
    flat = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                              text=True).stdout)
    section = flat[flat.index("七、供电瓶颈溯源追责"):flat.index("八、逾期未完成整改事项")]
    assert "TQ0001" in section and "TQ0003" not in section
    assert "（二）隐患预警1起：发展1起。" in section


def test_rendering_twice_yields_one_draft_and_leaves_the_file_alone(month_data):
    notice = _rendered()
    mtime = (Path(notice.file.path)).stat().st_mtime_ns
    again = services.render_notice(notice_id=notice.pk)
    assert again.status == "draft" and again.sha256 == notice.sha256 and again.attempts == 1
    assert Notice.objects.filter(month=MONTH).count() == 1
    assert (Path(notice.file.path)).stat().st_mtime_ns == mtime


def test_a_failing_render_goes_back_to_pending_and_the_task_marks_it_failed(month_data, settings):
    settings.NOTICE_FONT_PATH = "/nonexistent/font.ttf"
    notice = _request()
    with pytest.raises(Exception, match="字体"):
        services.render_notice(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == "pending" and "字体" in notice.error  # a retry can claim it
    services.mark_failed(notice_id=notice.pk, error=notice.error)
    notice.refresh_from_db()
    assert notice.status == "failed" and "/nonexistent/font.ttf" in notice.error
    assert media_files() == []
    # A new request reuses the failed row (same version) and renders it.
    settings.NOTICE_FONT_PATH = ""
    retry = _rendered()
    assert (retry.pk, retry.version, retry.status, retry.error) == (notice.pk, 1, "draft", "")


def test_a_stale_tmp_from_a_crashed_render_is_replaced(month_data):
    notice = _request()
    final = Path(settings.MEDIA_ROOT) / services.notice_path(notice)
    final.parent.mkdir(parents=True)
    Path(str(final) + ".tmp").write_bytes(b"%PDF-1.4 half a fi")
    notice = services.render_notice(notice_id=notice.pk)
    assert media_files() == [services.notice_path(notice)]


def test_a_live_render_is_not_taken_over_but_a_silent_one_is(month_data, settings):
    notice = _request()
    Notice.objects.filter(pk=notice.pk).update(status="rendering", heartbeat_at=services.timezone.now())
    assert services.render_notice(notice_id=notice.pk).status == "rendering"  # another worker is on it
    assert services.resubmit_stale() == []  # its heartbeat is fresh
    Notice.objects.filter(pk=notice.pk).update(
        heartbeat_at=services.timezone.now() - dt.timedelta(seconds=settings.NOTICE_STALE_SECONDS + 1))
    assert services.render_notice(notice_id=notice.pk).status == "draft"


def test_publish_freezes_the_month_and_makes_the_file_read_only(month_data, users):
    draft = _rendered(users["analyst"])
    after_appeal_window()
    published = services.publish_notice(notice=draft, user=users["analyst"])
    assert published.status == "published" and published.published_by == users["analyst"]
    assert ReportingMonth.objects.get(month=MONTH).is_published
    path = Path(published.file.path)
    assert path.stat().st_mode & 0o222 == 0
    assert AuditLog.objects.filter(action="notice.publish", object_id=str(published.pk)).exists()
    # The published file is rendered again, without the draft mark and dated the day of publication.
    assert published.file != draft.file and published.sha256 != draft.sha256
    assert published.snapshot["draft"] is False
    assert published.snapshot["issued_on"] == services.timezone.localdate(published.published_at).isoformat()
    assert services.hashlib.sha256(render_notice_pdf(published.snapshot)).hexdigest() == published.sha256
    with pytest.raises(ValidationError, match="只能发布草稿"):
        services.publish_notice(notice=published, user=users["analyst"])


def test_publishing_with_pending_appeals_is_refused_with_the_list(month_data, users):
    draft = _rendered(users["analyst"])
    from scorecard.complaints.models import WorkOrder

    for no in ("GD-CS-1", "GD-CS-0"):
        Appeal.objects.create(work_order=WorkOrder.objects.get(order_no=no), month=MONTH, city=month_data["cs"],
                              from_department=dept("运检"), to_department=dept("调控"), reason="计划停电",
                              filed_by=users["head"])
    after_appeal_window()
    with pytest.raises(ValidationError) as exc:
        services.publish_notice(notice=draft, user=users["analyst"])
    assert exc.value.code == "early_publish"
    assert "尚有未处理的申诉：GD-CS-0、GD-CS-1" in exc.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == "draft" and not ReportingMonth.objects.get(month=MONTH).is_published


def test_a_draft_whose_figures_moved_cannot_be_published(month_data, users):
    from tests.fixtures.factories import order

    draft = _rendered(users["analyst"])
    order(accepted="2024-10-20 08:00", city_unit=month_data["zz"], order_no="GD-LATE")
    after_appeal_window()
    with pytest.raises(ValidationError) as exc:
        services.publish_notice(notice=draft, user=users["analyst"])
    assert exc.value.code == "stale_draft"
    assert not ReportingMonth.objects.get(month=MONTH).is_published  # the freeze was rolled back
    fresh = _rendered(users["analyst"])
    after_appeal_window()
    assert services.publish_notice(notice=fresh, user=users["analyst"]).status == "published"


def test_a_correction_is_a_new_version_and_the_old_file_stays(month_data, users):
    first = _rendered(users["analyst"])
    after_appeal_window()
    v1 = services.publish_notice(notice=first, user=users["analyst"])
    v1_bytes = (Path(v1.file.path)).read_bytes()
    with pytest.raises(ValidationError) as exc:
        _request(users["analyst"])
    assert exc.value.code == "correction_note_required"
    v2 = _rendered(users["analyst"], correction_note="更正第二部分分类占比的笔误")
    assert (v2.version, v2.corrects_id, v2.status) == (2, v1.pk, "draft")
    assert v2.snapshot["correction"] == {"corrects_version": 1, "corrects_sha256": v1.sha256,
                                         "note": "更正第二部分分类占比的笔误", "late": [], "changes": []}
    v2 = services.publish_notice(notice=v2, user=users["analyst"])
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "published")
    assert (Path(v1.file.path)).read_bytes() == v1_bytes
    assert v1.file != v2.file and v1.sha256 != v2.sha256


def test_verify_matches_only_byte_identical_published_files(month_data, users):
    draft = _rendered(users["analyst"])
    draft_bytes = (Path(draft.file.path)).read_bytes()
    digest, matches = services.verify_upload(fileobj=io.BytesIO(draft_bytes), user=users["auditor"])
    assert matches == []  # a draft is not a published version
    after_appeal_window()
    published = services.publish_notice(notice=draft, user=users["analyst"])
    assert services.verify_upload(fileobj=io.BytesIO(draft_bytes), user=users["auditor"])[1] == []  # still not
    data = (Path(published.file.path)).read_bytes()
    digest, matches = services.verify_upload(fileobj=io.BytesIO(data), user=users["auditor"])
    assert digest == published.sha256 and matches == [published]
    _digest, matches = services.verify_upload(fileobj=io.BytesIO(data + b"\n"), user=users["auditor"])
    assert matches == []
    logs = AuditLog.objects.filter(action="notice.verify").order_by("id")
    assert [log.after["matches"] for log in logs] == [[], [], [published.pk], []]


def test_broker_down_keeps_the_request_pending_with_a_message(month_data, users, broker_down,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.request_generation(month=MONTH, user=users["analyst"])
    notice.refresh_from_db()  # the hook ran when the block exited, as at a real commit
    assert (notice.status, notice.stage, notice.enqueued_at) == ("pending", services.QUEUE_DOWN, None)
    assert services.resubmit_stale() == []  # still down: still pending, nothing lost
    assert Notice.objects.get(pk=notice.pk).status == "pending"


def test_snapshot_is_plain_json(month_data):
    notice = _rendered()
    assert json.loads(json.dumps(notice.snapshot)) == notice.snapshot


def test_the_rendered_draft_passes_pdffonts_pdftotext_and_qpdf(month_data):
    import re
    import subprocess

    notice = _rendered()
    path = str(Path(notice.file.path))
    fonts = subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" and "Helvetica" not in row and "Times" not in row for row in fonts)
    assert subprocess.run(["qpdf", "--check", path], capture_output=True).returncode == 0
    text = subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True).stdout
    ranking = text[text.index("四、地市公司排名"):text.index("五、责任单位排名")]
    names = [u["unit"] for u in notice.snapshot["scorecard"]["units"]]
    assert sorted(names, key=ranking.index) == names and len(names) == 2
    assert "〔2024〕第10期" in re.sub(r"\s+", "", text)


def test_the_task_is_configured_for_crashes_and_transient_errors():
    from django.db import OperationalError

    from scorecard.notices.tasks import HARD_TIME_LIMIT, generate_notice

    assert generate_notice.acks_late and generate_notice.reject_on_worker_lost
    assert OperationalError in generate_notice.autoretry_for and OSError in generate_notice.autoretry_for
    assert generate_notice.retry_backoff and generate_notice.max_retries == 3
    assert generate_notice.soft_time_limit < generate_notice.time_limit == HARD_TIME_LIMIT
    assert settings.NOTICE_STALE_SECONDS > HARD_TIME_LIMIT  # the sweeper never takes over a live render


def test_the_task_marks_the_row_failed_when_it_gives_up(month_data):
    from scorecard.notices.tasks import generate_notice

    notice = _request()
    generate_notice.on_failure(OSError("disk full"), "task-id", (notice.pk,), {}, None)
    notice.refresh_from_db()
    assert (notice.status, notice.error) == ("failed", "OSError: disk full")


def test_overdue_items_are_those_that_exist_a_hazard_of_an_earlier_month_has_none(month_data):
    from scorecard.grid.models import District
    from scorecard.kpis.services import trace_month
    from scorecard.notices.selectors import overdue_block
    from tests.fixtures.factories import order, reading

    september = dt.date(2024, 9, 1)
    d2 = District.objects.get(code="TQ0002")
    reading(d2, "2024-09", load=130)  # September overload; its only complaint (服务) is not linked: 隐患预警
    trace_month(month=september)
    assert overdue_block(MONTH, dt.date(2024, 11, 5)) == {"count": 0, "rows": []}
    order(accepted="2024-09-21 09:00", city_unit=month_data["zz"], category="供电质量", subcategory="频繁停电",
          district_obj=d2, order_no="GD-ZZ-LINK")
    trace_month(month=september)  # now a 追责事件: its item is due 2024-10-30, not done by 11-05
    block = overdue_block(MONTH, dt.date(2024, 11, 5))
    assert block["count"] == 1 and [(r["district"], r["due_on"], r["days_overdue"]) for r in block["rows"]] == [
        ("TQ0002", "2024-10-30", 6)]
