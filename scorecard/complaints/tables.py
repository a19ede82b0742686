"""django-tables2 tables of the analysis pages.

Every row links to the drill-down order list with the query parameters of the
figure it belongs to. Customer names and phone numbers are masked (张*,
138****1234) unless the table is built with ``show_personal=True`` — analysts
only (``core.roles.can_see_personal_data``); exports mask the same way.
"""
from urllib.parse import urlencode

import django_tables2 as tables
from django_tables2.data import TableListData
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from scorecard.accounts.scoping import mask_name, mask_phone, mask_text
from scorecard.core.numbers import COUNT, RATE, display
from scorecard.core.tables import FigureColumn

from .links import order_link
from .selectors import REPEAT_DEMAND_DAYS


# Counts carry thousands separators and rates two decimals, as on every page (core.numbers, issue #14).
NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


def orders_url(params: dict, **extra) -> str:
    query = {k: v for k, v in {**params, **extra}.items() if v not in (None, "")}
    return reverse("analysis:orders") + ("?" + urlencode(query) if query else "")


class LocalDateTimeColumn(tables.DateTimeColumn):
    """Shown and exported as local (Asia/Shanghai) "YYYY-MM-DD HH:MM", never as UTC."""

    def __init__(self, *args, **kwargs):
        # class "datetime": never wrapped (app.css), 「2026-11-30 19:59」 stays on one line.
        kwargs.setdefault("attrs", {"td": {"class": "datetime"}, "th": {"class": "datetime"}})
        super().__init__(*args, format="Y-m-d H:i", **kwargs)

    def render(self, value):
        # DateTimeColumn compiles a template for every cell (2 per order row); the same text directly.
        return localtime(value).strftime("%Y-%m-%d %H:%M")

    def value(self, value):
        return self.render(value) if value else ""


class PersonalDataMixin:
    """``show_personal``: full customer names and phone numbers (analysts); masked otherwise."""

    show_personal = False

    def shown_name(self, value):
        return (value or "") if self.show_personal else mask_name(value or "")

    def shown_phone(self, value):
        return (value or "") if self.show_personal else mask_phone(value or "")

    def shown_text(self, value):
        """Free text (a note): phone-like digit runs masked outside the analyst role."""
        return (value or "") if self.show_personal else mask_text(value or "")


class LinkedTable(PersonalDataMixin, tables.Table):
    """A table whose rows link to the orders behind them; ``params`` = the page's month/unit."""

    def __init__(self, *args, params: dict | None = None, show_personal: bool = False, **kwargs):
        self.params = params or {}
        self.show_personal = show_personal
        super().__init__(*args, **kwargs)

    def link(self, text, **extra):
        return format_html('<a href="{}">{}</a>', orders_url(self.params, **extra), text)


class HotspotData(TableListData):
    """Hotspot rows (plain dicts, thousands for a province) sorted with plain keys.

    django-tables2's list sort resolves an Accessor for every row and key (0.1 s per 9,000
    rows); here one stable sort per column, least significant first, with None first as
    django-tables2 orders it. Only for tables whose columns are the dicts' own keys."""

    def order_by(self, aliases):
        for alias in reversed(list(aliases)):
            name = alias.lstrip("-")
            self.data.sort(key=lambda row, name=name: (row[name] is not None, row[name]),
                           reverse=alias.startswith("-"))


class HotspotTable(LinkedTable):
    code = tables.Column(verbose_name=_("台区编号"))
    name = tables.Column(verbose_name=_("台区名称"))
    city = tables.Column(verbose_name=_("地市单位"))
    county = tables.Column(verbose_name=_("县级单位"))
    complaints = FigureColumn(verbose_name=_("投诉件数"), kind=COUNT, attrs=NUM)
    customers = FigureColumn(verbose_name=_("投诉客户数"), kind=COUNT, attrs=NUM)

    class Meta:
        order_by = ("-complaints", "code")
        attrs = {"class": "data"}
        empty_text = _("本月没有此类热点台区。")

    def render_code(self, value):
        return self.link(value, district=value)

    def render_complaints(self, value, record):
        return self.link(display(value, COUNT), district=record["code"])

    def value_code(self, value):
        return value

    def value_complaints(self, value):
        return value


class RisingTable(LinkedTable):
    """Units, feeders or sub-categories whose complaints rose month on month."""

    name = tables.Column(verbose_name=_("名称"))
    previous = FigureColumn(verbose_name=_("上月"), kind=COUNT, attrs=NUM)
    current = FigureColumn(verbose_name=_("本月"), kind=COUNT, attrs=NUM)
    increase = FigureColumn(verbose_name=_("增加"), kind=COUNT, attrs=NUM)
    increase_pct = FigureColumn(verbose_name=_("环比增幅(%)"), kind=RATE, attrs=NUM, default="—")

    class Meta:
        orderable = False
        attrs = {"class": "data"}
        empty_text = _("没有环比上升的项目。")

    def __init__(self, *args, link_param: str, link_key: str = "id", **kwargs):
        # link_key: the row's value the link carries (feeders: their name, as the 线路 filter takes it).
        self.link_param, self.link_key = link_param, link_key
        super().__init__(*args, **kwargs)

    def render_name(self, value, record):
        return self.link(value, **{self.link_param: record[self.link_key]})

    def value_name(self, value):
        return value


class HotTopicTable(RisingTable):
    category = tables.Column(verbose_name=_("一级分类"))

    class Meta(RisingTable.Meta):
        sequence = ("category", "name", "...")


class CustomerColumnsMixin:
    def render_customer_id(self, value):
        return format_html('<a href="{}">{}</a>', orders_url({}, customer=value), value)

    def value_customer_id(self, value):
        return value

    def render_customer__name(self, value):
        return self.shown_name(value)

    def value_customer__name(self, value):
        return self.shown_name(value)


class RepeatDemandTable(CustomerColumnsMixin, LinkedTable):
    customer_id = tables.Column(verbose_name=_("客户编号"))
    customer__name = tables.Column(verbose_name=_("客户名称"))
    # The look-back named from the constant the selector counts with, in the page's language.
    complaints = FigureColumn(verbose_name=lazy(lambda: _("%(d)s天内投诉") % {"d": REPEAT_DEMAND_DAYS}, str)(),
                              kind=COUNT, attrs=NUM)
    last_at = LocalDateTimeColumn(verbose_name=_("最近受理"))
    customer__sensitive = tables.BooleanColumn(verbose_name=_("敏感客户"))

    class Meta:
        orderable = False
        attrs = {"class": "data"}
        row_attrs = {"class": lambda record: "sensitive" if record.get("customer__sensitive") else ""}
        empty_text = _("没有重复诉求客户。")


class SensitiveCustomerTable(CustomerColumnsMixin, LinkedTable):
    customer_id = tables.Column(verbose_name=_("客户编号"))
    customer__name = tables.Column(verbose_name=_("客户名称"))
    customer__sensitive_note = tables.Column(verbose_name=_("敏感说明"))
    complaints = FigureColumn(verbose_name=_("本月投诉"), kind=COUNT, attrs=NUM)
    last_at = LocalDateTimeColumn(verbose_name=_("最近受理"))

    class Meta:
        orderable = False
        attrs = {"class": "data"}
        row_attrs = {"class": "sensitive"}
        empty_text = _("本月敏感客户没有新投诉。")

    def render_customer__sensitive_note(self, value):
        return self.shown_text(value)

    value_customer__sensitive_note = render_customer__sensitive_note

    def render_complaints(self, value, record):
        return self.link(display(value, COUNT), customer=record["customer_id"])

    def value_complaints(self, value):
        return value


class OrderTable(PersonalDataMixin, tables.Table):
    """The drill-down list. Rows of sensitive customers carry the class ``sensitive`` (highlighted)."""

    order_no = tables.Column(verbose_name=_("工单编号"), attrs={"td": {"class": "order_no"}})
    accepted_at = LocalDateTimeColumn(verbose_name=_("受理时间"))
    business_type = tables.Column(verbose_name=_("业务类型"), accessor="business_type__name")
    category = tables.Column(verbose_name=_("一级分类"), accessor="category__name")
    subcategory = tables.Column(verbose_name=_("二级分类"), accessor="subcategory__name")
    detail = tables.Column(verbose_name=_("三级分类"), accessor="detail__name")
    customer = tables.Column(verbose_name=_("客户编号"), accessor="customer_id")
    customer_name = tables.Column(verbose_name=_("客户名称"))
    phone = tables.Column(verbose_name=_("联系电话"))
    city = tables.Column(verbose_name=_("地市单位"), accessor="city__name")
    county = tables.Column(verbose_name=_("县级单位"), accessor="county__name")
    district = tables.Column(verbose_name=_("台区编号"), accessor="district_id")
    feeder = tables.Column(verbose_name=_("线路"), accessor="feeder__name")
    closed_at = LocalDateTimeColumn(verbose_name=_("办结时间"))
    satisfaction = tables.Column(verbose_name=_("回访满意度"))

    class Meta:
        attrs = {"class": "data orders"}
        row_attrs = {
            "class": lambda record: "sensitive" if record.customer_id and record.customer.sensitive else "",
            "data-order": lambda record: record.order_no,
        }
        empty_text = _("没有符合条件的工单。")
        per_page = 50

    def render_customer(self, value, record):
        mark = format_html(' <span class="badge">{}</span>', _("敏感")) if record.customer.sensitive else ""
        return format_html('<a href="{}">{}</a>{}', orders_url({}, customer=value), value, mark)

    def __init__(self, *args, show_personal: bool = False, late: bool = False, **kwargs):
        self.show_personal = show_personal
        self.late = late  # 补录 rows of a published month: marked, they are not in its figures
        super().__init__(*args, **kwargs)

    def render_order_no(self, value):
        if self.late:
            return format_html('{} <span class="badge late">{}</span>', order_link(value), _("补录"))
        return order_link(value)

    def value_order_no(self, value):
        return value

    def render_customer_name(self, value):
        return self.shown_name(value)

    def value_customer_name(self, value):
        return self.shown_name(value)

    def render_phone(self, value):
        return self.shown_phone(value)

    def value_phone(self, value):
        return self.shown_phone(value)

    def value_customer(self, value):
        return value
