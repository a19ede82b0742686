"""KIND ``workorders``: the 95598 work-order export (key 工单编号)."""
from __future__ import annotations

from django.db import connection

from scorecard.grid.models import Department, District

from ..models import BusinessType, Category, Customer, Detail, SubCategory, WorkOrder
from . import parsing
from .base import Column, Importer
from .caches import Feeders, OrgUnits, district_codes
from .writers import UpsertSpec, make_writer

SATISFACTION = {c.value for c in WorkOrder.Satisfaction}

# Record tuple order written to complaints_workorder (model field names).
ORDER_FIELDS = (
    "order_no", "accepted_at", "business_type", "is_complaint", "category", "subcategory", "detail",
    "customer", "customer_name", "phone", "city", "county", "station", "district", "feeder",
    "responsible_dept", "dispatched_at", "acknowledged_at", "closed_at", "satisfaction", "content",
)
_F = {name: i for i, name in enumerate(ORDER_FIELDS)}


def _maxlen(model, name):
    return model._meta.get_field(name).max_length


class WorkOrderImporter(Importer):
    kind = "workorders"
    columns = (
        Column("order_no", "工单编号", required=True),
        Column("accepted_at", "受理时间", required=True),
        Column("business_type", "业务类型", required=True),
        Column("category", "一级分类"),
        Column("subcategory", "二级分类"),
        Column("detail", "三级分类"),
        Column("customer_no", "客户编号"),
        Column("customer_name", "客户名称"),
        Column("phone", "联系电话"),
        Column("city_unit", "地市单位", required=True),
        Column("county_unit", "县级单位"),
        Column("station", "供电所"),
        Column("district_code", "台区编号"),
        Column("district_name", "台区名称"),
        Column("feeder", "线路名称"),
        Column("responsible_dept", "责任部门"),
        Column("dispatched_at", "派单时间"),
        Column("acknowledged_at", "接单时间"),
        Column("closed_at", "办结时间"),
        Column("satisfaction", "回访满意度"),
        Column("content", "受理内容"),
    )

    LIMITS = {
        "order_no": _maxlen(WorkOrder, "order_no"),
        "customer_no": _maxlen(Customer, "customer_no"),
        "customer_name": _maxlen(WorkOrder, "customer_name"),
        "phone": _maxlen(WorkOrder, "phone"),
        "city_unit": 100, "county_unit": 100, "station": 100,
        "district_code": _maxlen(District, "code"),
        "district_name": _maxlen(District, "name"),
        "feeder": 100,
    }

    def prepare(self) -> None:
        self.business_types = {n: (pk, c) for pk, n, c in
                               BusinessType.objects.values_list("pk", "name", "counts_as_complaint")}
        self.categories = dict(Category.objects.values_list("name", "pk"))
        self.subcategories = {(c, n): pk for pk, c, n in SubCategory.objects.values_list("pk", "category_id", "name")}
        self.details = {(s, n): pk for pk, s, n in Detail.objects.values_list("pk", "subcategory_id", "name")}
        self.departments = dict(Department.objects.values_list("name", "pk"))
        self.orgs = OrgUnits()
        self.feeders = Feeders()
        self.districts = district_codes()
        self.new_districts: dict[str, District] = {}
        # customer_no → [name, phone, district]; merged per chunk (a blank never
        # overwrites a known value) and upserted before the chunk's orders.
        self.customers: dict[str, list] = {}
        self.order_writer = make_writer(connection, UpsertSpec(WorkOrder, ORDER_FIELDS, ("order_no",), "imported_at"))
        self.customer_writer = make_writer(connection, UpsertSpec(
            Customer, ("customer_no", "name", "phone", "district"), ("customer_no",),
            merge={
                "name": "CASE WHEN {new} <> '' THEN {new} ELSE {old} END",
                "phone": "CASE WHEN {new} <> '' THEN {new} ELSE {old} END",
                "district_code": "COALESCE({new}, {old})",
            },
            insert_only={"sensitive": False, "sensitive_note": ""},
        ))

    def parse(self, row: int, cells: list):
        v = self.values(cells)
        get = v.get
        ok = True

        def bad(fld, reason):
            nonlocal ok
            ok = False
            self.error(row, fld, reason)

        for fld, limit in self.LIMITS.items():
            value = get(fld, "")
            if not isinstance(value, str):
                v[fld] = value = parsing.parse_text(value, max_length=10_000)
            if len(value) > limit:
                bad(fld, f"长度 {len(value)} 超过上限 {limit}")

        order_no = v["order_no"]
        if not order_no:
            bad("order_no", "工单编号不能为空")
        elif not self.check_duplicate(row, order_no, "order_no", f"工单编号 {order_no}"):
            ok = False

        accepted_at = None
        if v["accepted_at"] == "":
            bad("accepted_at", "受理时间不能为空")
        else:
            try:
                accepted_at = parsing.parse_datetime(v["accepted_at"])
            except ValueError as exc:
                bad("accepted_at", str(exc))

        bt_name = v["business_type"]
        bt = self.business_types.get(bt_name)
        is_complaint = False
        if not bt_name:
            bad("business_type", "业务类型不能为空")
        elif bt is None:
            bad("business_type", f"未知的业务类型“{bt_name}”（可选：{'、'.join(self.business_types)}）")
        else:
            is_complaint = bt[1]

        category_id = subcategory_id = detail_id = None
        cat_name, sub_name, det_name = get("category", ""), get("subcategory", ""), get("detail", "")
        if cat_name:
            category_id = self.categories.get(cat_name)
            if category_id is None:
                bad("category", f"未知的一级分类“{cat_name}”")
        elif is_complaint:
            bad("category", "投诉工单必须填写一级分类")
        if sub_name:
            if not cat_name:
                bad("subcategory", "填写了二级分类，但一级分类为空")
            elif category_id is not None:
                subcategory_id = self.subcategories.get((category_id, sub_name))
                if subcategory_id is None:
                    bad("subcategory", f"二级分类“{sub_name}”不属于一级分类“{cat_name}”")
        if det_name:
            if not sub_name:
                bad("detail", "填写了三级分类，但二级分类为空")
            elif subcategory_id is not None:
                detail_id = self.details.get((subcategory_id, det_name))
                if detail_id is None:
                    bad("detail", f"三级分类“{det_name}”不属于二级分类“{sub_name}”")

        customer_no = get("customer_no", "")
        if not customer_no and is_complaint:
            bad("customer_no", "投诉工单必须填写客户编号")

        times = {}
        for fld in ("dispatched_at", "acknowledged_at", "closed_at"):
            raw = get(fld, "")
            times[fld] = None
            if raw != "":
                try:
                    times[fld] = parsing.parse_datetime(raw)
                except ValueError as exc:
                    bad(fld, str(exc))
        if times["closed_at"] and accepted_at and times["closed_at"] < accepted_at:
            bad("closed_at", "办结时间早于受理时间")

        satisfaction = get("satisfaction", "")
        if satisfaction not in SATISFACTION and satisfaction != "":
            bad("satisfaction", f"回访满意度只能是 满意/基本满意/不满意 或空白，不能是“{satisfaction}”")

        dept_name = get("responsible_dept", "")
        dept_id = None
        if dept_name:
            dept_id = self.departments.get(dept_name)
            if dept_id is None:
                bad("responsible_dept", f"责任部门只能是 {'/'.join(self.departments)}，不能是“{dept_name}”")

        city = v["city_unit"]
        if not city:
            bad("city_unit", "地市单位不能为空")
        content = get("content", "")
        if not isinstance(content, str):
            content = parsing.parse_text(content, max_length=1 << 20)
        if not ok:
            return None

        # Valid: resolve (and create where new) org units, feeder, 台区, customer.
        city_id, county_id, station_id = self.orgs.resolve(city, get("county_unit", ""), get("station", ""))
        feeder_name = get("feeder", "")
        feeder_id = self.feeders.get_or_create(feeder_name, city_id) if feeder_name else None
        code = get("district_code", "") or None
        if code and code not in self.districts:
            self.districts.add(code)
            self.new_districts[code] = District(
                code=code, name=get("district_name", ""), city_id=city_id, county_id=county_id,
                station_id=station_id, feeder_id=feeder_id)
        customer_name, phone = get("customer_name", ""), get("phone", "")
        if customer_no:
            known = self.customers.get(customer_no)
            if known is None:
                self.customers[customer_no] = [customer_name, phone, code]
            else:
                known[0] = customer_name or known[0]
                known[1] = phone or known[1]
                known[2] = code or known[2]
        return (
            order_no, accepted_at, bt[0], is_complaint, category_id, subcategory_id, detail_id,
            customer_no or None, customer_name, phone, city_id, county_id, station_id, code, feeder_id,
            dept_id, times["dispatched_at"], times["acknowledged_at"], times["closed_at"], satisfaction, content,
        )

    def write(self, records: list) -> None:
        # Parents first: new 台区 and customers, then the orders that point at them.
        if self.new_districts:
            District.objects.bulk_create(self.new_districts.values(), batch_size=1000)
            self.new_districts = {}
        if self.customers:
            self.customer_writer.write([(no, *rest) for no, rest in self.customers.items()])
            self.customers = {}
        self.order_writer.write(records)
        self.created, self.updated, self.unchanged = (
            self.order_writer.created, self.order_writer.updated, self.order_writer.unchanged)

    def finish(self) -> None:
        self.order_writer.close()
        self.customer_writer.close()
