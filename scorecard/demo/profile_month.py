"""A province month that reproduces domain.md's published complaint profile exactly.

``build_profile_month()`` creates (via the ORM, in bulk) org units, feeders,
台区, customers and work orders such that ``complaint_profile --month 2018-03``
gives the published figures:

* 1245 complaints: 供电质量 562 (45.14 %), 营业 290 (23.29 %), 服务 287 (23.05 %),
  停送电 59 (4.74 %), 电网建设 47 (3.78 %);
* 频繁停电 486 (39.04 %), 服务不规范 215 (17.27 %), 电压质量长时间异常 75 (6.02 %)
  from 31 over-voltage and 27 low-voltage customers (17 of them complain twice);
* 39 multi-customer, 33 consecutive-month and 4 same-month-last-year 台区;
* hourly peaks 19:00, 11:00, 17:00, fewest at night.

It also carries the traps of a real export, each placed so that a wrong
reading of a definition changes a published figure:

* non-complaint orders (咨询, 故障报修, 意见 ... some with a category) in the same
  台区 and month: counted, they would add multi-customer 台区, a 32nd
  over-voltage customer and shift the shares;
* one customer complaining several times in one 台区 (not multi-customer), a
  complaint without a customer next to a single customer (not multi-customer);
* complaints without a 台区 in this, the previous and last year's month
  (they never form a hotspot);
* complaints in the month after, the month before the previous, two years
  before and in the neighbouring months of last year, in 台区 that must not
  become consecutive or same-month-last-year hits;
* complaints just after local midnight at the month edges (Asia/Shanghai is
  UTC+8: a UTC month would move them, and the hourly profile with them).

The previous month (1157 complaints) and last year's month (1083) are filled
too, so month-on-month (+7.61 %) and year-on-year (+14.96 %) changes, hot
topics and regional demands have data.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from scorecard.complaints.models import BusinessType, Customer, Detail, SubCategory, WorkOrder
from scorecard.grid.models import District, Feeder, OrgUnit
from scorecard.months import shift

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PROVINCE = "国网湖南省电力有限公司"
CITIES = {
    "国网长沙供电公司": ("长沙", ["长沙县", "浏阳市"]),
    "国网株洲供电公司": ("株洲", ["攸县", "醴陵市"]),
    "国网湘潭供电公司": ("湘潭", ["湘潭县", "湘乡市"]),
    "国网衡阳供电公司": ("衡阳", ["衡阳县", "耒阳市"]),
    "国网岳阳供电公司": ("岳阳", ["岳阳县", "平江县"]),
}
STATION_NAMES = ["城关供电所", "城郊供电所"]
CODE_PREFIX = "TQPM"  # 台区 codes of this generator (distinct from the province generator's)

# (category, subcategory, detail) -> complaints of the month. Shares are checked by the tests.
MONTH_SUBCATEGORIES = {
    ("供电质量", "频繁停电", None): 486,
    ("供电质量", "电压质量长时间异常", "过电压"): 40,
    ("供电质量", "电压质量长时间异常", "低电压"): 35,
    ("供电质量", "供电频率长时间异常", None): 1,
    ("营业", "业扩报装", None): 60,
    ("营业", "用电变更", None): 40,
    ("营业", "抄表催费", None): 45,
    ("营业", "电费电价", None): 70,
    ("营业", "电能计量", None): 50,
    ("营业", "业务收费", None): 25,
    ("服务", "服务不规范", None): 215,
    ("服务", "服务态度", None): 50,
    ("服务", "营业厅服务", None): 22,
    ("停送电", "停送电信息公告", None): 12,
    ("停送电", "计划停电", None): 17,
    ("停送电", "故障抢修", "抢修超时限"): 18,
    ("停送电", "故障抢修", "抢修质量"): 12,
    ("电网建设", "施工影响", None): 20,
    ("电网建设", "线路迁改", None): 15,
    ("电网建设", "工程质量", None): 12,
}
PREVIOUS_SUBCATEGORIES = {
    ("供电质量", "频繁停电", None): 430,
    ("供电质量", "电压质量长时间异常", "过电压"): 36,
    ("供电质量", "电压质量长时间异常", "低电压"): 34,
    ("供电质量", "供电频率长时间异常", None): 2,
    ("营业", "业扩报装", None): 62,
    ("营业", "用电变更", None): 38,
    ("营业", "抄表催费", None): 50,
    ("营业", "电费电价", None): 60,
    ("营业", "电能计量", None): 47,
    ("营业", "业务收费", None): 25,
    ("服务", "服务不规范", None): 180,
    ("服务", "服务态度", None): 55,
    ("服务", "营业厅服务", None): 20,
    ("停送电", "停送电信息公告", None): 10,
    ("停送电", "计划停电", None): 25,
    ("停送电", "故障抢修", "抢修超时限"): 18,
    ("停送电", "故障抢修", "抢修质量"): 12,
    ("电网建设", "施工影响", None): 20,
    ("电网建设", "线路迁改", None): 16,
    ("电网建设", "工程质量", None): 17,
}
MONTH_TOTAL = 1245
PREVIOUS_TOTAL = 1157
LAST_YEAR_TOTAL = 1083
# Complaints by local hour: 19 > 11 > 17 > the rest, nights lowest.
HOURLY = [6, 4, 3, 3, 4, 8, 20, 38, 62, 78, 86, 101, 66, 52, 60, 74, 82, 96, 90, 108, 80, 60, 40, 24]
OVER_VOLTAGE_CUSTOMERS = (22, 9)  # (customers with one complaint, with two): 31 customers, 40 complaints
LOW_VOLTAGE_CUSTOMERS = (19, 8)  # 27 customers, 35 complaints
MULTI_PATTERN = [2, 3, 2, 2, 4, 3]  # customers in each multi-customer 台区, cycled
MULTI_DISTRICTS = 39
CONSECUTIVE_FROM_MULTI, CONSECUTIVE_FROM_SINGLE = 20, 13
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华红志国建文斌海波辉鹏飞玉凤春梅"


@dataclass
class _Slot:
    """One complaint of the month before categories and times are dealt out."""

    customer: str | None
    district: District | None
    kind: str = "other"  # "over" / "low" for voltage customers
    when: datetime | None = None  # fixed time (edge-of-month traps) or None = dealt


@dataclass
class ProfileMonth:
    month: date
    province: OrgUnit
    cities: list = field(default_factory=list)
    multi: list = field(default_factory=list)
    consecutive: list = field(default_factory=list)
    same_month_last_year: list = field(default_factory=list)
    orders: int = 0


_shift = shift  # scorecard.months: one definition of a month


def _days(first: date) -> int:
    return (_shift(first, 1) - first).days


class _Builder:
    def __init__(self, month: date, seed: int):
        self.month = month
        self.rng = random.Random(seed)
        self.orders: list[WorkOrder] = []
        self.customers: dict[str, Customer] = {}
        self.seq = 0
        self.types = {b.name: b for b in BusinessType.objects.all()}
        self.subcats = {(s.category.name, s.name): s for s in SubCategory.objects.select_related("category")}
        self.details = {(d.subcategory.category.name, d.subcategory.name, d.name): d
                        for d in Detail.objects.select_related("subcategory__category")}

    # --- org and grid -------------------------------------------------------------------------------
    def build_org(self):
        province = OrgUnit.objects.filter(level=OrgUnit.Level.PROVINCE).first()
        if province is None:
            province = OrgUnit.objects.create(name=PROVINCE, level=OrgUnit.Level.PROVINCE)
        self.province = province
        self.cities, self.places = [], []  # places: (city, county, station, feeder)
        for city_name, (short, counties) in CITIES.items():
            city = OrgUnit.objects.filter(name=city_name, level=OrgUnit.Level.CITY).first()
            if city is None:
                city = OrgUnit.objects.create(name=city_name, level=OrgUnit.Level.CITY, parent=province)
            self.cities.append(city)
            for c, county_name in enumerate(counties):
                county, _ = OrgUnit.objects.get_or_create(
                    parent=city, name=county_name + "供电公司", defaults={"level": OrgUnit.Level.COUNTY})
                for s, station_name in enumerate(STATION_NAMES):
                    station, _ = OrgUnit.objects.get_or_create(
                        parent=county, name=county_name[:2] + station_name, defaults={"level": OrgUnit.Level.STATION})
                    feeder, _ = Feeder.objects.get_or_create(name=f"{short}PM{c + 1}{s + 1}线", defaults={"city": city})
                    self.places.append((city, county, station, feeder))

    def build_districts(self, count: int) -> list[District]:
        if District.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise RuntimeError(f"台区 {CODE_PREFIX}… already exist: the profile month is built once per database")
        districts = []
        for i in range(count):
            city, county, station, feeder = self.places[i % len(self.places)]
            districts.append(District(
                code=f"{CODE_PREFIX}{i + 1:05d}", name=f"{station.name[:2]}{i + 1}号台区", city=city, county=county,
                station=station, feeder=feeder, capacity_kva=self.rng.choice([200, 315, 400, 630]),
                customers=self.rng.randint(80, 400)))
        District.objects.bulk_create(districts, batch_size=1000)
        return districts

    # --- customers and orders -----------------------------------------------------------------------
    def customer(self, district: District | None) -> str:
        no = f"PM{len(self.customers) + 1:08d}"
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))
        self.customers[no] = Customer(customer_no=no, name=name, phone=f"139{self.rng.randint(0, 99999999):08d}",
                                      district=district)
        return no

    def random_time(self, first: date, *, hour: int | None = None) -> datetime:
        day = self.rng.randint(1, _days(first))
        hour = self.rng.choice(range(7, 22)) if hour is None else hour
        return datetime(first.year, first.month, day, hour, self.rng.randint(0, 59), self.rng.randint(0, 59),
                        tzinfo=LOCAL_TZ)

    def order(self, *, when: datetime, customer: str | None, district: District | None, key=None,
              business_type: str = "投诉", city_index: int = 0):
        self.seq += 1
        if district is not None:
            city, county, station, feeder = district.city, district.county, district.station, district.feeder
        else:
            city, county, station, feeder = self.places[city_index % len(self.places)]
            station = feeder = None  # exports often lack the station when the 台区 is unknown
        category = subcategory = detail = None
        if key is not None:
            subcategory = self.subcats[key[:2]]
            category = subcategory.category
            detail = self.details[key] if key[2] else None
        btype = self.types[business_type]
        closed = when + timedelta(hours=self.rng.randint(2, 90))
        self.orders.append(WorkOrder(
            order_no=f"PM{when:%Y%m}{self.seq:06d}", accepted_at=when, business_type=btype,
            is_complaint=btype.counts_as_complaint, category=category, subcategory=subcategory, detail=detail,
            customer_id=customer, customer_name=self.customers[customer].name if customer else "",
            city=city, county=county, station=station, district=district, feeder=feeder,
            dispatched_at=when + timedelta(minutes=15), acknowledged_at=when + timedelta(minutes=50),
            closed_at=closed, satisfaction=self.rng.choice(["满意", "满意", "基本满意", "不满意", ""]),
            content=f"{key[1] if key else business_type}相关诉求"))

    def deal(self, counts: dict) -> list:
        keys = [key for key, n in counts.items() for _ in range(n)]
        self.rng.shuffle(keys)
        return keys


def build_profile_month(month: date | str = "2018-03", *, seed: int = 20180301) -> ProfileMonth:
    """Create the profile month (and its context months) in the current database; see the module doc."""
    if isinstance(month, str):
        year, mon = (int(x) for x in month.split("-"))
        month = date(year, mon, 1)
    with transaction.atomic():
        return _build(month, seed)


def _build(month: date, seed: int) -> ProfileMonth:
    b = _Builder(month, seed)
    b.build_org()
    rng = b.rng
    prev, last_year = _shift(month, -1), _shift(month, -12)
    districts = iter(b.build_districts(1400))

    # --- this month's complaint slots: who complains where ----------------------------------------
    slots: list[_Slot] = []
    multi = []
    for i in range(MULTI_DISTRICTS):
        d = next(districts)
        multi.append(d)
        for k in range(MULTI_PATTERN[i % len(MULTI_PATTERN)]):
            no = b.customer(d)
            slots += [_Slot(no, d)] * (2 if (i + k) % 5 == 0 else 1)
    voltage = []
    for kind, (once, twice) in (("over", OVER_VOLTAGE_CUSTOMERS), ("low", LOW_VOLTAGE_CUSTOMERS)):
        for j in range(once + twice):
            d = next(districts)
            voltage.append(d)
            slots += [_Slot(b.customer(d), d, kind)] * (2 if j >= once else 1)
    no_district = [b.customer(None) for _ in range(24)]
    slots += [_Slot(no, None) for no in no_district] + [_Slot(no_district[0], None)]
    # One customer and one complaint without a customer number: still a single-customer 台区.
    lone = next(districts)
    lone_no = b.customer(lone)
    slots += [_Slot(lone_no, lone), _Slot(None, lone)]
    # Three customers complaining three times each in their own 台区: still single-customer.
    singles = [lone]
    for _ in range(3):
        d = next(districts)
        singles.append(d)
        slots += [_Slot(b.customer(d), d)] * 3
    # Edge of month: 00:20 and 02:10 on the 1st (UTC: still the month before) by a customer who
    # complains again later; a UTC month would drop these and turn the 台区 "consecutive".
    d = next(districts)
    singles.append(d)
    no = b.customer(d)
    first_day = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    slots += [_Slot(no, d, when=first_day + timedelta(minutes=20)),
              _Slot(no, d, when=first_day + timedelta(hours=2, minutes=10)), _Slot(no, d)]
    while len(slots) < MONTH_TOTAL:
        d = next(districts)
        singles.append(d)
        no = b.customer(d)
        slots += [_Slot(no, d)] * (2 if len(singles) % 9 == 0 and len(slots) < MONTH_TOTAL - 1 else 1)
    assert len(slots) == MONTH_TOTAL, len(slots)

    # --- deal categories and hours -----------------------------------------------------------------
    keys = b.deal({k: n for k, n in MONTH_SUBCATEGORIES.items() if k[1] != "电压质量长时间异常"})
    hours = [h for h, n in enumerate(HOURLY) for _ in range(n)]
    for s in slots:
        if s.when is not None:
            hours.remove(s.when.hour)
    rng.shuffle(hours)
    over_key, low_key = ("供电质量", "电压质量长时间异常", "过电压"), ("供电质量", "电压质量长时间异常", "低电压")
    for i, s in enumerate(slots):
        key = over_key if s.kind == "over" else low_key if s.kind == "low" else keys.pop()
        when = s.when or b.random_time(month, hour=hours.pop())
        b.order(when=when, customer=s.customer, district=s.district, key=key, city_index=i)
    assert not keys and not hours

    # --- hotspot context -----------------------------------------------------------------------------
    plain = [d for d in singles[5:]]  # single-customer 台区 without other roles
    consecutive = multi[:CONSECUTIVE_FROM_MULTI] + plain[:CONSECUTIVE_FROM_SINGLE]
    same_year = [multi[0], multi[25], plain[0], voltage[3]]
    traps = plain[CONSECUTIVE_FROM_SINGLE:]
    pool = [next(districts) for _ in range(150)]  # 台区 with no complaint this month
    prev_keys = b.deal(PREVIOUS_SUBCATEGORIES)
    assert len(prev_keys) == PREVIOUS_TOTAL
    last_keys = b.deal(MONTH_SUBCATEGORIES)[:LAST_YEAR_TOTAL]

    def customer_of(d: District) -> str:
        return next((c.customer_no for c in b.customers.values() if c.district_id == d.code), None) or b.customer(d)

    # Previous month: the 33 consecutive 台区 (the first one only at 23:40 on the last evening)...
    prev_end = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    for i, d in enumerate(consecutive):
        when = prev_end - timedelta(minutes=20) if i == 0 else b.random_time(prev)
        b.order(when=when, customer=customer_of(d) if i % 2 else b.customer(d), district=d, key=prev_keys.pop())
    # ...and the rest of the month in 台区 without complaints this month, or without a 台区.
    while prev_keys:
        n = len(prev_keys)
        d = None if n % 17 == 0 else rng.choice(pool)
        b.order(when=b.random_time(prev), customer=b.customer(d), district=d, key=prev_keys.pop(), city_index=n)
    # Same month last year: the 4 hits, the rest in the pool or without a 台区.
    for d in same_year:
        b.order(when=b.random_time(last_year), customer=customer_of(d), district=d, key=last_keys.pop())
    while last_keys:
        n = len(last_keys)
        d = None if n % 13 == 0 else rng.choice(pool)
        b.order(when=b.random_time(last_year), customer=b.customer(d), district=d, key=last_keys.pop(),
                city_index=n)

    # --- traps: each would change a figure if a definition were read wrongly ----------------------
    other_key = ("营业", "电费电价", None)
    trap = iter(traps)
    # Non-complaint orders by another customer in single-customer 台区 this month (→ multi-customer),
    # some carrying a category (→ shares), one an over-voltage 故障报修 (→ a 32nd over-voltage customer).
    for i, btype in enumerate(["咨询", "故障报修", "意见", "举报", "服务申请", "催办"]):
        d = next(trap)
        key = (("供电质量", "电压质量长时间异常", "过电压") if i == 1 else ("供电质量", "频繁停电", None)
               if i < 4 else None)
        b.order(when=b.random_time(month), customer=b.customer(d), district=d, key=key, business_type=btype)
    # Non-complaint orders last month (→ consecutive) and last year (→ same month last year).
    for btype in ["故障报修", "咨询", "意见", "建议", "表扬"]:
        d = next(trap)
        b.order(when=b.random_time(prev), customer=customer_of(d), district=d, key=None, business_type=btype)
    for btype in ["故障报修", "咨询"]:
        d = next(trap)
        b.order(when=b.random_time(last_year), customer=customer_of(d), district=d, key=other_key,
                business_type=btype)
    # Complaints in other months in this month's 台区: next month (one at 00:10 on its 1st, which is
    # this month in UTC), the month before last, two years before, and last year's neighbours
    # (one at 01:00 on the 1st of the month after, which is last year's month in UTC).
    next_first = datetime(_shift(month, 1).year, _shift(month, 1).month, 1, tzinfo=LOCAL_TZ)
    ly_next = _shift(last_year, 1)
    ly_next_first = datetime(ly_next.year, ly_next.month, 1, tzinfo=LOCAL_TZ)
    for months_back, n, edge in ((1, 4, next_first + timedelta(minutes=10)), (-2, 3, None), (-24, 2, None),
                                 (-13, 3, None), (-11, 3, ly_next_first + timedelta(hours=1))):
        other = _shift(month, months_back)
        for i in range(n):
            d = next(trap)
            when = edge if (i == 0 and edge) else b.random_time(other)
            b.order(when=when, customer=customer_of(d), district=d, key=other_key)
    # Complaints without a 台区 next month too (the previous month and last year's month have some
    # above): a NULL 台区 must never match a NULL.
    for other in (_shift(month, 1),):
        for i in range(2):
            b.order(when=b.random_time(other), customer=b.customer(None), district=None, key=other_key, city_index=i)

    Customer.objects.bulk_create(b.customers.values(), batch_size=2000)
    WorkOrder.objects.bulk_create(b.orders, batch_size=2000)
    return ProfileMonth(month=month, province=b.province, cities=b.cities,
                        multi=sorted(d.code for d in multi), consecutive=sorted(d.code for d in consecutive),
                        same_month_last_year=sorted(d.code for d in same_year), orders=len(b.orders))
