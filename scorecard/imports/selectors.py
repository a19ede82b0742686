"""Reads of the imports app: the import jobs, for the viewer.

An import changes the whole province's figures, so its jobs are the province's: a whole-province viewer
(``accounts.scoping``) sees them, nobody else (the pages let in analysts and auditors only).
"""
from django.db.models import QuerySet
from django.http import Http404

from scorecard.accounts import scoping

from .models import ImportJob


def import_job_list(*, viewer) -> QuerySet:
    """The import jobs the viewer may see, newest first, with who started each."""
    if not scoping.scope_for(viewer).is_global:
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")


def import_job_for_viewer(*, pk, viewer) -> ImportJob:
    """One import job (with the dry run it confirms); Http404 if there is none, ``scoping.ScopeDenied`` for a
    viewer who may not see jobs."""
    job = ImportJob.objects.select_related("confirms").filter(pk=pk).first()
    if job is None:
        raise Http404
    if not scoping.scope_for(viewer).is_global:
        raise scoping.ScopeDenied
    return job


def confirmation_of(job: ImportJob) -> ImportJob | None:
    """The real import that confirmed ``job`` if it is a dry run (its first, by id); None otherwise."""
    return job.confirmations.order_by("pk").first() if job.dry_run else None
