"""Small hand-made data for the KPI and tracing tests: every figure in those
tests is derived by hand from these few rows."""
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from scorecard.complaints.models import BusinessType, Category, Customer, Detail, SubCategory, WorkOrder
from scorecard.grid.models import Department, District, Feeder, GridProject, LoadReading, OrgUnit, Outage

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def local(value: str | None) -> dt.datetime | None:
    """'2024-10-08 09:00' in Asia/Shanghai → aware datetime."""
    if value is None:
        return None
    fmt = "%Y-%m-%d %H:%M:%S" if value.count(":") == 2 else "%Y-%m-%d %H:%M"
    return dt.datetime.strptime(value, fmt).replace(tzinfo=SH)


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def province() -> OrgUnit:
    return OrgUnit.objects.get_or_create(level="province", defaults={"name": "测试省电力公司"})[0]


def city(name: str) -> OrgUnit:
    return OrgUnit.objects.get_or_create(name=name, level="city", parent=province())[0]


def district(code: str, city_unit: OrgUnit, *, customers: int = 1000, feeder: str | None = None) -> District:
    f = Feeder.objects.get_or_create(name=feeder, defaults={"city": city_unit})[0] if feeder else None
    return District.objects.create(code=code, name=f"{code}台区", city=city_unit, customers=customers, feeder=f)


def order(*, accepted: str, city_unit: OrgUnit, business_type: str = "投诉", category: str | None = "服务",
          subcategory: str | None = "服务态度", detail: str | None = None, customer: str | None = None,
          district_obj: District | None = None, closed: str | None = None, acknowledged: str | None = None,
          dispatched: str | None = None, satisfaction: str = "", responsible: str | None = None,
          order_no: str | None = None) -> WorkOrder:
    bt = BusinessType.objects.get(name=business_type)
    cat = Category.objects.get(name=category) if category else None
    sub = SubCategory.objects.get(category=cat, name=subcategory) if subcategory else None
    det = Detail.objects.get(subcategory=sub, name=detail) if detail else None
    customer = customer or f"C{next(_seq):06d}"
    Customer.objects.get_or_create(customer_no=customer)
    return WorkOrder.objects.create(
        order_no=order_no or f"GD{next(_seq):08d}", accepted_at=local(accepted), business_type=bt,
        is_complaint=bt.counts_as_complaint, category=cat, subcategory=sub, detail=det, customer_id=customer,
        city=city_unit, district=district_obj, closed_at=local(closed), acknowledged_at=local(acknowledged),
        dispatched_at=local(dispatched), satisfaction=satisfaction,
        responsible_dept=dept(responsible) if responsible else None,
    )


def reading(district_obj: District, month: str, *, load=50, vmin=215, vmax=228) -> LoadReading:
    return LoadReading.objects.create(district=district_obj, month=dt.date.fromisoformat(month + "-01"),
                                      max_load_pct=load, min_voltage=vmin, max_voltage=vmax)


def outage(*, feeder: str, start: str, kind: str = "fault", district_obj: District | None = None,
           in_plan: bool = True) -> Outage:
    f = Feeder.objects.get(name=feeder)
    return Outage.objects.create(outage_no=f"TD{next(_seq):06d}", feeder=f, district=district_obj, kind=kind,
                                 start_at=local(start), end_at=local(start) + dt.timedelta(hours=2), in_plan=in_plan)


def project(district_obj: District, *, planned: str, commissioned: str | None = None) -> GridProject:
    return GridProject.objects.create(
        project_no=f"XM{next(_seq):06d}", district=district_obj, kind="配变增容",
        planned_on=dt.date.fromisoformat(planned),
        commissioned_on=dt.date.fromisoformat(commissioned) if commissioned else None)
