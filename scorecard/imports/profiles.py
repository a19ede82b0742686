"""Import profiles: the header and value aliases of the administrator's tables, as one object per file.

A source system names columns its own way (归档时间 for 办结时间) and spells values its own
way (非常满意 for 满意, 运维检修部 for 运检). Both are data (``HeaderAlias``, ``ValueAlias``,
edited and audited in the admin), read ONCE when an import starts: the importers then resolve
the header with the aliases and merge the value aliases into the lookup tables they already
keep (business types, departments, the taxonomy), so a million rows cost no more than before.
"""
from __future__ import annotations

from django.db.models import Q

from .calendar import CALENDAR_COLUMNS
from .importers import IMPORTERS
from .importers.base import Profile
from .models import HeaderAlias, ValueAlias

__all__ = ["Profile", "canonical_headers", "load_profile"]


def canonical_headers(kind: str) -> set[str]:
    """The column headers of ``kind`` (of every kind for ""), as interfaces.md names them."""
    columns = {name: cls.columns for name, cls in IMPORTERS.items()}
    columns["calendar"] = CALENDAR_COLUMNS
    kinds = [kind] if kind else list(columns)
    return {c.header for k in kinds for c in columns.get(k, ())}


def load_profile(kind: str) -> Profile:
    """The aliases that apply to a file of ``kind``: its own and those of every kind (""); an alias
    of the kind itself wins over an all-kinds alias of the same name."""
    mine = Q(kind="") | Q(kind=kind)
    headers: dict[str, str] = {}
    # "" sorts first: the kind's own rows overwrite the all-kinds ones.
    for alias, header in HeaderAlias.objects.filter(mine).order_by("kind", "pk").values_list("alias", "header"):
        headers[alias] = header
    values: dict[str, dict[str, str]] = {}
    for header, alias, value in (ValueAlias.objects.filter(mine).order_by("kind", "pk")
                                 .values_list("header", "alias", "value")):
        values.setdefault(header, {})[alias] = value
    return Profile(kind=kind, headers=headers, values=values)
