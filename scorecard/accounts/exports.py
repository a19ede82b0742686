"""The one entry point of every CSV/XLSX export (issues #14 and #15): ``export(request, table, fmt, name)``.

Up to settings.SCORECARD_EXPORT_BACKGROUND_ROWS rows the download is streamed at once, in constant
memory (``scorecard.core.exports``). Above it the request answers a page that offers to prepare the
file in the background (a POST: reads never write); the Celery task runs the *same page* with the
same query string as the same user — the same scope, the same masking, the same table — and the
export, meeting ``request._export_job``, is written to a file instead (atomically: no half file
after a failure). The status page shows the download link when it is ready.
"""
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone, translation

from scorecard.core import exports as core_exports
from scorecard.core.tasks import enqueue

from . import audit
from .models import ExportJob

# The pages whose exports may run in the background (URL names): their GET is a read.
EXPORT_VIEWS = frozenset({"analysis:orders", "analysis:profile", "kpis:scorecard", "kpis:incidents",
                          "kpis:appeals", "kpis:drill", "kpis:seasonal", "audit_log"})


def background_rows() -> int:
    return int(getattr(settings, "SCORECARD_EXPORT_BACKGROUND_ROWS", 50_000))


def export(request, table, fmt: str, name: str):
    """The export of ``table`` as the answer to ``request`` (a download, the background offer, or in the
    worker the file of the job)."""
    job = getattr(request, "_export_job", None)
    if job is not None:
        _write(job, table, fmt, name)
        return HttpResponse(status=204)
    rows = core_exports.row_count(table)
    if rows > background_rows() and request.resolver_match and request.resolver_match.view_name in EXPORT_VIEWS:
        return render(request, "accounts/export_offer.html", {
            "rows": rows, "limit": background_rows(), "fmt": fmt, "path": request.path,
            "query": request.GET.urlencode()})
    return core_exports.export_response(table, fmt, name, rows=rows)


def _folder(job: ExportJob) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exports" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write(job: ExportJob, table, fmt: str, name: str) -> None:
    filename = core_exports.download_name(name, fmt)
    path = _folder(job) / filename
    core_exports.write_file(table, fmt, path)  # temp file + rename
    job.rows = core_exports.row_count(table)
    job.filename = filename
    job.file = str(path.relative_to(settings.MEDIA_ROOT))


def start_export(*, user, path: str, query: str, language: str, ip: str | None = None) -> ExportJob:
    """Queue the background export of the page ``path?query`` for ``user``. ValueError for a path that is
    not one of EXPORT_VIEWS or a query that asks for no export."""
    match = resolve(path)
    params = QueryDict(query)
    fmt = params.get("_export") or params.get("export")
    if match.view_name not in EXPORT_VIEWS or fmt not in core_exports.FORMATS:
        raise ValueError("not an export")
    job = ExportJob.objects.create(user=user, view_name=match.view_name, path=path, query=query,
                                   language=language, fmt=fmt)
    audit.record(user=user, action="export.start", obj=job, summary=f"{path}?{query}"[:300], ip=ip)
    enqueue("accounts.run_export", job.pk)
    return job


def run_export(*, job_id: int) -> ExportJob:
    """The worker's side: run the page as the job's user and keep the file it writes."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status not in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
        return job
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    request = RequestFactory().get(job.path, QueryDict(job.query))
    request.user = job.user
    request._export_job = job
    try:
        match = resolve(job.path)
        request.resolver_match = match
        with translation.override(job.language):
            response = match.func(request, *match.args, **match.kwargs)
        if response.status_code != 204 or not job.file:
            raise RuntimeError(f"the page answered {response.status_code} instead of the export")
        job.status = ExportJob.Status.DONE
    except Exception as exc:  # kept on the job for its owner to see; the worker goes on
        job.status, job.error = ExportJob.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        job.file = ""
    job.finished_at = timezone.now()
    job.save()
    return job


def file_path(job: ExportJob) -> Path | None:
    if job.status != ExportJob.Status.DONE or not job.file:
        return None
    path = Path(settings.MEDIA_ROOT) / job.file
    return path if path.is_file() else None


def status_url(job: ExportJob) -> str:
    return reverse("export_status", args=[job.pk])
