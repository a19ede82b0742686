"""scorecard.imports.selectors: import jobs are the province's: whole-province viewers only."""
import pytest
from django.http import Http404

from scorecard.accounts import scoping
from scorecard.imports import selectors
from scorecard.imports.models import ImportJob


def test_it_lists_import_jobs_to_whole_province_viewers_only(world):
    for role in ("analyst", "auditor"):
        assert list(selectors.import_job_list(viewer=world.users[role])) == [world.job], role
    for role in ("leader", "dept_head"):
        assert not selectors.import_job_list(viewer=world.users[role]).exists(), role


def test_it_denies_one_import_job_to_a_viewer_with_a_unit_and_404s_a_missing_one(world):
    assert selectors.import_job_for_viewer(pk=world.job.pk, viewer=world.users["auditor"]) == world.job
    with pytest.raises(scoping.ScopeDenied):
        selectors.import_job_for_viewer(pk=world.job.pk, viewer=world.users["leader"])
    with pytest.raises(Http404):
        selectors.import_job_for_viewer(pk=world.job.pk + 1000, viewer=world.users["analyst"])


def test_it_gives_the_real_import_that_confirmed_a_dry_run(world):
    dry = ImportJob.objects.create(kind="workorders", file="imports/y.csv", dry_run=True,
                                   created_by=world.users["analyst"])
    assert selectors.confirmation_of(dry) is None
    real = ImportJob.objects.create(kind="workorders", file="imports/y.csv", confirms=dry,
                                    created_by=world.users["analyst"])
    assert selectors.confirmation_of(dry) == real
    assert selectors.confirmation_of(real) is None  # not a dry run
