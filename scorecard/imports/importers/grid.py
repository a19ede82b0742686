"""KINDs ``districts``, ``loads``, ``outages`` and ``projects``: grid data."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection

from scorecard.grid.models import District, DistrictManagerAssignment, GridProject, LoadReading, Outage
from scorecard.grid.selectors import today

from . import parsing
from .base import Column, Importer, local_month
from .caches import Feeders, OrgUnits, district_codes
from .writers import UpsertSpec, make_writer


class _GridImporter(Importer):
    """Shared plumbing: one upsert writer, text/number checks that report errors."""

    spec: UpsertSpec

    def prepare(self) -> None:
        self.writer = make_writer(connection, self.make_spec(), self.lane)
        self.districts = district_codes()

    def make_spec(self) -> UpsertSpec:
        raise NotImplementedError

    def write(self, records: list) -> None:
        self.writer.write(records)

    def finish(self) -> None:
        self.writer.close()

    def counts(self):
        return self.writer.created, self.writer.updated, self.writer.unchanged

    # Each helper returns (value, ok); on failure the error is recorded.
    def text(self, row, v, fld, max_length, *, required=False, label=""):
        value = v.get(fld, "")
        if value == "":
            if required:
                self.error(row, fld, f"{label or self.headers.get(fld, fld)}不能为空")
                return "", False
            return "", True
        try:
            return parsing.parse_text(value, max_length=max_length), True
        except ValueError as exc:
            self.error(row, fld, str(exc))
            return "", False

    def convert(self, row, v, fld, parser, *, required=False, **kwargs):
        value = v.get(fld, "")
        if value == "":
            if required:
                self.error(row, fld, f"{self.headers.get(fld, fld)}不能为空")
                return None, False
            return None, True
        try:
            return parser(value, **kwargs), True
        except ValueError as exc:
            self.error(row, fld, str(exc))
            return None, False

    def known_district(self, row, fld, code) -> bool:
        if code and code not in self.districts:
            self.error(row, fld, f"未知的台区编号“{code}”（请先导入台区）")
            return False
        return True


# How the districts import changes a 台区's 台区经理 (DistrictManagerAssignment).
NEW, CHANGE, CORRECT = "new", "changed", "corrected"
MANAGER_ABSENT = "台区经理及其任职历史不更新（保留现有记录）"


class DistrictImporter(_GridImporter):
    kind = "districts"
    columns = (
        Column("district_code", "台区编号", required=True),
        Column("district_name", "台区名称"),
        Column("city_unit", "地市单位", required=True),
        Column("county_unit", "县级单位"),
        Column("station", "供电所"),
        Column("feeder", "线路名称"),
        Column("capacity_kva", "配变容量"),
        Column("customers", "用户数", needed_for="每万户投诉数无法计算"),
        Column("manager_name", "台区经理", needed_for=MANAGER_ABSENT),
        Column("manager_staff_no", "台区经理工号"),
        # Blank or absent: the change takes effect on the day of the import.
        Column("effective_on", "生效日期"),
    )

    def make_spec(self):
        return UpsertSpec(District, ("code", "name", "city", "county", "station", "feeder", "capacity_kva",
                                     "customers"), ("code",))

    def prepare(self) -> None:
        super().prepare()
        self.orgs = OrgUnits()
        self.feeders = Feeders()
        self.today = today()
        # The 台区经理 history of every 台区 (~20k small rows): a row's change is decided while it is parsed.
        self.current: dict[str, tuple] = {}
        self.history: dict[str, list[tuple]] = {}
        for pk, code, name, staff_no, since, until in DistrictManagerAssignment.objects.values_list(
                "pk", "district_id", "name", "staff_no", "valid_from", "valid_to"):
            if until is None:
                self.current[code] = (pk, name, staff_no, since)
            self.history.setdefault(code, []).append((since, until, name, staff_no))
        self.manager_counts: Counter[str] = Counter()

    def parse(self, row, cells):
        v = self.values(cells)
        checks = []
        code, ok = self.key_text(row, v, "district_code", 40, "台区编号")
        checks.append(ok)
        name, ok = self.text(row, v, "district_name", 100)
        checks.append(ok)
        city, ok = self.text(row, v, "city_unit", 100, required=True, label="地市单位")
        checks.append(ok)
        county, ok = self.text(row, v, "county_unit", 100)
        checks.append(ok)
        station, ok = self.text(row, v, "station", 100)
        checks.append(ok)
        feeder, ok = self.text(row, v, "feeder", 100)
        checks.append(ok)
        capacity, ok = self.convert(row, v, "capacity_kva", parsing.parse_int)
        checks.append(ok)
        customers, ok = self.convert(row, v, "customers", parsing.parse_int)
        checks.append(ok)
        manager, ok = self.manager(row, v, code)
        checks.append(ok)
        if not all(checks):
            return None
        unit = self.orgs.ref(city, county, station)
        if feeder:
            self.feeders.ref(feeder, unit)
        return (code, name, unit, feeder, capacity, customers or 0, manager)

    def manager(self, row, v, code):
        """The row's 台区经理 change: (action, name, staff_no, day, current pk) or None (no change), and ok.

        A blank 台区经理 changes nothing (an export that leaves the cell empty does not dismiss anyone);
        the same person again changes nothing whatever the date, so a re-import is a no-op."""
        name, ok_name = self.text(row, v, "manager_name", 50)
        staff_no, ok_staff = self.text(row, v, "manager_staff_no", 40)
        day, ok_day = self.convert(row, v, "effective_on", parsing.parse_date)
        if not (ok_name and ok_staff and ok_day):
            return None, False
        if not name:
            if staff_no:
                self.error(row, "manager_staff_no", f"有台区经理工号“{staff_no}”但没有台区经理姓名")
                return None, False
            return None, True
        current = self.current.get(code)
        day = day or self.today
        if (current is not None and (current[1], current[2]) == (name, staff_no)) or self.held(code, day) == (
                name, staff_no):
            # Known already: the current manager, or an older export re-imported (its manager is the one
            # recorded in office on its 生效日期).
            self.manager_counts["unchanged"] += 1
            return None, True
        if current is None:
            return (NEW, name, staff_no, day, None), True
        since = current[3]
        if day < since:
            self.error(row, "effective_on" if "effective_on" in self.index else "manager_name",
                       f"生效日期 {day:%Y-%m-%d} 早于现任台区经理“{current[1]}”的任职日期 {since:%Y-%m-%d}"
                       f"：历史任职请在系统管理中修改")
            return None, False
        # The same day as the current appointment: that appointment was wrong, not a change of person.
        return ((CORRECT if day == since else CHANGE), name, staff_no, day, current[0]), True

    def held(self, code: str, day: dt.date) -> tuple[str, str] | None:
        """(name, staff number) of the 台区经理 recorded in office on ``day``, if any."""
        for since, until, name, staff_no in self.history.get(code, ()):
            if since <= day and (until is None or day < until):
                return name, staff_no
        return None

    def write(self, records: list) -> None:
        # New org units and feeders in bulk first, then names → ids.
        if self.orgs.pending or self.feeders.pending:
            self.lane.drain()  # the ORM may only use the connection once the lane is idle
        self.orgs.flush()
        self.feeders.flush(self.orgs)
        ids, feeder_id = self.orgs.ids, self.feeders.id
        super().write([(code, name, *ids(unit), feeder_id(feeder), capacity, customers)
                       for code, name, unit, feeder, capacity, customers, _manager in records])
        changes = [(code, m) for code, *_rest, m in records if m is not None]
        if changes:
            self.lane.drain()  # the 台区 rows first (the history refers to them), then the ORM
            self.write_managers(changes)

    def write_managers(self, changes: list) -> None:
        """Close the current rows that a change ends (one UPDATE per day), correct in place the ones
        a same-day change replaces, then open the new rows: never two current rows for a 台区."""
        closing: dict[dt.date, list[int]] = {}
        corrected, opened = [], []
        for code, (action, name, staff_no, day, current_pk) in changes:
            self.manager_counts[action] += 1
            if action == CORRECT:
                corrected.append(DistrictManagerAssignment(pk=current_pk, name=name, staff_no=staff_no))
                continue
            if action == CHANGE:
                closing.setdefault(day, []).append(current_pk)
            opened.append(DistrictManagerAssignment(district_id=code, name=name, staff_no=staff_no, valid_from=day))
        for day, pks in closing.items():
            DistrictManagerAssignment.objects.filter(pk__in=pks).update(valid_to=day)
        if corrected:
            DistrictManagerAssignment.objects.bulk_update(corrected, ["name", "staff_no"])
        DistrictManagerAssignment.objects.bulk_create(opened)

    def row_warnings(self) -> list[str]:
        if "manager_name" in self.index and "manager_staff_no" not in self.index:
            return ["缺少“台区经理工号”列：台区经理只按姓名记录，同名的不同人员无法区分"]
        return []

    def changes(self):
        c = self.manager_counts
        counts = {"managers_new": c[NEW], "managers_changed": c[CHANGE], "managers_corrected": c[CORRECT],
                  "managers_unchanged": c["unchanged"]}
        if "manager_name" not in self.index:
            return {}, []
        line = (f"台区经理：新任 {c[NEW]} 个台区，变更 {c[CHANGE]} 个（原任职截至生效日期，历史保留），"
                f"当日更正 {c[CORRECT]} 个，未变 {c['unchanged']} 个")
        return counts, [line]


class LoadImporter(_GridImporter):
    kind = "loads"
    columns = (
        Column("district_code", "台区编号", required=True),
        Column("month", "月份", required=True),
        Column("max_load_pct", "最大负载率", needed_for="重过载溯源无法判断"),
        Column("min_voltage", "最低电压", needed_for="低电压溯源无法判断"),
        Column("max_voltage", "最高电压", needed_for="过电压溯源无法判断"),
    )

    def make_spec(self):
        return UpsertSpec(LoadReading, ("district", "month", "max_load_pct", "min_voltage", "max_voltage"),
                          ("district", "month"))

    def parse(self, row, cells):
        v = self.values(cells)
        checks = []
        code, ok = self.text(row, v, "district_code", 40, required=True, label="台区编号")
        checks.append(ok and self.known_district(row, "district_code", code))
        month, ok = self.convert(row, v, "month", parsing.parse_month, required=True)
        checks.append(ok)
        if code and month and not self.check_duplicate(row, (code, month), "month",
                                                       f"台区 {code} 的 {month:%Y-%m} 数据"):
            checks.append(False)
        load, ok = self.convert(row, v, "max_load_pct", parsing.parse_decimal, max_digits=7, places=2)
        checks.append(ok)
        vmin, ok = self.convert(row, v, "min_voltage", parsing.parse_decimal, max_digits=6, places=1)
        checks.append(ok)
        vmax, ok = self.convert(row, v, "max_voltage", parsing.parse_decimal, max_digits=6, places=1)
        checks.append(ok)
        if vmin is not None and vmax is not None and vmin > vmax:
            self.error(row, "min_voltage", f"最低电压 {vmin} 高于最高电压 {vmax}")
            checks.append(False)
        if not all(checks):
            return None
        self.months.add((month.year, month.month))
        return (code, month, load, vmin, vmax)


class OutageImporter(_GridImporter):
    kind = "outages"
    KINDS = {"计划": Outage.Kind.PLANNED, "临时": Outage.Kind.TEMPORARY, "故障": Outage.Kind.FAULT,
             "planned": Outage.Kind.PLANNED, "temporary": Outage.Kind.TEMPORARY, "fault": Outage.Kind.FAULT}
    YES_NO = {"是": True, "否": False, "": False, "Y": True, "N": False, "TRUE": True, "FALSE": False,
              "1": True, "0": False}
    columns = (
        Column("outage_no", "停电编号", required=True),
        Column("feeder", "线路名称", required=True),
        Column("district_code", "台区编号"),
        Column("kind", "停电类型", required=True),
        Column("start_at", "开始时间", required=True),
        Column("end_at", "结束时间"),
        Column("in_plan", "纳入月度计划"),
    )

    def make_spec(self):
        return UpsertSpec(Outage, ("outage_no", "feeder", "district", "kind", "start_at", "end_at", "in_plan"),
                          ("outage_no",))

    def prepare(self) -> None:
        super().prepare()
        self.feeders = Feeders()

    def parse(self, row, cells):
        v = self.values(cells)
        checks = []
        outage_no, ok = self.key_text(row, v, "outage_no", 40, "停电编号")
        checks.append(ok)
        feeder, ok = self.text(row, v, "feeder", 100, required=True, label="线路名称")
        feeder_id = self.feeders.get(feeder) if feeder else None
        if feeder and feeder_id is None:
            self.error(row, "feeder", f"未知的线路“{feeder}”（请先导入台区及其线路）")
            ok = False
        checks.append(ok)
        code, ok = self.text(row, v, "district_code", 40)
        checks.append(ok and self.known_district(row, "district_code", code))
        kind_text = v.get("kind", "")
        kind = self.KINDS.get(kind_text)
        if kind is None:
            self.error(row, "kind", "停电类型不能为空（计划/临时/故障）" if not kind_text
                       else f"停电类型只能是 计划/临时/故障，不能是“{kind_text}”")
            checks.append(False)
        start, ok = self.convert(row, v, "start_at", parsing.parse_datetime, required=True)
        checks.append(ok)
        end, ok = self.convert(row, v, "end_at", parsing.parse_datetime)
        checks.append(ok)
        if start and end and end < start:
            self.error(row, "end_at", "结束时间早于开始时间")
            checks.append(False)
        plan_text = v.get("in_plan", "")
        in_plan = self.YES_NO.get(plan_text.upper() if isinstance(plan_text, str) else None)
        if in_plan is None:
            self.error(row, "in_plan", f"纳入月度计划只能是 是/否，不能是“{plan_text}”")
            checks.append(False)
        if not all(checks):
            return None
        self.months.add(local_month(start))
        return (outage_no, feeder_id, code or None, kind.value, start, end, in_plan)


class ProjectImporter(_GridImporter):
    kind = "projects"
    columns = (
        Column("project_no", "项目编号", required=True),
        Column("district_code", "台区编号", required=True),
        Column("kind", "项目类型"),
        Column("planned_on", "计划投运日期", required=True),
        Column("commissioned_on", "实际投运日期"),
    )

    def make_spec(self):
        return UpsertSpec(GridProject, ("project_no", "district", "kind", "planned_on", "commissioned_on"),
                          ("project_no",))

    def parse(self, row, cells):
        v = self.values(cells)
        checks = []
        project_no, ok = self.key_text(row, v, "project_no", 40, "项目编号")
        checks.append(ok)
        code, ok = self.text(row, v, "district_code", 40, required=True, label="台区编号")
        checks.append(ok and self.known_district(row, "district_code", code))
        kind, ok = self.text(row, v, "kind", 50)
        checks.append(ok)
        planned, ok = self.convert(row, v, "planned_on", parsing.parse_date, required=True)
        checks.append(ok)
        done, ok = self.convert(row, v, "commissioned_on", parsing.parse_date)
        checks.append(ok)
        if not all(checks):
            return None
        return (project_no, code, kind, planned, done)
