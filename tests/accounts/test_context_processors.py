"""The top bar's menu offers exactly the pages a role may open (scorecard/accounts/context_processors.py)."""
import pytest
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.core.roles import Role
from tests.fixtures.factories import city, dept


@pytest.mark.django_db
@pytest.mark.parametrize("role, sees_audit_log", [
    (Role.ADMIN, True), (Role.AUDITOR, True), (Role.ANALYST, False), (Role.DEPARTMENT_HEAD, False), (Role.LEADER, False),
])
def test_it_offers_the_audit_log_to_whoever_may_open_it(client, role, sees_audit_log):
    scoped = role in (Role.DEPARTMENT_HEAD, Role.LEADER)
    user = User.objects.create_user(f"u-{role}", password="x-unused-1", role=role,
                                    org_unit=city("国网长沙供电公司") if scoped else None,
                                    department=dept("营销") if role == Role.DEPARTMENT_HEAD else None)
    client.force_login(user)
    page = client.get(reverse("notifications")).content.decode()
    assert (f'href="{reverse("audit_log")}"' in page) is sees_audit_log
    assert (client.get(reverse("audit_log")).status_code == 200) is sees_audit_log
