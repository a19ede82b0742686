"""Background exports: start one (POST from the offer page), follow it, download the file. Thin.

Only the job's owner sees a job (another user's id is a 404, audited like any object outside the scope)."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from django.utils import translation

from . import audit, exports, scoping
from .models import ExportJob


def _own_job(request, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or job.user_id != request.user.pk:
        scoping.deny()
    return job


@login_required
@require_POST
def export_start(request):
    try:
        job = exports.start_export(user=request.user, path=request.POST.get("path", ""),
                                   query=request.POST.get("query", ""), language=translation.get_language(),
                                   ip=audit.client_ip(request))
    except ValueError:
        scoping.deny()
    return redirect(exports.status_url(job))


@login_required
@require_safe
def export_status(request, pk: int):
    job = _own_job(request, pk)
    return render(request, "accounts/export_status.html", {
        "job": job, "ready": exports.file_path(job) is not None,
        "waiting": job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)})


@login_required
@require_safe
def export_download(request, pk: int):
    job = _own_job(request, pk)
    path = exports.file_path(job)
    if path is None:
        return redirect(exports.status_url(job))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename)
