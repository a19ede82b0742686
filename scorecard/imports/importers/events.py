"""KIND ``events``: 考核扣分 events (越级投诉, 媒体曝光 …), keyed by 事件编号.

Each row is one event of a city company's department; the points default to the event kind's
(``kpis.DeductionKind``). Rows are checked here (unknown kinds, units, departments and work orders,
published months are row errors naming the column); the valid file is written through
``kpis.services.save_deduction`` — the portal's own service — so that each event is audited with the
importing analyst (``import_data events FILE --by USERNAME``; a file needs one) and a re-import
changes nothing. Events are few (tens a month), so one service call per row costs nothing.
"""
from __future__ import annotations

from scorecard.complaints.models import WorkOrder
from scorecard.core.roles import can_enter_deduction
from scorecard.grid.models import Department, OrgUnit
from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import DeductionKind, ReportingMonth

from . import parsing
from .base import Column
from .caches import OrgUnits, UnknownUnit
from .grid import _GridImporter


class EventImporter(_GridImporter):
    kind = "events"
    columns = (
        Column("event_no", "事件编号", required=True),
        Column("kind", "事件类型", required=True),
        Column("city_unit", "地市单位", required=True),
        Column("department", "责任部门", required=True),
        Column("occurred_on", "发生日期", required=True),
        Column("points", "扣分"),
        Column("order_no", "关联工单"),
        Column("description", "事件说明", required=True),
        Column("evidence", "证据"),
    )
    absorbs_values = frozenset({"kind", "department"})

    def prepare(self) -> None:
        self.kinds = {}
        for k in DeductionKind.objects.filter(active=True):
            self.kinds[k.name] = self.kinds[k.code] = k
        self.kind_names = [k.name for k in DeductionKind.objects.filter(active=True)]
        self.merged("kind", self.kinds)
        self.departments = {d.name: d for d in Department.objects.all()}
        self.merged("department", self.departments)
        self.orgs = OrgUnits()
        self.cities = {u.pk: u for u in OrgUnit.objects.filter(level=OrgUnit.Level.CITY)}
        self.published = set(ReportingMonth.objects.published().values_list("month", flat=True))
        self.records: list[tuple] = []
        self.created = self.updated = self.unchanged = 0
        if not can_enter_deduction(self.user):
            self.error(1, "", "导入考核扣分需以分析人员身份进行（命令行请用 --by 用户名），以便记录录入人")

    def parse(self, row, cells):
        v = self.values(cells)
        checks = []
        event_no, ok = self.key_text(row, v, "event_no", 40, "事件编号")
        checks.append(ok)
        kind_name, ok = self.text(row, v, "kind", 30, required=True, label="事件类型")
        kind = self.kinds.get(kind_name)
        if ok and kind_name and kind is None:
            self.error(row, "kind", f"未知的事件类型“{kind_name}”（可选：{'、'.join(self.kind_names)}）")
            ok = False
        checks.append(ok)
        city_name, ok = self.text(row, v, "city_unit", 100, required=True, label="地市单位")
        city = None
        if ok and city_name:
            try:
                city = self.cities.get(self.orgs.ids(self.orgs.resolve(city_name))[0])
            except UnknownUnit as exc:
                self.error(row, "city_unit", exc.message)
                ok = False
        checks.append(ok)
        dept_name, ok = self.text(row, v, "department", 20, required=True, label="责任部门")
        department = self.departments.get(dept_name)
        if ok and dept_name and department is None:
            self.error(row, "department", f"责任部门只能是 {'/'.join(d for d in self.departments if len(d) == 2)}，"
                                          f"不能是“{dept_name}”")
            ok = False
        checks.append(ok)
        occurred_on, ok = self.convert(row, v, "occurred_on", parsing.parse_date, required=True)
        if ok and occurred_on is not None and occurred_on.replace(day=1) in self.published:
            self.error(row, "occurred_on", f"{occurred_on:%Y-%m} 已发布，考核结果已冻结，不能再录入扣分")
            ok = False
        checks.append(ok)
        points, ok = self.convert(row, v, "points", parsing.parse_decimal, max_digits=5, places=2)
        if ok and points is not None and points <= 0:
            self.error(row, "points", "扣分必须大于 0")
            ok = False
        checks.append(ok)
        order_no, ok = self.text(row, v, "order_no", 40)
        order = None
        if ok and order_no:
            order = WorkOrder.objects.filter(order_no=order_no).first()
            if order is None:
                self.error(row, "order_no", f"没有工单编号为 {order_no} 的工单")
                ok = False
        checks.append(ok)
        description, ok = self.text(row, v, "description", 2000, required=True, label="事件说明")
        checks.append(ok)
        evidence, ok = self.text(row, v, "evidence", 2000)
        checks.append(ok)
        if not all(checks):
            return None
        self.months.add((occurred_on.year, occurred_on.month))
        return (event_no, kind, city, department, occurred_on, points, order, description, evidence)

    def write(self, records: list) -> None:
        self.records.extend(records)  # tens of rows: written in finish(), in file order

    def finish(self) -> None:
        for event_no, kind, city, department, occurred_on, points, order, description, evidence in self.records:
            _event, outcome = kpi_services.save_deduction(
                user=self.user, event_no=event_no, kind=kind, city=city, department=department,
                occurred_on=occurred_on, points=points, work_order=order, description=description,
                evidence=evidence, source="import", create_only=False)
            setattr(self, outcome, getattr(self, outcome) + 1)

    def counts(self):
        return self.created, self.updated, self.unchanged
