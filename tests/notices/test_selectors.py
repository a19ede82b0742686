"""scorecard.notices.selectors: the notices a viewer may see (draft scoping: core.roles.can_read_draft), the same
for the list, the status URL, publish and downloads."""
import pytest
from django.http import Http404

from scorecard.notices import selectors
from scorecard.notices.models import Notice


@pytest.fixture
def correction(world):
    """A correction draft of the published notice: the command center prepares it alone."""
    return Notice.objects.create(month=world.published.month, version=2, number=world.published.number,
                                 status=Notice.Status.DRAFT, corrects=world.published,
                                 file="notices/correction.pdf", sha256="0" * 64)


def test_it_lists_department_heads_the_open_draft_but_never_a_correction_draft(world, correction):
    for role in ("dept_head", "leader"):
        listed = selectors.notice_list(viewer=world.users[role])
        assert world.draft in listed and world.published in listed and correction not in listed, role
    for role in ("analyst", "auditor", "admin"):
        assert correction in selectors.notice_list(viewer=world.users[role]), role


def test_it_lists_the_latest_notices_first_up_to_the_limit(world, correction):
    listed = selectors.notice_list(viewer=world.users["analyst"], limit=2)
    assert listed == [world.draft, correction]  # 2024-07 v1, then 2024-06 v2


def test_it_404s_a_draft_the_viewer_may_not_read(world, correction):
    head = world.users["dept_head"]
    assert selectors.notice_for_viewer(pk=world.draft.pk, viewer=head) == world.draft
    assert selectors.notice_for_viewer(pk=world.published.pk, viewer=head) == world.published
    with pytest.raises(Http404):
        selectors.notice_for_viewer(pk=correction.pk, viewer=head)
    assert selectors.notice_for_viewer(pk=correction.pk, viewer=world.users["auditor"]) == correction
    with pytest.raises(Http404):
        selectors.notice_for_viewer(pk=correction.pk + 1000, viewer=world.users["analyst"])
