"""Writes on users (keyword-only, typed)."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction

from scorecard.grid.models import Department, OrgUnit

from .models import User

# The demo logins `make demo` prints. Known on purpose: demo data only.
DEMO_PASSWORD = "scorecard-demo"
DEMO_CITY = "国网长沙供电公司"

# (username, first name, role, org unit name or None, department name or None)
DEMO_USERS = [
    ("analyst", "演示分析员", User.Role.ANALYST, None, None),
    ("depthead", "演示运检负责人", User.Role.DEPARTMENT_HEAD, DEMO_CITY, "运检"),
    ("leader", "演示公司领导", User.Role.LEADER, DEMO_CITY, None),
    ("auditor", "演示审计员", User.Role.AUDITOR, None, None),
    ("admin", "演示管理员", User.Role.ADMIN, None, None),
]


def _city_unit(name: str) -> OrgUnit:
    """The city company ``name``, created under the province if the data has not named it yet."""
    city = OrgUnit.objects.filter(level=OrgUnit.Level.CITY, name=name).first()
    if city is not None:
        return city
    province = OrgUnit.objects.filter(level=OrgUnit.Level.PROVINCE).first()
    if province is None:
        province = OrgUnit(name=getattr(settings, "SCORECARD_PROVINCE", "国网湖南省电力有限公司"),
                           level=OrgUnit.Level.PROVINCE)
        province.save()
    city = OrgUnit(name=name, level=OrgUnit.Level.CITY, parent=province)
    city.save()
    return city


@transaction.atomic
def create_demo_users(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Create (or reset) one demo user per role; return (username, role label, scope) rows.

    Idempotent: users are matched by username, and running it again only resets their
    role, scope and password to the demo values."""
    out = []
    for username, first_name, role, unit_name, dept_name in DEMO_USERS:
        unit = _city_unit(unit_name) if unit_name else None
        dept = Department.objects.get(name=dept_name) if dept_name else None
        is_admin = role == User.Role.ADMIN
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first_name, "role": role, "org_unit": unit, "department": dept,
                      "is_staff": is_admin, "is_superuser": is_admin, "is_active": True},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if unit and dept:
            scope = f"{unit.name}·{dept.name}"
        elif unit:
            scope = unit.name
        else:
            scope = "全省"
        out.append((username, str(User.Role(role).label), scope))
    return out
