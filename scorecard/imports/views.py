from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from scorecard.accounts.decorators import role_required
from scorecard.core.roles import can_import, can_read_imports

from . import services
from .forms import ImportUploadForm
from .models import ImportJob


# Imports change everyone's figures: only analysts (and superusers) upload. Auditors read
# the list and each job (what was imported, by whom, with which errors) but post nothing;
# anyone else 403.
@role_required(can_read_imports, write=can_import)
def import_list(request):
    can_upload = can_import(request.user)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = services.create_import_job(kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                                              dry_run=form.cleaned_data["dry_run"], user=request.user)
            return redirect("imports:detail", pk=job.pk)
    else:
        form = ImportUploadForm() if can_upload else None
    jobs = list(ImportJob.objects.select_related("created_by")[:50])
    for job in jobs:
        job.kind_label = services.KIND_LABELS.get(job.kind, job.kind)
    return render(request, "complaints/import_list.html", {"form": form, "jobs": jobs, "can_upload": can_upload})


@role_required(can_read_imports)
def import_detail(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "complaints/import_detail.html",
                  {"job": job, "status": services.job_status(job), "kind_label": services.KIND_LABELS.get(job.kind)})


@role_required(can_read_imports)
def import_status(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(services.job_status(job))
