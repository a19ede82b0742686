"""In-memory lookups of the small tables an import resolves names against.

Org units, feeders, districts (~20k) and the taxonomy fit in a few MB, so
each import loads them once and resolves every row from a dict instead of a
query per row. Org units and feeders a work-order or district file names for
the first time are created on the spot (they are few, and ``OrgUnit.save``
maintains the materialised path); inside the import's transaction, so a
failed import leaves none behind.
"""
from __future__ import annotations

from django.conf import settings

from scorecard.grid.models import District, Feeder, OrgUnit


class OrgUnits:
    def __init__(self):
        self._province_id: int | None = None
        self._cities: dict[str, int] = {}
        self._children: dict[tuple[int, str], int] = {}
        for pk, name, level, parent_id in OrgUnit.objects.values_list("pk", "name", "level", "parent_id"):
            if level == OrgUnit.Level.PROVINCE:
                self._province_id = pk
            elif level == OrgUnit.Level.CITY:
                self._cities[name] = pk
            if parent_id is not None:
                self._children[(parent_id, name)] = pk

    def province(self) -> int:
        if self._province_id is None:
            unit = OrgUnit(name=settings.SCORECARD_PROVINCE,
                           level=OrgUnit.Level.PROVINCE)
            unit.save()
            self._province_id = unit.pk
        return self._province_id

    def city(self, name: str) -> int:
        pk = self._cities.get(name)
        if pk is None:
            parent = self.province()
            unit = OrgUnit(name=name, level=OrgUnit.Level.CITY, parent_id=parent)
            unit.save()
            pk = self._cities[name] = self._children[(parent, name)] = unit.pk
        return pk

    def child(self, parent_id: int, name: str, level: str) -> int:
        pk = self._children.get((parent_id, name))
        if pk is None:
            unit = OrgUnit(name=name, level=level, parent_id=parent_id)
            unit.save()
            pk = self._children[(parent_id, name)] = unit.pk
        return pk

    def resolve(self, city: str, county: str = "", station: str = "") -> tuple[int, int | None, int | None]:
        """(city, county, station) ids for names; a station without a county hangs off the city."""
        city_id = self.city(city)
        county_id = self.child(city_id, county, OrgUnit.Level.COUNTY) if county else None
        station_id = (self.child(county_id or city_id, station, OrgUnit.Level.STATION) if station else None)
        return city_id, county_id, station_id


class Feeders:
    def __init__(self):
        self._ids: dict[str, int] = dict(Feeder.objects.values_list("name", "pk"))

    def get(self, name: str) -> int | None:
        return self._ids.get(name)

    def get_or_create(self, name: str, city_id: int | None) -> int:
        pk = self._ids.get(name)
        if pk is None:
            pk = self._ids[name] = Feeder.objects.create(name=name, city_id=city_id).pk
        return pk


def district_codes() -> set[str]:
    return set(District.objects.values_list("code", flat=True))
