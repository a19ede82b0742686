"""Writes of the notices app: request, render, publish, verify, download.

The flow keeps one promise: a request is never lost and a published file is
never changed.

- ``request_generation`` commits the row first and sends the task only after
  the commit (``transaction.on_commit``); if the broker is down the row stays
  ``pending`` with a message, and ``resubmit_stale`` (beat, every minute, and
  at worker start) sends it when the broker is back.
- ``render_notice`` claims the row (pending → rendering, or a rendering row
  whose worker stopped sending heartbeats), renders the PDF in memory, writes
  it to ``<name>.tmp`` and moves it into place with ``os.replace`` (atomic on
  one filesystem), then stores its SHA-256. It is idempotent: a draft whose
  file matches its hash is left alone, so a redelivered task is harmless.
- ``publish_notice`` freezes the month (kpis ``publish_month``) and checks that
  the frozen figures are the ones the draft shows; a correction supersedes the
  previous published version and keeps its file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scorecard.accounts import audit, notifications
from scorecard.core import freshness
from scorecard.core.months import LOCAL_TZ, label
from scorecard.core.tasks import BROKER_ERRORS, task
from scorecard.kpis.models import LateData, ReportingMonth
from scorecard.kpis.selectors import is_published
from scorecard.kpis.services import (
    declare_cutoff,
    open_draft,
    publish_month,
    reopen_for_correction,
    trace_month,
)

from . import selectors
from .models import Notice, NoticeSettings, notice_number, notice_storage
from .renderer import render_notice_pdf

logger = logging.getLogger(__name__)

# ``Notice.stage`` is stored untranslated (gettext_noop: a catalogue msgid, whatever the
# language of the request or worker that wrote it); pages translate it on display.
QUEUE_DOWN = gettext_noop("任务队列暂不可用，已记录请求，恢复后将自动提交")
# A web request must not hang on a dead broker: a few quick tries, then the
# row waits for resubmit_stale.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def stale_seconds() -> int:
    """A rendering row without a heartbeat for this long lost its worker (crash, SIGKILL).

    Larger than the task's hard time limit, so a live render is never taken over.
    """
    return int(getattr(settings, "NOTICE_STALE_SECONDS", 600))


# --- request ----------------------------------------------------------------------------------------

def request_generation(*, month: dt.date, user=None, correction_note: str = "") -> Notice:
    """The month's working notice, (re)queued for rendering.

    - a render already queued or running: that row is returned unchanged (no second render);
    - a draft or a failed row: re-rendered in place (drafts are not final; figures may have moved);
    - a month with a published notice: a correction (new version), which needs ``correction_note``.
    The task is sent after the commit; if the broker is down the row keeps ``stage`` = QUEUE_DOWN.
    """
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            notice = _request(month=month, user=user, correction_note=correction_note.strip())
    except IntegrityError:
        # A concurrent request created the month's working row first: that one runs.
        notice = selectors.working_notice(month)
        if notice is None:
            raise
        return notice
    notice.refresh_from_db()
    return notice


def _request(*, month: dt.date, user, correction_note: str) -> Notice:
    working = Notice.objects.select_for_update().filter(month=month, status__in=Notice.WORKING).first()
    if working is not None and working.is_running:
        return working
    published = selectors.latest_published(month)
    if published is None:
        declare_cutoff(month=month, user=user, auto=True)  # recorded as declared by the draft step
    if published is not None and not correction_note:
        raise ValidationError(
            _("%(month)s 的通报已发布（%(number)s 第%(version)s版），已发布版本不可修改；如需更正，请填写更正说明生成更正版")
            % {"month": label(month), "number": published.number, "version": published.version},
            code="correction_note_required")
    now = timezone.now()
    fields = dict(status=Notice.Status.PENDING, progress=0, stage=gettext_noop("排队中"), error="",
                  requested_by=user, requested_at=now, enqueued_at=None, started_at=None, heartbeat_at=None,
                  corrects=published, correction_note=correction_note if published else "")
    if working is None and published is not None:
        fields["requirements"] = published.requirements  # a correction starts from what was published
    if working is not None:  # a draft or a failed render: same version, rendered again
        for key, value in fields.items():
            setattr(working, key, value)
        working.save()
        notice = working
    else:
        version = (Notice.objects.filter(month=month).aggregate(v=Max("version"))["v"] or 0) + 1
        notice = Notice.objects.create(month=month, version=version, number=notice_number(month), **fields)
    audit.record(user=user, action="notice.generate", obj=notice,
                 summary=f"申请生成 {label(month)} 通报第{notice.version}版" + ("（更正）" if published else ""),
                 after={"month": label(month), "version": notice.version,
                        "corrects": published.version if published else None})
    transaction.on_commit(lambda pk=notice.pk: send_render(pk))
    return notice


def render_pdf(snapshot: dict) -> bytes:
    """The renderer with the font files of the settings (empty: the Debian files)."""
    return render_notice_pdf(snapshot, font_path=getattr(settings, "NOTICE_FONT_PATH", "") or None,
                             serif_path=getattr(settings, "NOTICE_SERIF_FONT_PATH", "") or None,
                             kai_path=getattr(settings, "NOTICE_KAI_FONT_PATH", "") or None)


def send_render(notice_id: int) -> bool:
    """Send the render task; on a broker error keep the row pending with a message."""
    try:
        task("notices.generate_notice").send_now(notice_id, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as exc:
        logger.warning("notice %s: broker unavailable, left pending: %s", notice_id, exc)
        Notice.objects.filter(pk=notice_id, status=Notice.Status.PENDING).update(
            stage=QUEUE_DOWN, enqueued_at=None)
        return False
    Notice.objects.filter(pk=notice_id).update(enqueued_at=timezone.now())
    Notice.objects.filter(pk=notice_id, status=Notice.Status.PENDING).update(
        stage=gettext_noop("已提交队列，等待执行"))
    return True


def resubmit_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Send again what no worker is working on: requests the broker never got,
    requests queued for longer than the stale period, and renders whose worker died."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds())
    ids = list(Notice.objects.filter(
        Q(status=Notice.Status.PENDING, enqueued_at__isnull=True)
        | Q(status=Notice.Status.PENDING, enqueued_at__lt=cutoff)
        | Q(status=Notice.Status.RENDERING, heartbeat_at__lt=cutoff)
    ).order_by("pk").values_list("pk", flat=True))
    return [pk for pk in ids if send_render(pk)]


# --- render -----------------------------------------------------------------------------------------

def notice_path(notice: Notice, *, draft: bool = True) -> str:
    """A name in the notices storage; one file per version and state (the draft with its mark, the
    published file without), so publishing never overwrites another version."""
    name = f"95598投诉管控通报-{notice.month:%Y-%m}-v{notice.version}{'-draft' if draft else ''}.pdf"
    return f"notices/{notice.month:%Y}/{name}"


def _write_file(relative: str, pdf: bytes) -> None:
    """The whole file under a temporary name, then moved into place (atomic on one filesystem):
    a crash leaves at most a .tmp (overwritten by the next attempt), never a truncated PDF."""
    if Notice.objects.filter(file=relative, status__in=Notice.FINAL).exists():
        raise RuntimeError(f"refusing to overwrite the published file {relative}")
    final = Path(notice_storage().path(relative))
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        # A full or failing volume (ENOSPC, EIO): leave no partial .tmp taking up the space
        # that the retry, or the other notices on the same volume, will need.
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, final)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_intact(notice: Notice) -> bool:
    if not notice.file or not notice.sha256:
        return False
    path = Path(notice.file.path)
    return path.is_file() and sha256_of(path) == notice.sha256


def _claim(notice_id: int) -> bool:
    """pending → rendering, or take over a rendering row whose worker went silent."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds())
    return bool(Notice.objects.filter(
        Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.RENDERING, heartbeat_at__lt=cutoff), pk=notice_id,
    ).update(status=Notice.Status.RENDERING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
             progress=5, stage=gettext_noop("开始生成"), error=""))


def _progress(notice_id: int, progress: int, stage: str) -> None:
    Notice.objects.filter(pk=notice_id, status=Notice.Status.RENDERING).update(
        progress=progress, stage=stage, heartbeat_at=timezone.now())


def render_notice(*, notice_id: int) -> Notice:
    """Render the notice's PDF (the work of the Celery task). Safe to run twice."""
    notice = Notice.objects.get(pk=notice_id)
    if notice.status == Notice.Status.DRAFT and file_intact(notice):
        return notice  # already done: a redelivered or duplicated task
    if notice.status not in Notice.RUNNING or not _claim(notice_id):
        return notice  # final, failed, or being rendered by a live worker
    try:
        return _render(Notice.objects.select_related("corrects").get(pk=notice_id))
    except Exception as exc:
        # Back to pending so that the task's retry can claim it again; the task
        # marks it failed if it gives up.
        Notice.objects.filter(pk=notice_id, status=Notice.Status.RENDERING).update(
            status=Notice.Status.PENDING, stage=gettext_noop("出错，等待重试"),
            error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _draft_figures(notice: Notice, issued_on: dt.date) -> dict:
    """The draft's snapshot. Generating a draft is one of tracing's triggers (its inputs may
    have changed since the last import). A correction of a published month is computed from
    current data inside a transaction that is rolled back: the published month stays as it
    is until the correction itself is published."""
    month = notice.month
    if notice.corrects_id:
        with transaction.atomic():
            reopen_for_correction(month=month)
            trace_month(month=month, user=notice.requested_by, reason="correction draft")
            snapshot = selectors.build_snapshot(notice, issued_on=issued_on)
            transaction.set_rollback(True)
        return snapshot
    if not is_published(month):
        trace_month(month=month, user=notice.requested_by, reason="draft")
    # The current data version, never the previous one that pages may still show while a warm-up
    # is pending: a draft rendered right after an accepted appeal must contain it (and publication
    # compares the draft with the figures it freezes from current data).
    with freshness.warming_up():
        return selectors.build_snapshot(notice, issued_on=issued_on)


def _render(notice: Notice) -> Notice:
    issued_on = timezone.localdate(timezone.now(), LOCAL_TZ)
    _progress(notice.pk, 15, gettext_noop("溯源并汇总考核数据"))
    snapshot = _draft_figures(notice, issued_on)
    _progress(notice.pk, 60, gettext_noop("排版 PDF"))
    pdf = render_pdf(snapshot)
    _progress(notice.pk, 85, gettext_noop("写入文件"))
    relative = notice_path(notice)
    _write_file(relative, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != Notice.Status.RENDERING:
            return locked  # taken over meanwhile; the other attempt records its own result
        rerendered = locked.generated_at is not None  # a draft rendered again (an accepted appeal, new data)
        locked.status, locked.file, locked.sha256, locked.size = Notice.Status.DRAFT, relative, digest, len(pdf)
        locked.snapshot, locked.generated_at = snapshot, timezone.now()
        locked.progress, locked.stage, locked.error = 100, gettext_noop("已生成"), ""
        locked.save()
        if not is_published(notice.month):
            open_draft(month=notice.month)  # the first draft opens the appeal window
        audit.record(action="notice.render", obj=locked, summary=f"生成 {label(notice.month)} 通报第{locked.version}版",
                     after={"sha256": digest, "size": len(pdf), "file": relative})
        if rerendered:
            notifications.draft_updated(locked)
    return locked


def mark_failed(*, notice_id: int, error: str) -> None:
    """The task gave up: the analyst sees the error on the notice list."""
    Notice.objects.filter(pk=notice_id, status__in=Notice.RUNNING).update(
        status=Notice.Status.FAILED, stage=gettext_noop("生成失败"), error=error[:2000],
        heartbeat_at=timezone.now())


# --- publish ----------------------------------------------------------------------------------------

def latest_draft(month: dt.date) -> Notice | None:
    return Notice.objects.filter(month=month, status=Notice.Status.DRAFT).first()


@transaction.atomic
def publish_notice(*, notice: Notice, user, reason: str = "") -> Notice:
    """Publish a draft.

    The first publication of a month freezes its figures (kpis ``publish_month``: refused
    inside the appeal window or with undecided appeals unless ``reason`` is given, code
    ``early_publish``); a correction re-freezes the month from current data and supersedes
    the published version, whose file stays. The published file is rendered again from the
    draft's figures without the draft mark and with the date of publication.
    """
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(_("只能发布草稿（当前状态：%(s)s）") % {"s": notice.get_status_display()},
                              code="not_draft")
    if not file_intact(notice):
        raise ValidationError(_("草稿文件缺失或与记录的 SHA-256 不一致，请重新生成"), code="file_mismatch")
    month = notice.month
    if notice.corrects_id:
        reopen_for_correction(month=month)
        publish_month(month=month, user=user, correction=True)
    elif not is_published(month):
        publish_month(month=month, user=user, reason=reason)  # may raise early_publish; rolls back with us
    rm = ReportingMonth.objects.get(month=month)
    frozen = selectors._plain({"scorecard": rm.scorecard,
                               "incidents": selectors.incident_block(selectors._plain(rm.trace or {}))})
    if selectors.figures_digest(frozen) != selectors.figures_digest(notice.snapshot):
        raise ValidationError(_("草稿生成后考核数据已变化，草稿与冻结数据不一致，请重新生成草稿后再发布"),
                              code="stale_draft")
    now = timezone.now()
    issued_on = timezone.localdate(now, LOCAL_TZ)
    snapshot = {**notice.snapshot, "draft": False, "issued_on": issued_on.isoformat(),
                "overdue": selectors._plain(selectors.overdue_block(month, issued_on))}
    warnings = selectors.publish_warnings(notice)
    if snapshot.get("schema", 1) >= 3:
        # The 主送, 版记 and 工作要求 as they stand at publication (text, not figures).
        document = selectors.document_block(notice)
        snapshot.update(document=document, issuer=document["issuer"])
    pdf = render_pdf(snapshot)
    relative, draft_file = notice_path(notice, draft=False), notice.file.name
    _write_file(relative, pdf)
    # The file exists before the row says so; if anything below fails the transaction rolls
    # back and the file goes with it (no published-looking file without its record).
    transaction.on_commit(lambda: notice_storage().delete(draft_file))
    try:
        previous = list(Notice.objects.select_for_update().filter(month=month, status=Notice.Status.PUBLISHED)
                        .exclude(pk=notice.pk))
        for old in previous:
            old.status = Notice.Status.SUPERSEDED
            old.save(update_fields=["status"])
        notice.status, notice.published_by, notice.published_at = Notice.Status.PUBLISHED, user, now
        notice.file, notice.sha256, notice.size = relative, hashlib.sha256(pdf).hexdigest(), len(pdf)
        notice.snapshot = snapshot
        notice.number = notice_number(month)
        notice.stage = gettext_noop("已发布")
        notice.save()
        if notice.corrects_id:
            LateData.objects.filter(month=month, included_in_version__isnull=True).update(
                included_in_version=notice.version)
    except BaseException:
        notice_storage().delete(relative)
        raise
    # Defence in depth: nothing in the code writes a published file, and the OS says so too.
    try:
        os.chmod(notice.file.path, 0o444)
    except OSError:
        logger.warning("could not make %s read-only", notice.file)
    audit.record(user=user, action="notice.publish", obj=notice,
                 summary=f"发布 {notice.number} 第{notice.version}版" + (f"（提前发布：{reason}）" if rm.publish_reason else ""),
                 before={"superseded": [o.version for o in previous]},
                 after={"version": notice.version, "sha256": notice.sha256, "reason": rm.publish_reason,
                        "corrects": notice.corrects.version if notice.corrects_id else None,
                        "requirements": bool(notice.requirements.strip()), "warnings": warnings})
    notifications.notice_published(notice)
    return notice


# --- the document's text: 工作要求 and the settings -----------------------------------------------

@transaction.atomic
def set_requirements(*, notice: Notice, text: str, user) -> Notice:
    """Write the notice's 工作要求 (audited). A draft's PDF is rendered again at once from its
    snapshot with the new text (same figures), so the draft shows what will be published;
    a published or superseded version, or one being rendered, is refused."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.is_final:
        raise ValidationError(_("已发布的通报不可修改工作要求；如需更正，请生成更正版"), code="final")
    if notice.is_running:
        raise ValidationError(_("通报正在生成，请生成完成后再填写工作要求"), code="running")
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(text) > REQUIREMENTS_MAX:
        raise ValidationError(_("工作要求不能超过%(n)s字") % {"n": REQUIREMENTS_MAX}, code="too_long")
    before = notice.requirements
    if text == before:
        return notice
    notice.requirements = text
    fields = ["requirements"]
    if notice.status == Notice.Status.DRAFT and notice.snapshot and notice.snapshot.get("schema", 1) >= 3:
        snapshot = {**notice.snapshot, "document": selectors.document_block(notice)}
        pdf = render_pdf(snapshot)
        _write_file(notice.file.name, pdf)
        notice.snapshot, notice.sha256, notice.size = snapshot, hashlib.sha256(pdf).hexdigest(), len(pdf)
        fields += ["snapshot", "sha256", "size"]
    notice.save(update_fields=fields)
    audit.record(user=user, action="notice.requirements", obj=notice,
                 summary=f"填写 {label(notice.month)} 通报第{notice.version}版的工作要求",
                 before={"requirements": before}, after={"requirements": text, "sha256": notice.sha256})
    return notice


REQUIREMENTS_MAX = 3000


def save_notice_settings(*, obj: NoticeSettings, user, changed: list[str] | None = None) -> NoticeSettings:
    """Save the document settings (the admin's form) with an audit record of what changed."""
    before = NoticeSettings.objects.filter(pk=obj.pk).values().first() if obj.pk else None
    obj.updated_by = user
    obj.save()
    fields = ("issuer", "mark", "recipients", "copy_to", "distributor", "contact")
    audit.record(user=user, action="notice.settings", obj=obj, summary="修改通报公文设置",
                 before={k: before[k] for k in fields} if before else None,
                 after={k: getattr(obj, k) for k in fields})
    return obj


def regenerate_draft(*, month: dt.date, user=None) -> Notice | None:
    """Render the month's draft again if there is one (an accepted appeal moved a complaint)."""
    if selectors.working_notice(month) is None:
        return None
    return request_generation(month=month, user=user)


# --- download and verify ----------------------------------------------------------------------------

def record_download(*, notice: Notice, user, ip: str | None = None) -> None:
    audit.record(user=user, action="notice.download", obj=notice, ip=ip,
                 summary=f"下载 {notice.number or label(notice.month)} 第{notice.version}版（{notice.get_status_display()}）",
                 after={"month": label(notice.month), "version": notice.version, "sha256": notice.sha256})


def verify_upload(*, fileobj, user, ip: str | None = None) -> tuple[str, list[Notice]]:
    """SHA-256 of an uploaded file and the published (or superseded) versions it is identical to."""
    h = hashlib.sha256()
    size = 0
    for chunk in fileobj.chunks() if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    digest = h.hexdigest()
    # Same hash *and* the file on disk still has it: identical bytes, not just a matching record.
    matches = [n for n in selectors.find_by_sha256(digest) if file_intact(n)]
    audit.record(user=user, action="notice.verify", ip=ip,
                 summary=f"核验文件：{'与 ' + '、'.join(f'{m.number}第{m.version}版' for m in matches) + ' 一致' if matches else '无一致的已发布版本'}",
                 after={"sha256": digest, "size": size, "matches": [m.pk for m in matches]})
    return digest, matches


def snapshot_json(*, notice: Notice, user, ip: str | None = None) -> str:
    """The figures the PDF was rendered from, as JSON (audited like a download).

    ``render_notice_pdf(json.loads(...))`` gives the published bytes again: an auditor can
    re-derive the SHA-256 and read every figure without parsing the PDF.
    """
    audit.record(user=user, action="notice.snapshot", obj=notice, ip=ip,
                 summary=f"下载 {notice.number or label(notice.month)} 第{notice.version}版的数据快照",
                 after={"month": label(notice.month), "version": notice.version, "sha256": notice.sha256})
    return json.dumps(notice.snapshot, ensure_ascii=False, sort_keys=True, indent=1)
