"""Demo province generator: five CSV exports shaped like a real provincial month series.

The files are exactly what operators import (headers of interfaces.md), so the demo
goes through the same importers as real data. Design constraints:

* Streaming: work orders are written as they are generated; only one month's
  acceptance-time slots (integers) and per-台区 arrays are held in memory, so
  1,000,000 orders take seconds and little memory.
* Deterministic: every stage draws from its own ``random.Random`` seeded with a
  string derived from the seed (str seeds are hashed with SHA-512, independent of
  PYTHONHASHSEED); nothing iterates a set or depends on the clock except the
  default ``end_month``. A mechanism added later gets a stage of its own, so the
  earlier stages' draws (and files) move as little as possible.
* Coherent: complaints concentrate in the 台区 whose generated grid data shows a
  problem in that month (overload → 频繁停电/低电压, over-voltage → 过电压,
  frequent outages → 频繁停电/停送电), so tracing finds real incidents with linked
  complaints; grid projects relieve (or fail to relieve) the overloads they target.

The causes behind the complaints (what the early-warning model of issue #18 can only
rediscover — these are the generator's rules, not the world's):

* Seasons: the load follows ``SEASON_LOAD`` (peaks in July–August and January) and the
  orders ``SEASON_ORDERS``; ~3.5 % "stressed" 台区 sit near their limit and overload in
  peak months. A commissioned project relieves its 台区 (load × 0.6 from the month after).
* Drift (stage ``drift``, readings redrawn from ``drift-loads``): ``DRIFT_SHARE`` of the
  other 台区 gain ``DRIFT_STEP`` load points a month from some month on, so they cross
  80 % and then 100 % over a few months; ``DRIFT_PROJECT_SHARE`` of them get a project
  planned 0–3 months after the overload would show, commissioned on time (60 %) or
  40–150 days late; the growth stops when it is commissioned.
* Outages (stage ``outages``): 4 % of feeders and 2 % of 台区 have a bad 2–4-month window
  (mostly 故障), the rest a low background of planned, temporary and fault outages.
* Recurring feeder faults (stage ``feeder-faults``): ``FAULT_FEEDER_SHARE`` of feeders trip
  again and again for ``FAULT_WINDOW_MONTHS`` (``FAULT_RATE`` whole-feeder 故障 a month).
* Complaint weights per 台区 and month M (stage ``workorders``; base: customers × the
  city's propensity, × 8 for chronic-complainer 台区): 频繁停电 and 停送电 complaints and
  故障报修 × (1 + 40 if ≥ 3 outages in M−1..M + ``FAULT_WEIGHT`` per 故障 outage in
  M−2..M (at most ``FAULT_CAP``) + 15 if overloaded in M + 4 if heavily loaded in M);
  低电压 × 251 when M's minimum voltage is below 198 V; 过电压 × 401 above 235.4 V; the
  rest by the base weight only; 7 % of complainants complain again within 30 days.
  So a hotspot in M is announced by what happened before M: faults in M−1/M−2, a load
  that rose towards 100 % in M−1, a stressed 台区 entering its peak season.
"""
from __future__ import annotations

import bisect
import calendar
import csv
import datetime as dt
import heapq
import itertools
import random
from pathlib import Path

from scorecard.core.months import label, parse_month, previous_month

from . import province as P

HEADERS = {
    "districts": ["台区编号", "台区名称", "地市单位", "县级单位", "供电所", "线路名称", "配变容量", "用户数",
                  "台区经理", "台区经理工号", "生效日期"],
    "loads": ["台区编号", "月份", "最大负载率", "最低电压", "最高电压"],
    "outages": ["停电编号", "线路名称", "台区编号", "停电类型", "开始时间", "结束时间", "纳入月度计划"],
    "projects": ["项目编号", "台区编号", "项目类型", "计划投运日期", "实际投运日期"],
    "workorders": ["工单编号", "受理时间", "业务类型", "一级分类", "二级分类", "三级分类", "客户编号",
                   "客户名称", "联系电话", "地市单位", "县级单位", "供电所", "台区编号", "台区名称",
                   "线路名称", "责任部门", "派单时间", "接单时间", "办结时间", "回访满意度", "受理内容"],
}
# The order seed_demo imports them in: every later kind references 台区 or feeders.
KINDS = ["districts", "loads", "outages", "projects", "workorders"]
# The files, in import order: a second districts file re-imports the 台区 whose 台区经理 changed
# during the demo months (dated by 生效日期), so the demo has a manager history, not just names.
CHANGES = "district_changes"
FILES = ["districts", CHANGES, "loads", "outages", "projects", "workorders"]
FILE_KIND = {CHANGES: "districts"}
# About this share of 台区 get a new 台区经理 during the demo months (a colleague of the station or a new hire).
MANAGER_CHANGE_SHARE = 0.08

MAX_DISTRICTS = 20_000
# Issue #18's causes. Drift: about 1 % of 台区 gain DRIFT_STEP load points a month from some month on
# (new housing, EV charging), most get a project planned once the overload shows (on time or late).
DRIFT_SHARE = 0.01
DRIFT_STEP = (6.0, 12.0)
DRIFT_PROJECT_SHARE = 0.75
DRIFT_PROJECT_KINDS = ["配变增容改造", "新增配变布点", "台区负荷切改"]
# Recurring faults: about 2 % of feeders trip again and again (Poisson FAULT_RATE a month) for
# FAULT_WINDOW_MONTHS; a 台区's 频繁停电 weight gains FAULT_WEIGHT per 故障 outage it had in the month
# and the two before (at most FAULT_CAP of them).
FAULT_FEEDER_SHARE = 0.02
FAULT_WINDOW_MONTHS = (4, 8)
FAULT_RATE = (1.0, 2.2)
FAULT_WEIGHT = 4
FAULT_CAP = 12
DAY = 86_400
HOUR = 3_600

# Complaints by hour of acceptance (load peaks 19:00 > 11:00 > 17:00, fewest at night).
# Shares are allotted per month exactly (largest remainder), so every month's profile
# has these peaks, not just the total.
COMPLAINT_HOURS = [1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.6, 4.6, 6.2, 6.6, 9.2,
                   5.8, 4.6, 5.6, 6.0, 6.4, 8.4, 6.8, 10.0, 6.6, 4.6, 3.0, 1.6]
OTHER_HOURS = [0.8, 0.5, 0.3, 0.3, 0.3, 0.5, 1.4, 3.2, 6.0, 7.4, 7.6, 7.0,
               5.0, 5.2, 6.6, 6.8, 6.6, 6.0, 5.4, 5.6, 4.6, 3.4, 2.2, 1.2]
SEASON_LOAD = {1: 1.12, 2: 1.08, 3: 0.92, 4: 0.85, 5: 0.90, 6: 1.00,
               7: 1.22, 8: 1.25, 9: 1.05, 10: 0.88, 11: 0.92, 12: 1.08}
SEASON_ORDERS = {1: 1.10, 2: 1.05, 3: 0.92, 4: 0.88, 5: 0.92, 6: 1.00,
                 7: 1.25, 8: 1.30, 9: 1.05, 10: 0.90, 11: 0.90, 12: 1.02}
TWO = [f"{i:02d}" for i in range(100)]


def default_end_month(today: dt.date | None = None) -> str:
    """The month before the current month in Asia/Shanghai: the last complete month."""
    return label(previous_month(today))


def default_districts(orders: int) -> int:
    """~20,000 台区 for the full demo; fewer for small runs so tests and quick demos stay fast."""
    return max(700, min(MAX_DISTRICTS, orders // 10))


def _allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    n = len(weights)
    total_free = total - minimum * n
    if total_free < 0:
        raise ValueError(f"cannot give {minimum} each to {n} parts out of {total}")
    wsum = float(sum(weights))
    raw = [total_free * w / wsum for w in weights]
    out = [int(r) for r in raw]
    rest = total_free - sum(out)
    order = sorted(range(n), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return [o + minimum for o in out]


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: lam is small here (< 3), so this is quick and exact.
    limit, k, p = pow(2.718281828459045, -lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Province:
    """All per-台区 state, in parallel lists indexed by 台区 number."""

    def __init__(self, seed: int, month_list: list[tuple[int, int]], n_districts: int):
        self.seed = seed
        self.months = month_list
        self.n = n_districts
        self.base = dt.datetime(month_list[0][0], month_list[0][1], 1)
        # Second offsets (from self.base) of each month start, plus the end of the last one.
        self.month_start = []
        for y, m in month_list:
            self.month_start.append(int((dt.datetime(y, m, 1) - self.base).total_seconds()))
        ly, lm = month_list[-1]
        self.range_end = self.month_start[-1] + calendar.monthrange(ly, lm)[1] * DAY
        # Orders closing after the export day are still open in the export.
        self.cutoff = self.range_end + 2 * DAY + 9 * HOUR
        n_days = self.range_end // DAY + 400
        self.day_str = [(self.base + dt.timedelta(days=i)).strftime("%Y-%m-%d") for i in range(n_days)]

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"scorecard-demo:{self.seed}:{stage}")

    def ts(self, sec: int) -> str:
        d, r = divmod(sec, DAY)
        h, r = divmod(r, HOUR)
        mi, s = divmod(r, 60)
        return f"{self.day_str[d]} {TWO[h]}:{TWO[mi]}:{TWO[s]}"

    def date_of(self, sec: int) -> dt.date:
        return (self.base + dt.timedelta(seconds=sec)).date()

    # ---- grid -------------------------------------------------------------------------
    def build_grid(self) -> None:
        rng = self.rng("grid")
        n = self.n
        self.city_names = [c[0] for c in P.CITIES]
        self.city_prop = [c[4] for c in P.CITIES]
        self.code, self.dname, self.city, self.county, self.station = [], [], [], [], []
        self.feeder, self.customers, self.capacity = [], [], []
        self.feeder_names: list[str] = []
        self.feeder_districts: list[list[int]] = []
        self.district_feeder: list[int] = []
        pool = [a + b for a in P.PLACE_A for b in P.PLACE_B]
        rng.shuffle(pool)

        def next_feeder_name() -> str:
            i = len(self.feeder_names)
            stem = pool[i % len(pool)]
            roman = ["", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ"][i // len(pool)]
            return f"10kV{stem}{roman}线"

        # Every county gets at least one 台区, so every city at least as many as its counties.
        city_counts = _allocate(n, [c[2] for c in P.CITIES], minimum=max(len(c[5]) for c in P.CITIES))
        for ci, (city, area, _size, urban, _prop, counties) in enumerate(P.CITIES):
            cweights = [rng.uniform(0.6, 1.4) * (1.3 if name.endswith("区") else 1.0) for name in counties]
            county_counts = _allocate(city_counts[ci], cweights, minimum=1)
            for county_name, c_count in zip(counties, county_counts):
                county = f"{county_name}供电公司"
                is_urban = county_name.endswith("区")
                n_stations = min(c_count, rng.randint(2, 5))
                towns = rng.sample(P.TOWNS, n_stations)
                st_counts = _allocate(c_count, [rng.uniform(0.5, 1.5) for _ in towns], minimum=1)
                for town, s_count in zip(towns, st_counts):
                    station = f"{town}供电所"
                    n_feeders = max(1, round(s_count / 14))
                    fids = []
                    for _ in range(n_feeders):
                        fids.append(len(self.feeder_names))
                        self.feeder_names.append(next_feeder_name())
                        self.feeder_districts.append([])
                    for _ in range(s_count):
                        d = len(self.code)
                        urban_here = rng.random() < (0.75 if is_urban else 0.12)
                        if urban_here:
                            name = (f"{rng.choice(P.COMMUNITIES)}{rng.choice(P.COMMUNITY_SUFFIX)}"
                                    f"{rng.randint(1, 8)}号配变")
                        else:
                            name = f"{rng.choice(P.PLACE_A)}{rng.choice(P.PLACE_B)}村{rng.randint(1, 6)}号台区"
                        mean = 100 + 170 * (urban if not urban_here else max(urban, 0.8))
                        customers = int(min(400, max(50, rng.gauss(mean, 55))))
                        if customers <= 100:
                            cap = rng.choice([100, 100, 200])
                        elif customers <= 200:
                            cap = rng.choice([200, 315, 315])
                        elif customers <= 300:
                            cap = rng.choice([315, 400, 400])
                        else:
                            cap = rng.choice([400, 630, 630])
                        f = fids[rng.randrange(len(fids))]
                        self.code.append(f"TQ43{area}{d + 1:06d}")
                        self.dname.append(name)
                        self.city.append(ci)
                        self.county.append(county)
                        self.station.append(station)
                        self.feeder.append(self.feeder_names[f])
                        self.district_feeder.append(f)
                        self.feeder_districts[f].append(d)
                        self.customers.append(customers)
                        self.capacity.append(cap)
        assert len(self.code) == n
        # Per-台区 traits that persist over months.
        self.stressed = bytearray(n)      # transformer near its limit: overloads in peak seasons
        self.weak_voltage = bytearray(n)  # long low-voltage lines: voltage sags under load
        self.long_line = bytearray(n)     # rural end of line: low voltage even without overload
        self.over_prone = bytearray(n)    # close to the substation: over-voltage at light load
        self.hotspot = bytearray(n)       # chronic complainers' 台区 (multi-customer, every month)
        self.base_load = [0.0] * n
        for d in range(n):
            r = rng.random()
            if r < 0.035:
                self.stressed[d] = 1
                self.weak_voltage[d] = rng.random() < 0.6
                self.base_load[d] = rng.uniform(82, 108)
            else:
                self.base_load[d] = rng.triangular(18, 72, 42)
                if r < 0.042:
                    self.long_line[d] = 1
                elif r < 0.054:
                    self.over_prone[d] = 1
        n_hot = max(6, n // 250)
        for d in rng.sample(range(n), n_hot):
            self.hotspot[d] = 1

    def assign_managers(self) -> None:
        """台区经理: each station's 台区 split among a few managers (about 12 台区 each), in office from the
        first demo month; ``MANAGER_CHANGE_SHARE`` of the 台区 change hands on a day of a later month.
        A stage of its own (its own random stream): the other files do not move."""
        rng = self.rng("managers")
        serial = itertools.count(1)

        def hire() -> tuple[str, str]:
            return f"{rng.choice(P.SURNAMES)}{rng.choice(P.GIVEN)}", f"GW{next(serial):06d}"

        by_station: dict[tuple[str, str], list[int]] = {}
        for d in range(self.n):
            by_station.setdefault((self.county[d], self.station[d]), []).append(d)
        self.manager: list[tuple[str, str]] = [("", "")] * self.n
        self.manager_change: dict[int, tuple[str, str, str]] = {}  # 台区 → (name, staff number, 生效日期)
        for districts in by_station.values():
            staff = [hire() for _ in range(max(1, round(len(districts) / 12)))]
            per = -(-len(districts) // len(staff))
            for i, d in enumerate(districts):
                self.manager[d] = staff[i // per]
            if len(self.months) < 3:
                continue
            for d in districts:
                if rng.random() >= MANAGER_CHANGE_SHARE:
                    continue
                others = [m for m in staff if m != self.manager[d]]
                name, staff_no = rng.choice(others) if others and rng.random() < 0.6 else hire()
                month = rng.randrange(2, len(self.months))
                y, m = self.months[month]
                day = dt.date(y, m, rng.randint(1, calendar.monthrange(y, m)[1]))
                self.manager_change[d] = (name, staff_no, day.isoformat())

    def _district_row(self, d: int, manager: tuple[str, str, str]) -> tuple:
        return (self.code[d], self.dname[d], self.city_names[self.city[d]], self.county[d], self.station[d],
                self.feeder[d], self.capacity[d], self.customers[d], *manager)

    def district_rows(self):
        since = self.day_str[0]
        for d in range(self.n):
            yield self._district_row(d, (*self.manager[d], since))

    def district_change_rows(self):
        for d in sorted(self.manager_change):
            yield self._district_row(d, self.manager_change[d])

    # ---- projects ---------------------------------------------------------------------
    def plan_projects(self) -> list[tuple]:
        """Projects for stressed 台区: on time, late, or planned after the data range.

        Sets ``relief_from[d]`` (month index from which the load is relieved) for
        projects that were commissioned and worked."""
        rng = self.rng("projects")
        n_m = len(self.months)
        self.relief_from = [n_m + 99] * self.n
        rows = []
        last_day = self.date_of(self.range_end - DAY)
        for d in range(self.n):
            if not self.stressed[d] or rng.random() >= 0.65:
                continue
            r = rng.random()
            mi = rng.randrange(0, n_m)
            y, m = self.months[mi]
            planned = dt.date(y, m, rng.randint(5, 28))
            commissioned = None
            if r < 0.5:  # on time (a few days early or on the day)
                commissioned = planned - dt.timedelta(days=rng.randint(0, 15))
                if rng.random() < 0.85:  # the bottleneck goes away after commissioning
                    self.relief_from[d] = self._month_after(commissioned)
            elif r < 0.8:  # late: planned inside the range, commissioned (much) later or not yet
                if mi == n_m - 1:
                    y, m = self.months[max(0, n_m - 2)]
                    planned = dt.date(y, m, rng.randint(5, 28))
                late = planned + dt.timedelta(days=rng.randint(40, 150))
                if late <= last_day and rng.random() < 0.5:
                    commissioned = late
                    self.relief_from[d] = self._month_after(late)
            else:  # planned after the last month of data
                planned = last_day + dt.timedelta(days=rng.randint(20, 180))
            rows.append((d, planned, commissioned))
        rows.sort(key=lambda t: (t[1], t[0]))
        # The kinds are drawn in this order, as before the drifting 台区 had projects of their own.
        return [(planned, d, commissioned, rng.choice(P.PROJECT_KINDS)) for d, planned, commissioned in rows]

    def plan_drift(self) -> list[tuple]:
        """A few 台区 drift into overload: from a month on, their load grows by a few points a month (new
        housing, EV charging) until a project commissioned for them relieves them (``relief_from``) —
        or not, when the project is late, not yet planned to finish, or never planned.

        A stage of its own (its own random stream), so the stressed 台区's projects and every other
        file's draws do not move. Sets ``drift_from[d]`` (first month index of growth) and
        ``drift_step[d]`` (load points per month); returns project rows like ``plan_projects``."""
        rng = self.rng("drift")
        n_m = len(self.months)
        self.drift_from = [n_m + 99] * self.n
        self.drift_step = [0.0] * self.n
        self.drift_relief_from = [n_m + 99] * self.n  # like relief_from, for the drifting 台区
        if n_m < 4:
            return []
        # Not the stressed 台区 (already at their limit) and not the nearly empty ones.
        candidates = [d for d in range(self.n) if not self.stressed[d] and self.base_load[d] >= 40]
        chosen = sorted(rng.sample(candidates, min(len(candidates), max(3, round(self.n * DRIFT_SHARE)))))
        last_day = self.date_of(self.range_end - DAY)
        y0, m0 = self.months[0]
        rows = []
        for d in chosen:
            start = rng.randrange(0, n_m - 3)
            step = rng.uniform(*DRIFT_STEP)
            self.drift_from[d], self.drift_step[d] = start, step
            if rng.random() >= DRIFT_PROJECT_SHARE:
                continue  # nobody has planned anything yet: the load keeps growing
            # Planned once the overload shows: a few months after it starts, more for slow drifts.
            to_overload = max(1, int((100 - self.base_load[d]) / step))
            idx = y0 * 12 + m0 - 1 + start + to_overload + rng.randint(0, 3)
            planned = dt.date(idx // 12, idx % 12 + 1, rng.randint(5, 28))
            commissioned = None
            r = rng.random()
            if planned <= last_day:
                if r < 0.6:
                    commissioned = planned - dt.timedelta(days=rng.randint(0, 15))
                else:  # late: 40–150 days, maybe after the data range
                    late = planned + dt.timedelta(days=rng.randint(40, 150))
                    commissioned = late if late <= last_day else None
            if commissioned is not None:
                self.drift_relief_from[d] = self._month_after(commissioned)
            rows.append((planned, d, commissioned, rng.choice(DRIFT_PROJECT_KINDS)))
        return rows

    def project_rows(self, rows: list[tuple]) -> list[tuple]:
        """The projects file: (planned, 台区, commissioned, kind) rows by plan date, numbered in that order."""
        out = []
        for seq, (planned, d, commissioned, kind) in enumerate(sorted(rows, key=lambda t: (t[0], t[1])), 1):
            out.append((f"XM{planned.year}{seq:05d}", self.code[d], kind, planned.isoformat(),
                        commissioned.isoformat() if commissioned else ""))
        return out

    def _month_after(self, day: dt.date) -> int:
        """Index of the first whole month after ``day`` (may be past the range)."""
        y, m = day.year, day.month + 1
        if m == 13:
            y, m = y + 1, 1
        y0, m0 = self.months[0]
        return (y - y0) * 12 + (m - m0)

    # ---- loads ------------------------------------------------------------------------
    def load_rows(self):
        """Yield load rows month by month; record per-month problem flags as it goes.

        flags bits: 1 overload (≥100 %), 2 heavy (80–100 %), 4 low voltage (<198 V),
        8 over-voltage (>235.4 V)."""
        rng = self.rng("loads")
        drift_rng = self.rng("drift-loads")
        drift_from, drift_step, relief_from = self.drift_from, self.drift_step, self.relief_from
        drift_relief = self.drift_relief_from
        reading = self._reading
        self.flags = []
        for mi, (y, m) in enumerate(self.months):
            month = f"{y:04d}-{m:02d}"
            season = SEASON_LOAD[m]
            fl = bytearray(self.n)
            for d in range(self.n):
                rate, vmin, vmax = reading(rng, d, season, 0.0, mi >= relief_from[d])
                if mi >= drift_from[d]:
                    # Growing since drift_from, the growth frozen once a project relieves the 台区. The
                    # reading is drawn again from the drift stage's stream: the draws above keep the
                    # loads stream (every other 台区) where it was, whatever this reading's branches.
                    grown = drift_step[d] * (min(mi, drift_relief[d] - 1) - drift_from[d] + 1)
                    rate, vmin, vmax = reading(drift_rng, d, season, max(grown, 0.0), mi >= drift_relief[d])
                overload, heavy = rate >= 100, 80 <= rate < 100
                fl[d] = overload | (heavy << 1) | ((vmin < 198) << 2) | ((vmax > 235.4) << 3)
                yield (self.code[d], month, f"{rate:.2f}", f"{vmin:.1f}", f"{vmax:.1f}")
            self.flags.append(fl)

    def _reading(self, rng: random.Random, d: int, season: float, grown: float, relieved: bool):
        """(max load %, min V, max V) of 台区 ``d`` in a month: ``grown`` load points added by a drift,
        ``relieved`` once a project has relieved it."""
        if self.stressed[d]:
            # A transformer at its limit overloads in some month of every season,
            # most in summer and winter peaks (~1 % of 台区 overall).
            rate = self.base_load[d] * (1 + (season - 1) * 0.5) * rng.uniform(0.9, 1.12)
        else:
            rate = (self.base_load[d] + grown) * season * rng.uniform(0.9, 1.1)
        if relieved:
            rate *= 0.6
        if rng.random() < 0.003:  # a one-off spike (new load, festival)
            rate *= 1.45
        rate = round(min(rate, 160.0), 2)
        overload, heavy = rate >= 100, 80 <= rate < 100
        vmin = rng.uniform(200.5, 214.0)
        if overload and (self.weak_voltage[d] or rng.random() < 0.35):
            vmin = rng.uniform(178.0, 197.4)
        elif heavy and self.weak_voltage[d] and rng.random() < 0.25:
            vmin = rng.uniform(190.0, 197.4)
        elif self.long_line[d] and rng.random() < 0.5:
            vmin = rng.uniform(186.0, 197.4)
        vmax = rng.uniform(224.0, 234.5)
        if self.over_prone[d] and rate < 70 and rng.random() < 0.7:
            vmax = rng.uniform(235.6, 246.0)
        return rate, round(vmin, 1), round(vmax, 1)

    # ---- outages ----------------------------------------------------------------------
    def outage_rows(self):
        """Yield outages month by month; count outages affecting each 台区 per month."""
        rng = self.rng("outages")
        n_m = len(self.months)
        n_f = len(self.feeder_names)

        def bad_window() -> tuple[int, int]:
            start = rng.randrange(n_m)
            return start, start + rng.randint(2, 4)

        weak_feeder = {f: bad_window() for f in range(n_f) if rng.random() < 0.04}
        weak_district = {d: bad_window() for d in range(self.n) if rng.random() < 0.02}
        # Recurring faults: a stage of its own (its own stream), so the outages above do not move.
        frng = self.rng("feeder-faults")
        self.fault_feeder = {}  # feeder → (first month index, end month index, faults a month)
        for f in range(n_f):
            if frng.random() < FAULT_FEEDER_SHARE:
                start = frng.randrange(n_m)
                self.fault_feeder[f] = (start, start + frng.randint(*FAULT_WINDOW_MONTHS),
                                        frng.uniform(*FAULT_RATE))
        self.outage_count = []
        self.fault_count = []  # per month: 故障 outages on each 台区 (its own or its feeder's)
        for mi, (y, m) in enumerate(self.months):
            counts = bytearray(self.n)
            faults = bytearray(self.n)
            m_start = self.month_start[mi]
            n_days = calendar.monthrange(y, m)[1]
            seq = 0
            # (feeder, district or -1, weak?) in a stable order: feeders first, then 台区.
            events = []
            for f in range(n_f):
                w = weak_feeder.get(f)
                weak = w is not None and w[0] <= mi < w[1]
                for _ in range(_poisson(rng, 1.6 if weak else 0.12)):
                    events.append((f, -1, weak))
            for d in range(self.n):
                w = weak_district.get(d)
                weak = w is not None and w[0] <= mi < w[1]
                for _ in range(_poisson(rng, 1.3 if weak else 0.03)):
                    events.append((self.district_feeder[d], d, weak))
            for f, d, weak in events:
                r = rng.random()
                if weak:
                    kind = "故障" if r < 0.6 else ("计划" if r < 0.85 else "临时")
                else:
                    kind = "计划" if r < 0.5 else ("故障" if r < 0.85 else "临时")
                day = rng.randrange(n_days)
                if kind == "计划":
                    start = m_start + day * DAY + rng.randint(7, 9) * HOUR + rng.choice([0, 1800])
                    end = start + rng.randint(3, 9) * HOUR
                    in_plan = rng.random() < 0.95
                elif kind == "临时":
                    start = m_start + day * DAY + rng.randint(8, 19) * HOUR + rng.randrange(0, HOUR, 60)
                    end = start + rng.randint(60, 240) * 60
                    in_plan = rng.random() < 0.7
                else:
                    start = m_start + day * DAY + rng.randrange(DAY)
                    end = start + rng.randint(30, 360) * 60
                    in_plan = False
                seq += 1
                yield (f"TD{y:04d}{m:02d}{seq:05d}", self.feeder_names[f], self.code[d] if d >= 0 else "",
                       kind, self.ts(start), self.ts(end), "是" if in_plan else "否")
                for dd in (self.feeder_districts[f] if d < 0 else (d,)):
                    if counts[dd] < 255:
                        counts[dd] += 1
                    if kind == "故障" and faults[dd] < 255:
                        faults[dd] += 1
            # The recurring faults of the month, numbered after the others (their numbers do not move):
            # the whole feeder trips again and again, at any hour, for half an hour to six hours.
            for f, (first, end, rate) in self.fault_feeder.items():
                if not first <= mi < end:
                    continue
                for _ in range(_poisson(frng, rate)):
                    start = m_start + frng.randrange(n_days) * DAY + frng.randrange(DAY)
                    seq += 1
                    yield (f"TD{y:04d}{m:02d}{seq:05d}", self.feeder_names[f], "", "故障", self.ts(start),
                           self.ts(start + frng.randint(30, 360) * 60), "否")
                    for dd in self.feeder_districts[f]:
                        if counts[dd] < 255:
                            counts[dd] += 1
                        if faults[dd] < 255:
                            faults[dd] += 1
            self.outage_count.append(counts)
            self.fault_count.append(faults)

    # ---- work orders ------------------------------------------------------------------
    def workorder_rows(self, orders: int):
        rng = self.rng("workorders")
        # randint/randrange are three Python calls each; this loop runs a million times.
        rand = rng.random

        def between(a: int, b: int) -> int:
            return a + int(rand() * (b - a + 1))

        n = self.n
        salt = self.seed * 7919 + 17
        month_counts = _allocate(orders, [SEASON_ORDERS[m] for _, m in self.months])
        prof = P.COMPLAINT_PROFILE
        prof_cum = list(itertools.accumulate(p[3] for p in prof))
        other_cum = list(itertools.accumulate(w for _, w in P.OTHER_TYPES))
        depts = ["营销", "运检", "发展", "基建", "调控"]
        base_w = [self.customers[d] * self.city_prop[self.city[d]] * (8.0 if self.hotspot[d] else 1.0)
                  for d in range(n)]
        repeats: list = []  # heap of (due second, tiebreak, first second, district, customer, profile index)
        tiebreak = itertools.count()

        def cumulative(weights):
            cum = list(itertools.accumulate(weights))
            return cum, cum[-1]

        def pick(cw) -> int:
            cum, total = cw
            return bisect.bisect_right(cum, rand() * total)

        def customer(cust: int) -> tuple[str, str, str]:
            h = ((cust ^ salt) * 2654435761) & 0xFFFFFFFF
            h2 = ((cust + salt) * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
            name = P.SURNAMES[h % len(P.SURNAMES)] + P.GIVEN[(h >> 9) % len(P.GIVEN)]
            phone = P.MOBILE_PREFIXES[(h >> 17) % len(P.MOBILE_PREFIXES)] + f"{(h2 >> 20) % 100_000_000:08d}"
            return str(cust), name, phone

        for mi, (y, m) in enumerate(self.months):
            total_m = month_counts[mi]
            m_start = self.month_start[mi]
            n_days = calendar.monthrange(y, m)[1]
            n_complaints = round(total_m * rng.uniform(0.35, 0.45))
            fl = self.flags[mi]
            oc, prev = self.outage_count[mi], self.outage_count[mi - 1] if mi else bytearray(n)
            freq = [oc[d] + prev[d] >= 3 for d in range(n)]
            # 故障 outages of this month and the two before: customers complain more the more often the
            # lights went out, and two thirds of that window is known before the month starts.
            fc = [self.fault_count[i] if i >= 0 else bytearray(n) for i in (mi, mi - 1, mi - 2)]
            recent = [min(FAULT_CAP, fc[0][d] + fc[1][d] + fc[2][d]) for d in range(n)]
            w_outage = cumulative([base_w[d] * (1 + 40 * freq[d] + FAULT_WEIGHT * recent[d] + 15 * (fl[d] & 1)
                                                + 4 * ((fl[d] >> 1) & 1))
                                   for d in range(n)])
            w_low = cumulative([base_w[d] * (1 + 250 * ((fl[d] >> 2) & 1)) for d in range(n)])
            w_over = cumulative([base_w[d] * (1 + 400 * ((fl[d] >> 3) & 1)) for d in range(n)])
            w_base = cumulative(base_w)
            # Acceptance-time slots: exact hourly quotas, random day/minute, sorted so that
            # order numbers rise with time. Slot = second * 2 + is_complaint.
            slots = []
            for quotas, flag in ((_allocate(n_complaints, COMPLAINT_HOURS), 1),
                                 (_allocate(total_m - n_complaints, OTHER_HOURS), 0)):
                for h, q in enumerate(quotas):
                    for _ in range(q):
                        sec = m_start + int(rand() * n_days) * DAY + h * HOUR + int(rand() * HOUR)
                        slots.append(sec * 2 + flag)
            slots.sort()
            width = max(6, len(str(total_m)))
            prefix = f"GD{y:04d}{m:02d}"
            for seq, slot in enumerate(slots, 1):
                acc, is_complaint = divmod(slot, 2)
                has_district = True
                cust = None
                dept = ""
                if is_complaint:
                    pi = d = None
                    while repeats and repeats[0][0] <= acc:
                        _due, _t, first, rd, rcust, rpi = heapq.heappop(repeats)
                        if acc - first < 30 * DAY - 60:
                            d, cust, pi = rd, rcust, rpi
                            has_district = cust < 7_400_000_000
                            break
                    if pi is None:
                        pi = bisect.bisect_right(prof_cum, rand() * prof_cum[-1])
                        sub, det = prof[pi][1], prof[pi][2]
                        if sub == "频繁停电" or prof[pi][0] == "停送电":
                            d = pick(w_outage)
                        elif det == "低电压":
                            d = pick(w_low)
                        elif det == "过电压":
                            d = pick(w_over)
                        else:
                            d = pick(w_base)
                        # A few complaints come without a 台区 (customer not yet mapped).
                        has_district = rand() >= 0.03
                        cust = (7_300_000_000 + d * 400 + int(rand() * self.customers[d]) if has_district
                                else 7_400_000_000 + int(rand() * 50_000_000))
                        if rand() < 0.07:  # this customer will complain again within 30 days
                            due = acc + between(1, 28) * DAY + int(rand() * DAY)
                            heapq.heappush(repeats, (due, next(tiebreak), acc, d, cust, pi))
                    cat, sub, det = prof[pi][0], prof[pi][1], prof[pi][2] or ""
                    btype = "投诉"
                    if rand() < 0.10:  # the source system already named the department
                        dept = P.default_department(cat, sub) if rand() < 0.75 else rng.choice(depts)
                    text_key = sub
                else:
                    btype = P.OTHER_TYPES[bisect.bisect_right(other_cum, rand() * other_cum[-1])][0]
                    cat = sub = det = ""
                    d = pick(w_outage) if btype == "故障报修" else pick(w_base)
                    r = rand()
                    if btype == "咨询" and r < 0.25:
                        has_district = False
                        cust = 7_400_000_000 + int(rand() * 50_000_000)
                    elif r < 0.95:
                        cust = 7_300_000_000 + d * 400 + int(rand() * self.customers[d])
                    else:
                        has_district = False
                    text_key = btype
                # Lifecycle: 受理 → 派单 → 接单 → 办结, never out of order.
                disp = acc + between(180, 3600)
                r = rand()
                ack = None if r < 0.05 else disp + (between(300, 7000) if r < 0.88 else between(7200, 30000))
                r = rand()
                if r < 0.55:
                    dur = between(2 * HOUR, 30 * HOUR)
                elif r < 0.85:
                    dur = between(30 * HOUR, 80 * HOUR)
                elif r < 0.94:
                    dur = between(80 * HOUR, 110 * HOUR)
                else:
                    dur = between(5 * DAY, 12 * DAY)
                close = max(acc + dur, (ack or disp) + 600)
                if close > self.cutoff or rand() < 0.003:
                    close, sat = None, ""
                else:
                    r = rand()
                    if close - acc > 4 * DAY + 12 * HOUR:
                        sat = "满意" if r < 0.55 else "基本满意" if r < 0.70 else "不满意" if r < 0.90 else ""
                    else:
                        sat = "满意" if r < 0.84 else "基本满意" if r < 0.91 else "不满意" if r < 0.94 else ""
                cust_no, cust_name, phone = customer(cust) if cust is not None else ("", "", "")
                place = self.dname[d] if has_district else self.county[d].removesuffix("供电公司")
                content = P.CONTENT[text_key].format(place=place, detail=det or "电压异常")
                yield (f"{prefix}{seq:0{width}d}", self.ts(acc), btype, cat, sub, det, cust_no, cust_name, phone,
                       self.city_names[self.city[d]], self.county[d], self.station[d],
                       self.code[d] if has_district else "", self.dname[d] if has_district else "",
                       self.feeder[d] if has_district else "", dept,
                       self.ts(disp), self.ts(ack) if ack else "", self.ts(close) if close else "", sat, content)


def _month_list(end_month: str, months: int) -> list[tuple[int, int]]:
    if not isinstance(end_month, str):
        raise ValueError(f"end_month: expected YYYY-MM, got {end_month!r}")
    try:
        end = parse_month(end_month)
    except ValueError as exc:
        raise ValueError(f"end_month: {exc}") from None
    idx = end.year * 12 + end.month - 1
    return [((i // 12), (i % 12) + 1) for i in range(idx - months + 1, idx + 1)]


def _write(path: Path, header: list[str], rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        # writerows over a generator keeps memory flat; count rows on the way through.
        for chunk in iter(lambda: list(itertools.islice(rows, 5000)), []):
            writer.writerows(chunk)
            count += len(chunk)
    return count


def write_demo_csvs(outdir: Path, *, seed: int = 95598, orders: int = 200_000, months: int = 13,
                    end_month: str | None = None, districts: int | None = None,
                    counts: dict[str, int] | None = None) -> dict[str, Path]:
    """Write the demo province's CSV exports into ``outdir``; return file name (``FILES``) → path.

    ``districts`` defaults to ``default_districts(orders)`` (20,000 for the full demo).
    If ``counts`` is given, it receives the number of data rows written per kind.
    """
    if orders < 0:
        raise ValueError(f"orders: must be >= 0, got {orders}")
    if not 1 <= months <= 120:
        raise ValueError(f"months: must be between 1 and 120, got {months}")
    n_districts = districts if districts is not None else default_districts(orders)
    if not 200 <= n_districts <= 100_000:
        raise ValueError(f"districts: must be between 200 and 100000, got {n_districts}")
    month_list = _month_list(end_month or default_end_month(), months)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    prov = _Province(seed, month_list, n_districts)
    prov.build_grid()
    prov.assign_managers()
    paths = {name: outdir / f"{name}.csv" for name in FILES}
    written = {}
    written["districts"] = _write(paths["districts"], HEADERS["districts"], prov.district_rows())
    written[CHANGES] = _write(paths[CHANGES], HEADERS["districts"], prov.district_change_rows())
    # Before loads: commissioned projects relieve the load, and drifting 台区 grow until they do.
    projects = prov.project_rows(prov.plan_projects() + prov.plan_drift())
    written["loads"] = _write(paths["loads"], HEADERS["loads"], prov.load_rows())
    written["outages"] = _write(paths["outages"], HEADERS["outages"], prov.outage_rows())
    written["projects"] = _write(paths["projects"], HEADERS["projects"], iter(projects))
    written["workorders"] = _write(paths["workorders"], HEADERS["workorders"], prov.workorder_rows(orders))
    if counts is not None:
        counts.update(written)
    return paths
