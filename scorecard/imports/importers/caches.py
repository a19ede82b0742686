"""In-memory lookups of the small tables an import resolves names against.

Org units, feeders, districts (~20k) and the taxonomy fit in a few MB, so
each import loads them once and resolves every row from a dict instead of a
query per row. Org units and feeders a file names for the first time are
collected while the rows are parsed and created in bulk when the chunk is
written (a few statements per level, not several per unit), inside the
import's transaction, so a failed import leaves none behind.

Org units are master data: only the ``districts`` import (and the admin)
creates them, through ``ref``/``flush``. The work-order import only looks
them up (``resolve``): a unit it does not know is a row error naming the
closest known units, because a mistyped name created silently would be a
new, empty unit (no 台区, no callbacks) that tops the ranking.

Rows refer to org units by names: the key (city, county, station), with ""
for a level the row leaves blank; ``ids(key)`` turns it into primary keys
once ``flush()`` has created whatever was new.

Short names (简称): exports write 长沙供电公司 or 长沙公司 for 国网长沙供电公司. Two names
are the same unit when they are equal once a leading 「国网」 is dropped and a trailing
「供电公司」/「供电分公司」 is shortened to 「公司」 (``short_name``), among the units of the
same level under the same parent. The full name always wins; a short name that two units
share is an error naming both. Anything else (长沙, 星城) is a value alias of the column.
"""
from __future__ import annotations

import difflib

from django.conf import settings
from django.utils.translation import gettext as _

from scorecard.grid.models import District, Feeder, OrgUnit

UnitKey = tuple[str, str, str]


# A unit name is a short string; more suggestions than this only hide the right one.
MAX_SUGGESTIONS = 5


def short_name(name: str) -> str:
    """The name's 简称 key: 国网长沙供电公司, 长沙供电公司 and 长沙公司 all give 长沙公司; 星沙供电所 stays."""
    name = name.removeprefix("国网")
    for suffix in ("供电分公司", "供电公司"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "公司"
    return name


class UnknownUnit(Exception):
    """A row names an org unit that does not exist: ``level`` is the column at fault (0 city, 1 county,
    2 station) and ``message`` the row error with the closest known names."""

    def __init__(self, level: int, message: str):
        super().__init__(message)
        self.level = level
        self.message = message


class OrgUnits:
    def __init__(self):
        self._province: tuple[int, str] | None = None  # (id, path)
        self._units: dict[tuple, tuple[int, str]] = {}  # name path → (id, path)
        rows = list(OrgUnit.objects.values_list("pk", "name", "level", "parent_id", "path"))
        by_id = {pk: (name, level, parent) for pk, name, level, parent, _ in rows}
        for pk, name, level, parent, path in rows:
            if level == OrgUnit.Level.PROVINCE:
                self._province = (pk, path)
                continue
            names = [name]
            while parent is not None and by_id[parent][1] != OrgUnit.Level.PROVINCE:
                pname, plevel, parent = by_id[parent]
                names.insert(0, pname)
            if level == OrgUnit.Level.STATION and len(names) == 2:
                names.insert(1, "")  # a station directly under its city
            self._units[tuple(names)] = (pk, path)
        # (parent names..., short name) → the full name paths of the units it may mean.
        self._short: dict[tuple, list[tuple]] = {}
        for names in self._units:
            self._short.setdefault((*names[:-1], short_name(names[-1])), []).append(names)
        self._aliases: dict[UnitKey, UnitKey] = {}  # a key as written → the key of the units it names
        self._pending: set[tuple] = set()
        self._ids: dict[UnitKey, tuple[int, int | None, int | None]] = {}
        self._unknown: dict[UnitKey, UnknownUnit] = {}  # a bad name repeats on many rows: suggest once

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def resolve(self, city: str, county: str = "", station: str = "") -> UnitKey:
        """The key of existing units only: raises UnknownUnit for the first level the row names
        that does not exist under the levels above it (the keys ``ids`` understands)."""
        key = (city, county, station)
        if key in self._ids:  # the common case: a name pair seen on an earlier row
            return key
        known = self._aliases.get(key)
        if known is not None:
            return known
        failure = self._unknown.get(key)
        if failure is None:
            canonical, level, ambiguous = self._canonical(key)
            if level is None:
                self.ids(canonical)  # remember it as known
                if canonical != key:
                    self._aliases[key] = canonical
                return canonical
            part = canonical[: level + 1]
            message = (_("单位简称「%(name)s」对应多个已有单位：%(names)s，请写全称") % {
                "name": key[level], "names": "、".join(n[-1] for n in ambiguous)} if ambiguous
                else self._unknown_message(part))
            failure = self._unknown[key] = UnknownUnit(level, message)
        raise failure

    def _canonical(self, key: UnitKey) -> tuple[UnitKey, int | None, list]:
        """(the key with each level's name made the full name of an existing unit, the first level
        that names no existing unit or None, the units a shared short name there may mean)."""
        names = list(key)
        for level in range(3):
            if not names[level]:
                continue
            part = tuple(names[: level + 1])
            if part in self._units:
                continue
            candidates = self._short.get((*part[:-1], short_name(part[-1])), [])
            if len(candidates) != 1:
                return tuple(names), level, candidates if len(candidates) > 1 else []
            names[level] = candidates[0][-1]
        return tuple(names), None, []

    def _unknown_message(self, part: tuple) -> str:
        name = part[-1]
        # Candidates: units of the same level under the same parent (a county of another
        # city is not what the row meant), or, when the parent has none, every unit of that level.
        siblings = [k[-1] for k in self._units if len(k) == len(part) and k[:-1] == part[:-1]]
        if not siblings:
            siblings = sorted({k[-1] for k in self._units if len(k) == len(part)})
        close = [n for n in siblings if name in n or n in name]  # short names: 长沙 ↔ 国网长沙供电公司
        close.sort(key=lambda n: (abs(len(n) - len(name)), n))
        for n in difflib.get_close_matches(name, siblings, n=MAX_SUGGESTIONS, cutoff=0.5):
            if n not in close:
                close.append(n)
        close = close[:MAX_SUGGESTIONS]
        if not close:
            return _("未知单位「%(name)s」，没有相近的已有单位（单位须先通过台区导入或在管理后台建立）") % {"name": name}
        return _("未知单位「%(name)s」，最接近的已有单位：%(names)s") % {"name": name, "names": "、".join(close)}

    def ref(self, city: str, county: str = "", station: str = "") -> UnitKey:
        """Note the units a row names (to be created if new); return its key."""
        key = (city, county, station)
        if key not in self._ids:
            key = self._aliases.get(key) or self._existing(key)
            city, county, station = key
            for part in ((city,), (city, county) if county else None, key if station else None):
                if part and part not in self._units:
                    self._pending.add(part)
        return key

    def _existing(self, key: UnitKey) -> UnitKey:
        """``key`` with the levels that name an existing unit by its short name spelled in full
        (a 台区 file writing 长沙供电公司 gets no second city), up to the first new one."""
        canonical, level, _ambiguous = self._canonical(key)
        if level is not None:
            # Levels below a new unit are new too: keep them as written.
            canonical = canonical[:level] + key[level:]
        if canonical != key:
            self._aliases[key] = canonical
        return canonical

    def flush(self) -> None:
        """Create the pending units, parents first, one bulk insert per level."""
        if not self._pending:
            return
        if self._province is None:
            unit = OrgUnit(name=settings.SCORECARD_PROVINCE, level=OrgUnit.Level.PROVINCE)
            unit.save()
            self._province = (unit.pk, unit.path)
        pending, self._pending = self._pending, set()
        for size, level in ((1, OrgUnit.Level.CITY), (2, OrgUnit.Level.COUNTY), (3, OrgUnit.Level.STATION)):
            keys = sorted(k for k in pending if len(k) == size)
            if not keys:
                continue
            parents = [self._parent(k) for k in keys]
            units = OrgUnit.objects.bulk_create(
                [OrgUnit(name=k[-1], level=level, parent_id=p[0]) for k, p in zip(keys, parents)])
            for k, unit, (parent_id, parent_path) in zip(keys, units, parents):
                unit.path = f"{parent_path}{unit.pk}/"
                unit.city_id = unit.pk if level == OrgUnit.Level.CITY else self._units[(k[0],)][0]
                self._units[k] = (unit.pk, unit.path)
            # What OrgUnit.save() maintains, done for the whole level at once.
            OrgUnit.objects.bulk_update(units, ["path", "city"], batch_size=1000)

    def _parent(self, key: tuple) -> tuple[int, str]:
        if len(key) == 1:
            return self._province
        if len(key) == 3 and not key[1]:
            return self._units[(key[0],)]  # station without a county hangs off the city
        return self._units[key[:-1]]

    def ids(self, key: UnitKey) -> tuple[int, int | None, int | None]:
        found = self._ids.get(key)
        if found is None:
            city, county, station = key
            found = self._ids[key] = (
                self._units[(city,)][0],
                self._units[(city, county)][0] if county else None,
                self._units[key][0] if station else None,
            )
        return found


class Feeders:
    def __init__(self):
        self._ids: dict[str, int] = dict(Feeder.objects.values_list("name", "pk"))
        self._pending: dict[str, UnitKey] = {}

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def get(self, name: str) -> int | None:
        return self._ids.get(name)

    def ref(self, name: str, unit: UnitKey) -> str:
        if name not in self._ids and name not in self._pending:
            self._pending[name] = unit
        return name

    def flush(self, orgs: OrgUnits) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        feeders = Feeder.objects.bulk_create(
            [Feeder(name=name, city_id=orgs.ids(unit)[0]) for name, unit in pending.items()], batch_size=1000)
        self._ids.update((f.name, f.pk) for f in feeders)

    def id(self, name: str) -> int | None:
        return self._ids[name] if name else None


def district_codes() -> set[str]:
    return set(District.objects.values_list("code", flat=True))
