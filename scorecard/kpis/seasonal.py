"""Seasonal risk lists (issue #18): before 迎峰度夏 (published in May for June–September) and 迎峰度冬
(published in November for December–February), the 台区 likely to overload or hit low voltage in the
coming season, with the grid projects that would relieve them and whether they commission in time.

Pure reads, one SQL statement grouped by 台区 for the readings. The rule, explicit:
- last season = the same season one year earlier (summer: June–September of the year before; winter:
  December of the year before last to February of last year's winter, i.e. the season that ended
  before the publication month);
- trend = the max load rate of the 3 months before the publication month minus that of the same
  3 months a year earlier (how much the 台区 grew since last season);
- expected peak = last season's peak load rate + trend (None without a peak);
- overload risk: expected peak ≥ the overload threshold (RuleSettings.overload_pct); heavy load:
  ≥ heavy_load_pct; low voltage: last season's lowest voltage < low_voltage_v;
- a project relieves the 台区 when it is not commissioned before the publication month; it is in
  time when it is planned (or was commissioned) before the season's first day.
"""
import datetime as dt

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
    sql = f"""
    SELECT {_col(LoadReading, 'district')},
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END),
      MIN(CASE WHEN {mo} >= %s AND {mo} < %s THEN {vmin} END),
      SUM(CASE WHEN {mo} >= %s AND {mo} < %s AND {vmin} < %s THEN 1 ELSE 0 END),
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END),
      MAX(CASE WHEN {mo} >= %s AND {mo} < %s THEN {load} END)
    FROM {_table(LoadReading)} WHERE {mo} >= %s AND {mo} < %s GROUP BY {_col(LoadReading, 'district')}"""
    low = float(rs.low_voltage_v)
    params = [_d(lo), _d(hi), _d(lo), _d(hi), _d(lo), _d(hi), low, _d(recent), _d(pub), _d(year_ago),
              _d(shift(year_ago, 3)), _d(min(lo, year_ago)), _d(pub)]
    over, heavy = float(rs.overload_pct), float(rs.heavy_load_pct)
    out = []
    for code, peak, vlo, n_low, now, before in _fetch(sql, params):
        peak, vlo, now, before = _num(peak), _num(vlo), _num(now), _num(before)
        trend = round(now - before, 2) if now is not None and before is not None else 0.0
        expected = round(peak + trend, 2) if peak is not None else None
        kinds = []
        if expected is not None and expected >= over:
            kinds.append("overload")
        elif expected is not None and expected >= heavy:
            kinds.append("heavy_load")
        if vlo is not None and vlo < low:
            kinds.append("low_voltage")
        if kinds:
            out.append({"code": code, "kinds": kinds, "last_peak": peak, "trend": trend, "expected_peak": expected,
                        "last_vmin": vlo, "low_voltage_months": n_low or 0, "projects": []})
    start = season_start(season, year)
    by_code = {r["code"]: r for r in out}
    for p in (GridProject.objects.filter(district_id__in=list(by_code))
              .exclude(commissioned_on__lt=pub).order_by("planned_on", "project_no")):
        when = p.commissioned_on or p.planned_on
        by_code[p.district_id]["projects"].append({
            "project_no": p.project_no, "kind": p.kind, "planned_on": p.planned_on.isoformat(),
            "commissioned_on": p.commissioned_on.isoformat() if p.commissioned_on else None,
            "in_time": when < start})
    return sorted(out, key=lambda r: (-(r["expected_peak"] or 0), r["last_vmin"] or 999, r["code"]))
