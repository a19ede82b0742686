from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from scorecard.accounts.decorators import role_required
from scorecard.accounts.exports import export
from scorecard.core.roles import can_import, can_read_imports
from scorecard.core.uploads import upload_limit

from . import selectors, services
from .errors import error_rows, group_errors
from .forms import ImportUploadForm
from .importers.base import note_lines
from .models import ImportJob
from .tables import ImportErrorTable


# Imports change everyone's figures: only analysts (and superusers) upload. Auditors read
# the list and each job (what was imported, by whom, with which errors) but post nothing;
# anyone else 403.
@upload_limit("import")
@role_required(can_read_imports, write=can_import)
def import_list(request):
    can_upload = can_import(request.user)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # A dry run first: the job page shows what the file would do, and 确认导入 writes it.
            job = services.create_import_job(kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                                              user=request.user)
            return redirect("imports:detail", pk=job.pk)
    else:
        form = ImportUploadForm() if can_upload else None
    jobs = list(selectors.import_job_list(viewer=request.user)[:50])
    for job in jobs:
        job.kind_label = services.KIND_LABELS.get(job.kind, job.kind)
    return render(request, "complaints/import_list.html", {"form": form, "jobs": jobs, "can_upload": can_upload})


@role_required(can_read_imports)
def import_detail(request, pk):
    job = selectors.import_job_for_viewer(pk=pk, viewer=request.user)
    status = services.job_status(job)
    confirmed = selectors.confirmation_of(job)
    return render(request, "complaints/import_detail.html", {
        "job": job, "status": status, "kind_label": services.KIND_LABELS.get(job.kind),
        "error_groups": group_errors(job.errors), "note_lines": note_lines(job.notes or {}),
        "warnings": (job.notes or {}).get("warnings", []), "confirmed": confirmed,
        "can_confirm": (job.dry_run and job.status == ImportJob.Status.SUCCEEDED and confirmed is None
                        and can_import(request.user)),
    })


@require_POST
@role_required(can_import)
def import_confirm(request, pk):
    job = selectors.import_job_for_viewer(pk=pk, viewer=request.user)
    try:
        real = services.confirm_import_job(job=job, user=request.user)
    except services.NotConfirmable as exc:
        messages.error(request, str(exc))
        return redirect("imports:detail", pk=job.pk)
    return redirect("imports:detail", pk=real.pk)


@role_required(can_read_imports)
def import_errors(request, pk):
    """Every row error of the job as CSV (the page shows one line per cause)."""
    job = selectors.import_job_for_viewer(pk=pk, viewer=request.user)
    return export(request, ImportErrorTable(error_rows(job.errors)), "csv", f"import-{job.pk}-errors")


@role_required(can_read_imports)
def import_status(request, pk):
    job = selectors.import_job_for_viewer(pk=pk, viewer=request.user)
    return JsonResponse(services.job_status(job))
