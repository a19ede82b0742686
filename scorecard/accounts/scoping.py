"""What each user may see. Every view, export, download and API endpoint that
reads unit data goes through these functions, so the rules live in one place.

- analysts, auditors and administrators: everything;
- company leaders: their company subtree (a leader at province level: everything);
- department heads: their own department of their own city company.
"""
import re
from dataclasses import dataclass, fields

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import Http404

from scorecard.core.roles import is_department_head, sees_all_units
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
    if sees_all_units(user):
        return Scope(None, None, None)
    unit = user.org_unit
    if unit is None:
        # A user without a unit sees no unit data at all (fail closed).
        return Scope(frozenset(), None, None)
    if unit.level == OrgUnit.Level.PROVINCE:
        return Scope(None, user.department_id if is_department_head(user) else None, None)
    city_ids = frozenset([unit.city_id])
    if is_department_head(user):
        return Scope(city_ids, user.department_id, None)
    return Scope(city_ids, None, unit if unit.level != OrgUnit.Level.CITY else None)


def viewer_key(user) -> str:
    """Everything that decides what ``user`` may see, as a string for cache keys of rendered pages.

    Users with the same key see the same rows: role (personal data, buttons), superuser, and every
    field of their scope (a new Scope field is included without touching this function)."""
    scope = scope_for(user)
    parts = [getattr(user, "role", "") or "", "su" if user.is_superuser else ""]
    for field in fields(Scope):
        value = getattr(scope, field.name)
        if isinstance(value, frozenset):
            value = ",".join(str(v) for v in sorted(value))
        elif isinstance(value, OrgUnit):
            value = f"{value.pk}@{value.path}"
        parts.append(f"{field.name}={value}")
    return "|".join(parts)


def order_q(scope: Scope, prefix: str = "") -> Q:
    """Filter for WorkOrder querysets by the unit part of the scope (``prefix`` leads from the queried
    model to the WorkOrder, e.g. ``work_order__`` for appeals)."""
    q = Q()
    if scope.city_ids is not None:
        q &= Q(**{prefix + "city_id__in": scope.city_ids})
    if scope.unit is not None:
        q &= Q(**{prefix + "county": scope.unit}) | Q(**{prefix + "station": scope.unit})
    return q


def scoped_orders(queryset, scope: Scope):
    """Work orders a user may list: their unit subtree and, for a department head,
    only the complaints attributed to their department (as ``scorecard.kpis.attribution``
    decides: frozen for published months, otherwise an accepted appeal, the
    imported responsible department, a traced incident or the default table)."""
    queryset = queryset.filter(order_q(scope))
    if scope.department_id is None:
        return queryset
    if _department_orders is None:
        raise ImproperlyConfigured("no attribution rule registered (scorecard.kpis is not installed)")
    return _department_orders(queryset, scope.department_id)


# Which department a complaint counts against is kpis' rule (scorecard.kpis.attribution); kpis builds
# on accounts, so it hands the rule down when the apps load (KpisConfig.ready) instead of being imported.
_department_orders = None


def register_department_orders(rule) -> None:
    """``rule(work_order_queryset, department_id)`` → the complaints attributed to that department."""
    global _department_orders
    _department_orders = rule


def district_q(scope: Scope, prefix: str = "district__") -> Q:
    """Filter for objects tied to a 台区 (incidents) by the unit part of the scope:
    ``prefix`` leads from the queried model to the District."""
    q = Q()
    if scope.city_ids is not None:
        q &= Q(**{prefix + "city_id__in": scope.city_ids})
    if scope.unit is not None:
        q &= Q(**{prefix + "county": scope.unit}) | Q(**{prefix + "station": scope.unit})
    return q


def allows_district(scope: Scope, district, *, department_id: int | None = None) -> bool:
    if not scope.allows(city_id=district.city_id, department_id=department_id):
        return False
    return scope.unit is None or scope.unit.pk in (district.county_id, district.station_id)


class ScopeDenied(Http404):
    """An object outside the user's scope. A 404 to the user (ids reveal nothing),
    but told apart from an ordinary 404 by ``accounts.middleware`` so that the
    denied access lands in the audit log."""


def deny() -> None:
    raise ScopeDenied


def check(scope: Scope, *, city_id: int | None, department_id: int | None = None) -> None:
    """404 — not 403 — for objects outside the scope, so ids reveal nothing."""
    if not scope.allows(city_id=city_id, department_id=department_id):
        raise ScopeDenied


def unit_allowed(scope: Scope, unit: OrgUnit | None) -> bool:
    """May a user with ``scope`` look at the figures of ``unit``'s subtree (None = the province)?

    Leaders: their own unit or below. Department heads: their city company (its
    figures; order lists are narrowed further to their department by ``order_q``)."""
    if scope.city_ids is None and scope.unit is None:
        return True
    if unit is None or unit.level == OrgUnit.Level.PROVINCE or unit.city_id not in scope.city_ids:
        return False
    if scope.unit is not None:
        return unit.path.startswith(scope.unit.path)
    return True


def default_unit(scope: Scope) -> OrgUnit | None:
    """The unit a scoped user's pages open on: their own subtree root (None = the province)."""
    if scope.unit is not None:
        return scope.unit
    if scope.city_ids:
        return OrgUnit.objects.filter(pk__in=scope.city_ids).order_by("path").first()
    return None


def units_for(scope: Scope):
    """The org units a user may pick (for unit pickers): everything, or their subtree."""
    qs = OrgUnit.objects.order_by("path")
    if scope.unit is not None:
        return qs.filter(path__startswith=scope.unit.path)
    if scope.city_ids is not None:
        return qs.filter(city_id__in=scope.city_ids)
    return qs


def mask_name(name: str) -> str:
    return (name[0] + "*" * max(1, len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    """A phone number of any length with at most its last 4 characters shown: 7 and more keep 4
    (13812341234 → *******1234, the landline 8456123 → ***6123), shorter ones fewer (at least 4 masked).

    Before issue #15 it kept the first 3 and the last 4, so a 7-digit landline showed whole and an
    8-digit one 7 of its 8 digits."""
    value = (phone or "").strip()
    keep = 4 if len(value) >= 7 else max(0, len(value) - 4)
    return "*" * (len(value) - keep) + value[len(value) - keep:]


# A phone number, an ID or an account number inside free text: 7 or more digits, possibly split by
# spaces or dashes (139 1234 5678, 0731-8456123) — but not the digits of a code that starts or ends
# with letters (工单编号 GD202611000142, 台区 TQ0001234): those name records, not people.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])\d(?:[\s-]?\d){6,}(?![A-Za-z0-9])")


def mask_text(text: str) -> str:
    """Free text (a note on a sensitive customer, an appeal's reason, 受理内容) for a viewer who may not
    see personal data: every phone-like run of digits masked like ``mask_phone``."""
    return _DIGIT_RUN.sub(lambda m: mask_phone(re.sub(r"[\s-]", "", m.group())), text or "")
