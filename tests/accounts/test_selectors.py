"""scorecard.accounts.selectors: org units, the audit log and notifications, each as the viewer may see it."""
import pytest
from django.http import Http404

from scorecard.accounts import scoping, selectors
from scorecard.accounts.models import AuditLog, Notification
from scorecard.grid.models import OrgUnit


def test_it_gives_a_viewer_their_own_unit_and_denies_another(world):
    head = world.users["dept_head"]
    assert selectors.unit_for_viewer(pk=world.a.pk, viewer=head) == world.a
    with pytest.raises(scoping.ScopeDenied):
        selectors.unit_for_viewer(pk=world.b.pk, viewer=head)
    with pytest.raises(scoping.ScopeDenied):
        selectors.unit_for_viewer(pk=world.a.parent_id, viewer=world.users["leader"])  # the province
    assert selectors.unit_for_viewer(pk=world.b.pk, viewer=world.users["analyst"]) == world.b
    with pytest.raises(OrgUnit.DoesNotExist):
        selectors.unit_for_viewer(pk=world.b.pk + 1000, viewer=world.users["analyst"])


def test_it_shows_the_audit_log_to_whole_province_viewers_only(world):
    AuditLog.objects.create(username="m-head-b", action="login", summary="city B's user")
    assert selectors.audit_log_list(viewer=world.users["auditor"]).filter(username="m-head-b").exists()
    assert "login" in selectors.audit_actions(viewer=world.users["auditor"])
    assert not selectors.audit_log_list(viewer=world.users["leader"]).exists()
    assert selectors.audit_actions(viewer=world.users["dept_head"]) == []


def test_it_lists_only_the_viewers_own_notifications(world):
    head = world.users["dept_head"]
    mine = Notification.objects.create(user=head, kind="appeal_filed", title="mine")
    read = Notification.objects.create(user=head, kind="appeal_filed", title="read", read_at=mine.created_at)
    theirs = Notification.objects.create(user=world.head_b, kind="appeal_filed", title="theirs")
    assert set(selectors.notification_list(viewer=head)) == {mine, read}
    assert set(selectors.notification_list(viewer=head, unread=True)) == {mine}
    assert selectors.notification_for_viewer(pk=mine.pk, viewer=head) == mine
    with pytest.raises(Http404):
        selectors.notification_for_viewer(pk=theirs.pk, viewer=head)
