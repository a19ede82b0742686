"""Demo users: one per role, idempotent, with the known demo password."""
from io import StringIO

import pytest
from django.core.management import call_command

from scorecard.accounts.models import User
from scorecard.accounts.services import DEMO_PASSWORD, create_demo_users


@pytest.mark.django_db
def test_users_only_creates_one_user_per_role_and_prints_logins(fast_hasher):
    out = StringIO()
    call_command("seed_demo", users_only=True, stdout=out)
    output = out.getvalue()
    users = {u.username: u for u in User.objects.select_related("org_unit", "department")}
    assert {u.role for u in users.values()} == {"analyst", "dept_head", "leader", "auditor", "admin"}
    head = users["depthead"]
    assert (head.org_unit.name, head.org_unit.level, head.department.name) == ("国网长沙供电公司", "city", "运检")
    assert head.org_unit.parent.level == "province"
    assert users["leader"].org_unit == head.org_unit
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["analyst"].is_superuser and not users["auditor"].is_staff
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    for username, user in users.items():
        assert f"{username} / {DEMO_PASSWORD} / {user.get_role_display()} /" in output
    assert "国网长沙供电公司·运检" in output


@pytest.mark.django_db
def test_create_demo_users_is_idempotent_and_resets_the_password(fast_hasher):
    first = create_demo_users()
    User.objects.filter(username="analyst").update(role="auditor")
    user = User.objects.get(username="analyst")
    user.set_password("changed")
    user.save()
    assert create_demo_users() == first
    user.refresh_from_db()
    assert user.role == "analyst" and user.check_password(DEMO_PASSWORD)
    assert [row[0] for row in first] == ["analyst", "depthead", "leader", "auditor", "admin"]
    assert User.objects.count() == 5
