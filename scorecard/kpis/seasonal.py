"""Seasonal risk lists (issue #18): before 迎峰度夏 (published in May for June–September) and 迎峰度冬
(published in November for December–February), the 台区 likely to overload or hit low voltage in the
coming season, with the grid projects that would relieve them and whether they commission in time.

Pure reads, one SQL statement grouped by 台区 for the readings. The rule, explicit:
- last season = the same season one year earlier (summer: June–September of the year before; winter:
  December of the year before last to February of last year's winter, i.e. the season that ended
  before the publication month);
- trend = the max load rate of the 3 months before the publication month minus that of the same
  3 months a year earlier (how much the 台区 grew since last season);
- expected peak = last season's peak load rate + trend (None without a peak; the trend is None,
  unknown, without readings in both 3-month windows, and the peak is then taken alone);
- overload risk: expected peak ≥ the overload threshold (RuleSettings.overload_pct); heavy load:
  ≥ heavy_load_pct; low voltage: last season's lowest voltage < low_voltage_v;
- a project relieves the 台区 when it is not commissioned before the publication month; it is in
  time when it is planned (or was commissioned) before the season's first day. The 台区's project status
  is ``in_time`` when one of its relieving projects is in time, ``late`` when it has some and none is,
  ``none`` without one.

The projects are aggregated per 台区 in the same statement (a JSON array built by the database), not
attached row by row in Python.
"""
import datetime as dt
import json

from django.db import connection

from scorecard.core.months import shift
from scorecard.grid.models import GridProject, LoadReading

from .models import RuleSettings
from .risk import _col, _d, _fetch, _num, _table

SUMMER, WINTER = "summer", "winter"


def season_start(season: str, year: int) -> dt.date:
    """The first day of the season of ``year``: June 1 (summer), December 1 (winter)."""
    return dt.date(year, 6 if season == SUMMER else 12, 1)


def published_month(season: str, year: int) -> dt.date:
    """May (summer), November (winter): the month the list is published in, the month before the season."""
    return shift(season_start(season, year), -1)


def last_season(season: str, year: int) -> tuple[dt.date, dt.date]:
    """[first month, first month after) of the same season one year earlier."""
    start = shift(season_start(season, year), -12)
    return start, shift(start, 4 if season == SUMMER else 3)


def rows(season: str, year: int) -> list[dict]:
    """The seasonal list: 台区 with an overload, heavy-load or low-voltage risk, riskiest first."""
    rs = RuleSettings.current()
    pub = published_month(season, year)
    lo, hi = last_season(season, year)
    recent, year_ago = shift(pub, -3), shift(pub, -15)
    mo, load, vmin = _col(LoadReading, "month"), _col(LoadReading, "max_load_pct"), _col(LoadReading, "min_voltage")
    start = season_start(season, year)
    projects_sql, projects_params = _projects_sql(start, pub)
    sql = f"""
    SELECT r.code, r.peak, r.vlo, r.n_low, r.now, r.before, COALESCE(p.n, 0), COALESCE(p.n_in_time, 0), p.projects
    FROM (SELECT {_col(LoadReading, 'district')} AS code,
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END) AS peak,
      MIN(CASE WHEN {mo} >= %s AND {mo} < %s THEN {vmin} END) AS vlo,
      SUM(CASE WHEN {mo} >= %s AND {mo} < %s AND {vmin} < %s THEN 1 ELSE 0 END) AS n_low,
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END) AS now,
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END) AS before
      FROM {_table(LoadReading)} WHERE {mo} >= %s AND {mo} < %s GROUP BY {_col(LoadReading, 'district')}) r
    LEFT JOIN ({projects_sql}) p ON p.code = r.code"""
    low = float(rs.low_voltage_v)
    params = [_d(lo), _d(hi), _d(lo), _d(hi), _d(lo), _d(hi), low, _d(recent), _d(pub), _d(year_ago),
              _d(shift(year_ago, 3)), _d(min(lo, year_ago)), _d(pub), *projects_params]
    over, heavy = float(rs.overload_pct), float(rs.heavy_load_pct)
    out = []
    for code, peak, vlo, n_low, now, before, n_projects, n_in_time, projects in _fetch(sql, params):
        peak, vlo, now, before = _num(peak), _num(vlo), _num(now), _num(before)
        # Without readings of both windows the growth is unknown (None, shown as 「—」), not zero; the
        # expected peak is then last season's peak alone, which the page says.
        trend = round(now - before, 2) if now is not None and before is not None else None
        expected = round(peak + (trend or 0.0), 2) if peak is not None else None
        kinds = []
        if expected is not None and expected >= over:
            kinds.append("overload")
        elif expected is not None and expected >= heavy:
            kinds.append("heavy_load")
        if vlo is not None and vlo < low:
            kinds.append("low_voltage")
        if kinds:
            status = "none" if not n_projects else ("in_time" if n_in_time else "late")
            out.append({"code": code, "kinds": kinds, "last_peak": peak, "trend": trend, "expected_peak": expected,
                        "last_vmin": vlo, "low_voltage_months": n_low or 0, "project_status": status,
                        "projects": _projects(projects)})
    return sorted(out, key=lambda r: (-(r["expected_peak"] or 0), r["last_vmin"] or 999, r["code"]))


def _projects_sql(start: dt.date, pub: dt.date) -> tuple[str, list]:
    """Per 台区, its relieving projects (not commissioned before the publication month): how many, how many
    in time (planned or commissioned before the season's first day), and the list as a JSON array ordered
    by planned date and number; with its parameters."""
    t, code = _table(GridProject), _col(GridProject, "district")
    no, kind, planned, done = (_col(GridProject, f) for f in ("project_no", "kind", "planned_on", "commissioned_on"))
    in_time = f"COALESCE({done}, {planned}) < %s"
    relieving = f"({done} IS NULL OR {done} >= %s)"
    if connection.vendor == "postgresql":
        return f"""SELECT {code} AS code, COUNT(*) AS n, SUM(CASE WHEN {in_time} THEN 1 ELSE 0 END) AS n_in_time,
          json_agg(json_build_object('project_no', {no}, 'kind', {kind}, 'planned_on', {planned},
                   'commissioned_on', {done}, 'in_time', {in_time}) ORDER BY {planned}, {no})::text AS projects
          FROM {t} WHERE {relieving} GROUP BY {code}""", [_d(start), _d(start), _d(pub)]
    # SQLite (3.40: no ORDER BY inside an aggregate): json_group_array takes the rows in the order of the
    # ordered subquery, which SQLite does not flatten into an aggregate query; the tests pin the order.
    return f"""SELECT code, COUNT(*) AS n, SUM(in_time) AS n_in_time,
      json_group_array(json_object('project_no', project_no, 'kind', kind, 'planned_on', planned_on,
                       'commissioned_on', commissioned_on, 'in_time', json(CASE WHEN in_time THEN 'true'
                       ELSE 'false' END))) AS projects
      FROM (SELECT {code} AS code, {no} AS project_no, {kind} AS kind, {planned} AS planned_on,
                   {done} AS commissioned_on, CASE WHEN {in_time} THEN 1 ELSE 0 END AS in_time
            FROM {t} WHERE {relieving} ORDER BY {code}, {planned}, {no}) q GROUP BY code""", [_d(start), _d(pub)]


def _projects(value) -> list[dict]:
    """The aggregated JSON array (text) as the list stored on the seasonal list's entry."""
    return json.loads(value) if value else []
