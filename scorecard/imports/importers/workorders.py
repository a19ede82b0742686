"""KIND ``workorders``: the 95598 work-order export (key 工单编号)."""
from __future__ import annotations

from django.db import connection

from scorecard.grid.models import Department, District, Feeder, OrgUnit

from scorecard.complaints.models import BusinessType, Category, Customer, Detail, SubCategory, WorkOrder
from . import parsing
from .base import Column, Importer, local_month
from .caches import Feeders, OrgUnits, UnknownUnit, district_codes
from .parsing import copy_text, parse_date_only, parse_datetime
from .writers import Derived, UpsertSpec, make_writer

SATISFACTION = [c.value for c in WorkOrder.Satisfaction]
# An unknown category is a new entry of the official list more often than a typo.
TAXONOMY_HINT = "（如为新分类，请先导入分类目录：import_data taxonomy）"
# The column an unknown org unit is reported in, by level (UnknownUnit.level).
UNIT_FIELDS = ("city_unit", "county_unit", "station")

# Record tuple order written to complaints_workorder (model field names).
ORDER_FIELDS = (
    "order_no", "accepted_at", "business_type", "is_complaint", "category", "subcategory", "detail",
    "customer", "customer_name", "phone", "city", "county", "station", "district", "feeder",
    "responsible_dept", "dispatched_at", "acknowledged_at", "closed_at", "satisfaction", "content",
    "valid", "at_fault", "downgraded",
)
# 是否属实 / 是否有责 / 是否降级 as exports write them (more spellings are value aliases in the profile).
VALIDITY = {"": "", "属实": "属实", "是": "属实", "不属实": "不属实", "否": "不属实"}
FAULT = {"": "", "有责": "有责", "是": "有责", "无责": "无责", "否": "无责"}
DOWNGRADED = {"": False, "否": False, "是": True, "降级": True, "降级为意见": True}


def _maxlen(model, name):
    return model._meta.get_field(name).max_length


class WorkOrderImporter(Importer):
    kind = "workorders"
    # A province's first load creates nearly as many customers as orders.
    bulk_models = (WorkOrder, Customer)
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
        Column("district_code", "台区编号", needed_for="热点台区（多户、连续月、同比）和瓶颈溯源无法判断"),
        Column("district_name", "台区名称"),
        Column("feeder", "线路名称"),
        Column("responsible_dept", "责任部门"),
        Column("dispatched_at", "派单时间"),
        Column("acknowledged_at", "接单时间", needed_for="2 小时接单率无法计算"),
        Column("closed_at", "办结时间", needed_for="按时办结率和处理时长无法计算（全部工单视为未办结）"),
        Column("satisfaction", "回访满意度", needed_for="满意率无法计算"),
        Column("content", "受理内容"),
        Column("valid", "是否属实"),
        Column("at_fault", "是否有责"),
        Column("downgraded", "是否降级"),
    )

    TEXT_FIELDS = ("order_no", "customer_no", "customer_name", "phone", "city_unit", "county_unit", "station",
                   "district_code", "district_name", "feeder")
    TEXT_LIMITS = (_maxlen(WorkOrder, "order_no"), _maxlen(Customer, "customer_no"),
                   _maxlen(WorkOrder, "customer_name"), _maxlen(WorkOrder, "phone"),
                   _maxlen(OrgUnit, "name"), _maxlen(OrgUnit, "name"), _maxlen(OrgUnit, "name"),
                   _maxlen(District, "code"), _maxlen(District, "name"), _maxlen(Feeder, "name"))
    # Errors of a row are reported in the file's column order.
    FIELD_ORDER = {c.field: i for i, c in enumerate(columns)}
    # The value aliases of these columns go into the lookup tables below: no cost per row.
    absorbs_values = frozenset({"business_type", "category", "subcategory", "detail", "responsible_dept",
                                "satisfaction", "valid", "at_fault", "downgraded"})

    def prepare(self) -> None:
        self.business_types = {n: (pk, c) for pk, n, c in
                               BusinessType.objects.values_list("pk", "name", "counts_as_complaint")}
        self.business_type_names = list(self.business_types)  # what the error message offers
        self.merged("business_type", self.business_types)
        self.categories = self.merged("category", dict(Category.objects.values_list("name", "pk")))
        self.subcategories = {(c, n): pk for pk, c, n in SubCategory.objects.values_list("pk", "category_id", "name")}
        self.details = {(s, n): pk for pk, s, n in Detail.objects.values_list("pk", "subcategory_id", "name")}
        for fld, table in (("subcategory", self.subcategories), ("detail", self.details)):
            for alias, value in self.value_aliases.get(fld, {}).items():  # under every parent that has the value
                for (parent, name), pk in list(table.items()):
                    if name == value:
                        table.setdefault((parent, alias), pk)
        self.departments = dict(Department.objects.values_list("name", "pk"))
        self.department_names = list(self.departments)
        self.merged("responsible_dept", self.departments)
        # 回访满意度 as stored: the three values, blank, and their aliases (未回访 → blank).
        self.satisfaction = self.merged("satisfaction", {v: v for v in ("", *SATISFACTION)})
        self.validity = self.merged("valid", dict(VALIDITY))
        self.fault = self.merged("at_fault", dict(FAULT))
        self.downgrade = self.merged("downgraded", dict(DOWNGRADED))
        self.verified_columns = any(f in self.index for f in ("valid", "at_fault", "downgraded"))
        # Rows whose time column held a date alone, by field (a warning in the summary).
        self.date_only = dict.fromkeys(("accepted_at", "dispatched_at", "acknowledged_at", "closed_at"), 0)
        self.orgs = OrgUnits()
        self.feeders = Feeders()
        self.districts = district_codes()
        self.new_districts: dict[str, tuple] = {}  # code → (name, unit key, feeder name)
        customer_spec = UpsertSpec(
            Customer, ("customer_no", "name", "phone", "district"), ("customer_no",),
            merge={  # a blank never overwrites a known value
                "name": "CASE WHEN {new} <> '' THEN {new} ELSE {old} END",
                "phone": "CASE WHEN {new} <> '' THEN {new} ELSE {old} END",
                "district_code": "COALESCE({new}, {old})",
            },
            insert_only={"sensitive": False, "sensitive_note": ""},
        )
        order_spec = UpsertSpec(WorkOrder, ORDER_FIELDS, ("order_no",), "imported_at")
        # One flag for what PostgreSQL's COPY writer changes here. The orders carry their customers:
        # on PostgreSQL the customers are upserted in SQL from each chunk of orders (a province's
        # first load has nearly one customer per order: not sending them twice saves a third of the
        # import); elsewhere they are merged here, per chunk, in Python. And COPY takes the four
        # times as text (parsing.copy_text); SQLite's writer adapts datetimes.
        self.copy_way = connection.vendor == "postgresql"
        # customer_no → [name, phone, district], the last non-blank value of the chunk.
        self.customers: dict[str, list] = {}
        if self.copy_way:
            self.customer_writer = None
            # A customer's last non-blank name and phone and last 台区 of the chunk. Nearly every
            # customer appears once in a chunk and is taken as it is; only the repeated ones are
            # merged. PostgreSQL 15 sorts each ordered aggregate per group: three for every
            # customer of the chunk cost 13 ms of 5,000 orders, this 3 ms (measured; 2 s of a
            # 1M-order import).
            self.order_writer = make_writer(connection, order_spec, self.lane, derived=[Derived(customer_spec, """
                WITH repeated AS MATERIALIZED (
                    SELECT customer_no FROM {chunk} WHERE customer_no IS NOT NULL
                    GROUP BY customer_no HAVING count(*) > 1)
                SELECT customer_no, customer_name, phone, district_code FROM {chunk}
                WHERE customer_no IS NOT NULL AND customer_no NOT IN (SELECT customer_no FROM repeated)
                UNION ALL
                SELECT customer_no,
                       coalesce((array_agg(customer_name ORDER BY _seq DESC) FILTER (WHERE customer_name <> ''))[1], ''),
                       coalesce((array_agg(phone ORDER BY _seq DESC) FILTER (WHERE phone <> ''))[1], ''),
                       (array_agg(district_code ORDER BY _seq DESC) FILTER (WHERE district_code IS NOT NULL))[1]
                FROM {chunk} WHERE customer_no IN (SELECT customer_no FROM repeated) GROUP BY customer_no""")])
        else:
            self.order_writer = make_writer(connection, order_spec, self.lane)
            self.customer_writer = make_writer(connection, customer_spec, self.lane)

    def parse(self, row: int, cells: list):
        (order_no, accepted_raw, bt_name, cat_name, sub_name, det_name, customer_no, customer_name, phone,
         city, county, station, code, district_name, feeder_name, dept_name, dispatched_raw, acknowledged_raw,
         closed_raw, satisfaction, content, valid_raw, fault_raw, downgraded_raw) = self.take(cells)
        errors = []  # (field, reason)

        texts = (order_no, customer_no, customer_name, phone, city, county, station, code, district_name,
                 feeder_name)
        if not all(type(t) is str for t in texts) or not isinstance(content, str):
            # An Excel date cell where text belongs: keep its text.
            (order_no, customer_no, customer_name, phone, city, county, station, code, district_name,
             feeder_name) = texts = tuple(t if type(t) is str else parsing.parse_text(t, max_length=10_000)
                                          for t in texts)
            content = content if isinstance(content, str) else parsing.parse_text(content, max_length=1 << 20)
        for fld, value, limit in zip(self.TEXT_FIELDS, texts, self.TEXT_LIMITS):
            if len(value) > limit:
                errors.append((fld, f"长度 {len(value)} 超过上限 {limit}"))

        if not order_no:
            errors.append(("order_no", "工单编号不能为空"))
        elif (first := self.seen.setdefault(order_no, row)) != row:
            errors.append(("order_no", f"工单编号 {order_no} 在文件中重复：第 {first} 行已出现"))

        accepted_at = None
        if accepted_raw == "":
            errors.append(("accepted_at", "受理时间不能为空"))
        else:
            try:
                accepted_at = parse_datetime(accepted_raw)
            except ValueError as exc:
                accepted_at = self.day_only(accepted_raw, "accepted_at")
                if accepted_at is None:
                    errors.append(("accepted_at", str(exc)))

        bt = self.business_types.get(bt_name)
        is_complaint = False
        if not bt_name:
            errors.append(("business_type", "业务类型不能为空"))
        elif bt is None:
            errors.append(("business_type",
                           f"未知的业务类型“{bt_name}”（可选：{'、'.join(self.business_type_names)}）"))
        else:
            is_complaint = bt[1]

        category_id = subcategory_id = detail_id = None
        if cat_name:
            category_id = self.categories.get(cat_name)
            if category_id is None:
                errors.append(("category", f"未知的一级分类“{cat_name}”{TAXONOMY_HINT}"))
        elif is_complaint:
            errors.append(("category", "投诉工单必须填写一级分类"))
        if sub_name:
            if not cat_name:
                errors.append(("subcategory", "填写了二级分类，但一级分类为空"))
            elif category_id is not None:
                subcategory_id = self.subcategories.get((category_id, sub_name))
                if subcategory_id is None:
                    errors.append(("subcategory", f"二级分类“{sub_name}”不属于一级分类“{cat_name}”{TAXONOMY_HINT}"))
        if det_name:
            if not sub_name:
                errors.append(("detail", "填写了三级分类，但二级分类为空"))
            elif subcategory_id is not None:
                detail_id = self.details.get((subcategory_id, det_name))
                if detail_id is None:
                    errors.append(("detail", f"三级分类“{det_name}”不属于二级分类“{sub_name}”{TAXONOMY_HINT}"))

        if not customer_no and is_complaint:
            errors.append(("customer_no", "投诉工单必须填写客户编号"))

        dispatched_at = acknowledged_at = closed_at = None
        if dispatched_raw != "":
            try:
                dispatched_at = parse_datetime(dispatched_raw)
            except ValueError as exc:
                dispatched_at = self.day_only(dispatched_raw, "dispatched_at")
                if dispatched_at is None:
                    errors.append(("dispatched_at", str(exc)))
        if acknowledged_raw != "":
            try:
                acknowledged_at = parse_datetime(acknowledged_raw)
            except ValueError as exc:
                acknowledged_at = self.day_only(acknowledged_raw, "acknowledged_at")
                if acknowledged_at is None:
                    errors.append(("acknowledged_at", str(exc)))
        if closed_raw != "":
            try:
                closed_at = parse_datetime(closed_raw)
            except ValueError as exc:
                closed_at = self.day_only(closed_raw, "closed_at")
                if closed_at is None:
                    errors.append(("closed_at", str(exc)))
            if closed_at is not None:
                if accepted_at is not None and closed_at < accepted_at:
                    errors.append(("closed_at", "办结时间早于受理时间"))

        if satisfaction:
            stored = self.satisfaction.get(satisfaction)
            if stored is None:
                errors.append(("satisfaction", f"回访满意度只能是 满意/基本满意/不满意 或空白，不能是“{satisfaction}”"))
            else:
                satisfaction = stored

        valid, at_fault, downgraded = "", "", False
        if self.verified_columns:  # most exports carry none of the three: no lookups per row then
            valid = self.validity.get(valid_raw)
            if valid is None:
                errors.append(("valid", f"是否属实只能是 属实/不属实（或 是/否）或空白，不能是“{valid_raw}”"))
            at_fault = self.fault.get(fault_raw)
            if at_fault is None:
                errors.append(("at_fault", f"是否有责只能是 有责/无责（或 是/否）或空白，不能是“{fault_raw}”"))
            downgraded = self.downgrade.get(downgraded_raw)
            if downgraded is None:
                errors.append(("downgraded", f"是否降级只能是 是/否 或空白，不能是“{downgraded_raw}”"))

        dept_id = None
        if dept_name:
            dept_id = self.departments.get(dept_name)
            if dept_id is None:
                errors.append(("responsible_dept",
                               f"责任部门只能是 {'/'.join(self.department_names)}，不能是“{dept_name}”"))

        unit = None
        if not city:
            errors.append(("city_unit", "地市单位不能为空"))
        else:
            try:
                unit = self.orgs.resolve(city, county, station)
            except UnknownUnit as exc:
                errors.append((UNIT_FIELDS[exc.level], exc.message))
        if errors:
            for fld, reason in sorted(errors, key=lambda e: self.FIELD_ORDER[e[0]]):
                self.error(row, fld, reason)
            return None

        # Valid: note the month, the feeder and 台区 (to create in bulk if new); merge the customer.
        self.months.add(local_month(accepted_at))
        if feeder_name:
            self.feeders.ref(feeder_name, unit)
        code = code or None
        if code and code not in self.districts:
            self.districts.add(code)
            self.new_districts[code] = (district_name, unit, feeder_name)
        if customer_no and not self.copy_way:
            known = self.customers.get(customer_no)
            if known is None:
                self.customers[customer_no] = [customer_name, phone, code]
            else:
                known[0] = customer_name or known[0]
                known[1] = phone or known[1]
                known[2] = code or known[2]
        if self.copy_way:  # the cells themselves where they can be sent as they are (parsing.copy_text)
            accepted_at = copy_text(accepted_raw, accepted_at)
            if dispatched_at is not None:
                dispatched_at = copy_text(dispatched_raw, dispatched_at)
            if acknowledged_at is not None:
                acknowledged_at = copy_text(acknowledged_raw, acknowledged_at)
            if closed_at is not None:
                closed_at = copy_text(closed_raw, closed_at)
        # city/county/station and feeder hold names here; write() swaps in ids.
        return (
            order_no, accepted_at, bt[0], is_complaint, category_id, subcategory_id, detail_id,
            customer_no or None, customer_name, phone, unit, None, None, code, feeder_name,
            dept_id, dispatched_at, acknowledged_at, closed_at, satisfaction, content, valid, at_fault, downgraded,
        )

    def write(self, records: list) -> None:
        # Parents first: feeders, new 台区 and customers, then the orders (org units all exist).
        if self.feeders.pending or self.new_districts:
            self.lane.drain()  # the ORM may only use the connection once the lane is idle
        self.feeders.flush(self.orgs)
        if self.new_districts:
            ids, feeder_id = self.orgs.ids, self.feeders.id
            District.objects.bulk_create([
                District(code=code, name=name, city_id=ids(unit)[0], county_id=ids(unit)[1],
                         station_id=ids(unit)[2], feeder_id=feeder_id(feeder))
                for code, (name, unit, feeder) in self.new_districts.items()], batch_size=1000)
            self.new_districts = {}
        if self.customers:
            self.customer_writer.write([(no, *rest) for no, rest in self.customers.items()])
            self.customers = {}
        ids, feeder_id = self.orgs.ids, self.feeders.id
        self.order_writer.write([
            (*r[:10], *ids(r[10]), r[13], feeder_id(r[14]), *r[15:]) for r in records])

    def counts(self):
        return self.order_writer.created, self.order_writer.updated, self.order_writer.unchanged

    def day_only(self, value, fld: str):
        """A time cell that held a date alone (受理日期, 办结日期): its moment, counted for the warning;
        None if it is no date either. Reached only when ``parse_datetime`` refused the cell, so the
        common cell (a date and a time) pays nothing for it."""
        moment = parse_date_only(value, end_of_day=fld != "accepted_at")
        if moment is not None:
            self.date_only[fld] += 1
        return moment

    # What a date without a time costs each column's figures (see parsing.parse_date_only).
    DATE_ONLY_EFFECT = {
        "accepted_at": "按当日 0 点计，时段分布把这些投诉计入 0 时",
        "dispatched_at": "按当日 23:59:59 计",
        "acknowledged_at": "按当日 23:59:59 计，2 小时接单率按未及时计",
        "closed_at": "按当日 23:59:59 计，处理时长按最长计",
    }

    def row_warnings(self) -> list[str]:
        return [f"“{self.headers.get(fld) or fld}”列有 {n} 行只有日期、没有时刻：{self.DATE_ONLY_EFFECT[fld]}"
                for fld, n in self.date_only.items() if n]

    def finish(self) -> None:
        self.order_writer.close()
        if self.customer_writer is not None:
            self.customer_writer.close()
