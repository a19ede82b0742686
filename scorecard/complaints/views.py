from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import services
from .forms import ImportUploadForm
from .models import ImportJob


def _require_analyst(request):
    # Imports change everyone's figures: analysts (and superusers) only.
    if not request.user.is_analyst:
        raise PermissionDenied


@login_required
def import_list(request):
    _require_analyst(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = services.create_import_job(kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                                              dry_run=form.cleaned_data["dry_run"], user=request.user)
            return redirect("imports:detail", pk=job.pk)
    else:
        form = ImportUploadForm()
    jobs = list(ImportJob.objects.select_related("created_by")[:50])
    for job in jobs:
        job.kind_label = services.KIND_LABELS.get(job.kind, job.kind)
    return render(request, "complaints/import_list.html", {"form": form, "jobs": jobs})


@login_required
def import_detail(request, pk):
    _require_analyst(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "complaints/import_detail.html",
                  {"job": job, "status": services.job_status(job), "kind_label": services.KIND_LABELS.get(job.kind)})


@login_required
def import_status(request, pk):
    _require_analyst(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(services.job_status(job))
