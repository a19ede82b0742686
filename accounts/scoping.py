"""What each user may see. Every view, export, download and API endpoint that
reads unit data goes through these functions, so the rules live in one place.

- analysts, auditors and administrators: everything;
- company leaders: their company subtree (a leader at province level: everything);
- department heads: their own department of their own city company.
"""
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from scorecard.grid.models import OrgUnit


@dataclass(frozen=True)
class Scope:
    city_ids: frozenset[int] | None  # None = every city company
    department_id: int | None  # set for department heads only
    unit: OrgUnit | None  # the subtree root for leaders (a county leader sees only that county)

    @property
    def is_global(self) -> bool:
        return self.city_ids is None and self.department_id is None

    def allows(self, *, city_id: int | None, department_id: int | None = None) -> bool:
        if self.city_ids is not None and city_id not in self.city_ids:
            return False
        if self.department_id is not None and department_id is not None and department_id != self.department_id:
            return False
        return True


def scope_for(user) -> Scope:
    role = getattr(user, "role", None)
    if user.is_superuser or role in ("analyst", "auditor", "admin"):
        return Scope(None, None, None)
    unit = user.org_unit
    if unit is None:
        # A user without a unit sees no unit data at all (fail closed).
        return Scope(frozenset(), None, None)
    if unit.level == OrgUnit.Level.PROVINCE:
        return Scope(None, user.department_id if role == "dept_head" else None, None)
    city_ids = frozenset([unit.city_id])
    if role == "dept_head":
        return Scope(city_ids, user.department_id, None)
    return Scope(city_ids, None, unit if unit.level != OrgUnit.Level.CITY else None)


def order_q(scope: Scope) -> Q:
    """Filter for WorkOrder querysets by the unit part of the scope."""
    q = Q()
    if scope.city_ids is not None:
        q &= Q(city_id__in=scope.city_ids)
    if scope.unit is not None:
        q &= Q(county=scope.unit) | Q(station=scope.unit)
    return q


def check(scope: Scope, *, city_id: int | None, department_id: int | None = None) -> None:
    """404 — not 403 — for objects outside the scope, so ids reveal nothing."""
    if not scope.allows(city_id=city_id, department_id=department_id):
        raise Http404


def can_see_personal_data(user) -> bool:
    return user.is_superuser or getattr(user, "role", None) == "analyst"


def mask_name(name: str) -> str:
    return (name[0] + "*" * max(1, len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else ("*" * len(digits))
