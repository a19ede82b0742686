"""Writes of the complaints app: file imports and the web import jobs."""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scorecard.accounts.audit import record
from scorecard.core import freshness
from scorecard.core.months import label as month_label
from scorecard.core.signals import data_imported
from scorecard.core.tasks import enqueue

from .importers import IMPORTERS
from .importers.base import ImportResult, RowError, run
from .importers.readers import estimate_rows
from .models import ImportJob
from .profiles import load_profile

__all__ = ["KINDS", "ImportResult", "RowError", "import_file", "create_import_job", "confirm_import_job",
           "run_import_job"]

logger = logging.getLogger(__name__)

KINDS = ("workorders", "districts", "loads", "outages", "projects", "taxonomy", "events")
KIND_LABELS = {
    "workorders": "95598工单",
    "districts": "台区",
    "loads": "台区负载电压月数据",
    "outages": "停电记录",
    "projects": "电网项目",
    "taxonomy": "分类目录",
    "events": "考核扣分事件",
}


def import_file(*, kind: str, path: str | Path, dry_run: bool = False,
                progress: Callable[[int], None] | None = None, user=None, source: str | None = None,
                job: ImportJob | None = None) -> ImportResult:
    """Import one CSV/XLSX file of ``kind``, all or nothing.

    Returns the counts (created / updated / unchanged by the file's key) or,
    if any row is invalid, every error and no change to the database.
    ``progress(rows_read)`` is called every few thousand rows.

    Every attempt is audited: ``user`` made it (None: the command line), ``source`` is the
    file name shown (default: the path's name), ``job`` the web ImportJob, if any. A
    committed import's entry is written in the import's own transaction (no data without
    its entry); after the commit ``scorecard.core.signals.data_imported`` is sent.
    """
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    path = Path(path)
    if not path.is_file():
        return ImportResult(kind=kind, dry_run=dry_run, errors=[RowError(1, "", f"文件不存在：{path}")])
    source = source or path.name
    sha256 = file_sha256(path)

    def committed(result: ImportResult) -> None:
        result.sha256 = sha256
        _audit(action="import.commit", result=result, user=user, source=source, job=job)
        # robust: the data has committed by then; a failing listener is logged, it must not
        # turn the import's result (or the job) into a failure that did in fact write everything.
        transaction.on_commit(lambda: data_imported.send(
            sender=ImportResult, kind=kind, months=list(result.months), user=user, result=result, source=source),
            robust=True)

    rows_before = _table_rows(kind)
    # The aliases are read once, here, for the whole file (not per row, nor per cell).
    result = run(IMPORTERS[kind], path=path, dry_run=dry_run, progress=progress, before_commit=committed,
                 profile=load_profile(kind), user=user)
    result.sha256 = sha256
    if not result.ok or dry_run:
        # Nothing was written: the attempt is still on record (who tried which file, and why it failed).
        try:
            with transaction.atomic():  # a savepoint inside a caller's transaction
                _audit(action="import.dry_run" if result.ok else "import.failed", result=result, user=user,
                       source=source, job=job)
        except DatabaseError:
            # The import may have failed *because* the database went away: its row errors say
            # so, and must reach the analyst rather than a traceback about the audit row.
            logger.warning("import of %s: the failed attempt could not be audited", source, exc_info=True)
    elif result.created or result.updated or any(result.changes.values()):
        # Bulk upserts send no model signals: tell the cached read-outs that figures may have moved.
        freshness.bump()
        _analyze(kind, written=result.created + result.updated, rows_before=rows_before)
    return result


def file_sha256(path: Path) -> str:
    """SHA-256 of the file, read in blocks (a 1M-row export never sits in memory)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# Who the audit log names for an import run from the command line without --by.
COMMAND_LINE = "命令行"


def _audit(*, action: str, result: ImportResult, user, source: str, job: ImportJob | None) -> None:
    months = [month_label(m) for m in result.months]
    label = KIND_LABELS.get(result.kind, result.kind)
    if result.ok:
        summary = _("导入%(kind)s %(file)s：%(rows)s 行，新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
            "kind": label, "file": source, "rows": result.rows, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged}
        if action == "import.dry_run":
            summary = _("仅校验：") + summary
    else:
        summary = _("导入%(kind)s %(file)s 失败：%(errors)s 处错误，未导入任何数据") % {
            "kind": label, "file": source, "errors": len(result.errors)}
    record(
        user=user, username=None if getattr(user, "pk", None) else COMMAND_LINE if job is None else "",
        action=action, obj=job, summary=summary,
        after={"file": source, "sha256": result.sha256, "kind": result.kind, "rows": result.rows,
               "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
               "months": months, "dry_run": result.dry_run, "errors": len(result.errors),
               "job": job.pk if job is not None else None,
               **({"changes": dict(result.changes)} if result.changes else {})},
    )


# After a large load PostgreSQL's planner still has the statistics of the
# small table it was: the monthly aggregates then pick nested loops over
# millions of rows (8 s instead of 0.5 s for a scorecard). Autovacuum would
# catch up in a while; an explicit ANALYZE makes the next read fast at once.
ANALYZE_AFTER_ROWS = 10_000
_ANALYZE_TABLES = {
    "workorders": ["complaints_workorder", "complaints_customer", "grid_district"],
    "districts": ["grid_district", "grid_feeder"],
    "loads": ["grid_loadreading"],
    "outages": ["grid_outage"],
    "projects": ["grid_gridproject"],
    "taxonomy": ["complaints_category", "complaints_subcategory", "complaints_detail"],
}
# An increment smaller than this share of its table (autovacuum's own default for "enough has
# changed to re-analyse", autovacuum_analyze_scale_factor) moves no distribution the planner
# uses, except one: a new month lies past the upper end of the time columns' histograms, and as
# no index leads with those columns the planner cannot look the real end up — it would estimate
# the new month at a handful of rows and plan nested loops over it. So such an increment
# re-analyses just those columns: on the 1M-order province 0.14-0.17 s, where the three tables
# took 0.45-0.53 s (the work orders 0.30-0.31 s, the customers 0.12-0.19 s, the 台区 0.03 s).
ANALYZE_SHARE = 0.1
_RANGE_COLUMNS = {
    "workorders": {"complaints_workorder": ["accepted_at", "dispatched_at", "acknowledged_at", "closed_at",
                                            "imported_at"]},
    "loads": {"grid_loadreading": ["month"]},
    "outages": {"grid_outage": ["start_at", "end_at"]},
    "projects": {"grid_gridproject": ["planned_on", "commissioned_on"]},
}


def _table_rows(kind: str) -> int | None:
    """The planner's row estimate of the kind's main table before the import (None: never analysed)."""
    if connection.vendor != "postgresql" or kind not in _ANALYZE_TABLES:
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_ANALYZE_TABLES[kind][0]])
        row = cur.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


def analyze_statements(kind: str, *, written: int, rows_before: int | None) -> list[str]:
    """The ANALYZE statements an import of ``kind`` that wrote ``written`` rows into a table of
    ``rows_before`` rows (the planner's estimate; None if never analysed) runs after its commit."""
    if written < ANALYZE_AFTER_ROWS or kind not in _ANALYZE_TABLES:
        return []
    if rows_before is not None and written < ANALYZE_SHARE * rows_before:
        return [f'ANALYZE "{table}" ({", ".join(columns)})'
                for table, columns in _RANGE_COLUMNS.get(kind, {}).items()]
    return [f'ANALYZE "{table}"' for table in _ANALYZE_TABLES[kind]]


def _analyze(kind: str, *, written: int, rows_before: int | None) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for sql in analyze_statements(kind, written=written, rows_before=rows_before):
            cur.execute(sql)


def _broker_down(exc: Exception) -> None:
    # As before the task base existed: a dead broker fails the upload request (an error page);
    # the stored file and its committed job row stay, listed as pending on the import page.
    raise exc


# --- Web import jobs -------------------------------------------------------------

def create_import_job(*, kind: str, uploaded_file, user, dry_run: bool = True) -> ImportJob:
    """Store the upload as an ImportJob and queue its import once the row is committed.

    A web upload is a dry run: its page shows the counts, the ignored columns and the
    warnings before anything is written, and ``confirm_import_job`` imports it for real."""
    job = ImportJob.objects.create(kind=kind, file=uploaded_file, original_name=uploaded_file.name[:255],
                                   dry_run=dry_run, created_by=user)
    # The worker must find the committed row (and file), not race the request.
    enqueue("complaints.run_import", job.pk, on_broker_error=_broker_down)
    return job


class NotConfirmable(Exception):
    """Only a dry run that passed can be confirmed."""


@transaction.atomic
def confirm_import_job(*, job: ImportJob, user) -> ImportJob:
    """确认导入: queue the real import of the stored file a dry run checked; the same job again
    if it was confirmed already (a double click imports once)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.dry_run or job.status != ImportJob.Status.SUCCEEDED:
        raise NotConfirmable(_("只有校验通过的文件才能确认导入"))
    done = job.confirmations.order_by("pk").first()
    if done is not None:
        return done
    real = ImportJob.objects.create(kind=job.kind, file=job.file.name, original_name=job.original_name,
                                    dry_run=False, created_by=user, confirms=job)
    enqueue("complaints.run_import", real.pk, on_broker_error=_broker_down)
    return real


# Progress while the import runs. The import holds one long transaction, so
# rows_done cannot go through it (nobody would see it before the end), and on
# SQLite a second connection cannot write either: the import owns the single
# write lock for its whole duration. The Django cache is per process in the
# embedded default. What web and worker do share, on every deployment, is
# MEDIA_ROOT: the worker reads the uploaded file from it. So the worker drops
# the running count into a small file next to the uploads (atomically
# replaced), the status endpoint reads it, and rows_done in the row is written
# when the job ends.
PROGRESS_EVERY_SECONDS = 1.0


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.txt"


def write_progress(job_id: int, rows: int) -> None:
    path = progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(str(rows))
    os.replace(tmp, path)


def read_progress(job_id: int) -> int | None:
    try:
        return int(progress_path(job_id).read_text())
    except (OSError, ValueError):
        return None


def run_import_job(*, job_id: int) -> ImportJob:
    """Run a queued ImportJob: the Celery task calls this."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
        return job  # a redelivered message (acks_late) must not import twice
    path = Path(job.file.path)
    job.status = ImportJob.Status.RUNNING
    job.rows_total = estimate_rows(path)
    job.rows_done = 0
    job.save(update_fields=["status", "rows_total", "rows_done"])

    last = [0.0]

    def progress(rows: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            write_progress(job.pk, rows)

    try:
        result = import_file(kind=job.kind, path=path, dry_run=job.dry_run, progress=progress,
                             user=job.created_by, source=job.original_name or path.name, job=job)
    except SoftTimeLimitExceeded:
        # The task's time limit (settings.IMPORT_SOFT_TIME_LIMIT): the transaction rolled back on the way out.
        logger.warning("import job %s stopped at the time limit", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = (f"导入超过时间上限（{settings.IMPORT_SOFT_TIME_LIMIT} 秒）已停止，整体回滚，未导入任何数据；"
                       f"请拆分文件后重新导入")
    except Exception as exc:  # the job must end in a visible state, whatever happened
        logger.exception("import job %s crashed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = f"导入出错：{exc}"
    else:
        job.rows_done = result.rows
        job.rows_total = max(result.rows, 0) if result.ok else max(job.rows_total, result.rows)
        job.created, job.updated = result.created, result.updated
        job.errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in result.errors]
        job.notes = result.notes()
        if result.ok:
            job.status = ImportJob.Status.SUCCEEDED
            verb = "校验通过（仅校验，未写入）" if job.dry_run else "导入成功"
            job.message = (f"{verb}：共 {result.rows} 行，新增 {result.created}，更新 {result.updated}，"
                           f"未变 {result.unchanged}")
        else:
            job.status = ImportJob.Status.FAILED
            job.message = f"有 {len(result.errors)} 处错误，未导入任何数据"
    job.finished_at = timezone.now()
    job.save()
    progress_path(job.pk).unlink(missing_ok=True)
    return job


def job_status(job: ImportJob) -> dict:
    """What the job page polls: status, progress and, once finished, the counts and errors."""
    done = job.rows_done
    if job.status == ImportJob.Status.RUNNING:
        done = max(done, read_progress(job.pk) or 0)
    finished = job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED)
    total = max(job.rows_total, done)
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": finished,
        "rows_total": total,
        "rows_done": done,
        "percent": 100 if finished else (round(done * 100 / total) if total else 0),
        "created": job.created,
        "updated": job.updated,
        "unchanged": max(job.rows_done - job.created - job.updated, 0)
        if job.status == ImportJob.Status.SUCCEEDED else 0,
        "message": job.message,
        "errors": job.errors if finished else [],
        "notes": job.notes if finished else {},
    }

