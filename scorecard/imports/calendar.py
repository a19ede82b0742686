"""The ``calendar`` kind of ``import_data``: a year's holidays and 调休 working days from CSV/XLSX.

Reading the file is an import like any other (same reader, header rules and row errors);
the days then go to kpis' working-day calendar, which is what they change.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext as _

from scorecard.kpis import calendar as workcal
from scorecard.kpis.services import CalendarLoad, load_calendar

from .importers.base import HEADER_SEARCH_ROWS, Column, Profile, RowError, header_finder, resolve_header
from .importers.parsing import parse_date
from .importers.readers import FileFormatError, TableReader


def import_calendar(*, path: str | Path, user=None, dry_run: bool = False,
                    profile: Profile | None = None) -> CalendarLoad:
    """Read ``path`` and load it, all or nothing: any row error and nothing is written."""
    path = Path(path)
    if not path.is_file():
        return CalendarLoad(errors=[RowError(1, "", _("文件不存在：%(p)s") % {"p": path})])
    rows, days, errors = read_calendar(path, profile or Profile(kind="calendar"))
    if errors:
        return CalendarLoad(rows=rows, errors=errors)
    return load_calendar(days=days, source=path.name, rows=rows, user=user, dry_run=dry_run)


# 类型 (休/班) or its alias column 是否工作日 (是/否): either names the day's kind.
CALENDAR_COLUMNS = [Column("date", "日期", required=True), Column("kind", "类型"),
                     Column("is_working_day", "是否工作日"), Column("note", "说明")]
# Not "调休": in usage it names both the make-up working day and the day off in lieu.
_KIND_VALUES = {"休": False, "班": True, "休息日": False, "工作日": True, "节假日": False}
_YESNO_VALUES = {"是": True, "否": False}


def read_calendar(path: Path, profile: Profile | None = None) -> tuple[int, dict[dt.date, tuple[bool, str]], list]:
    """Parse a calendar file: (data rows, {date: (is_working_day, note)}, row errors)."""
    days: dict[dt.date, tuple[bool, str]] = {}
    seen_at: dict[dt.date, int] = {}
    errors: list = []
    rows = 0
    try:
        profile = profile or Profile(kind="calendar")
        with TableReader(path, is_header=header_finder(CALENDAR_COLUMNS, profile),
                         search_rows=HEADER_SEARCH_ROWS) as table:
            index, written, errors = resolve_header(table.header, CALENDAR_COLUMNS, profile,
                                                    header_row=table.header_row)
            if not errors and "kind" not in index and "is_working_day" not in index:
                errors.append(RowError(table.header_row, "类型", "缺少必需的列“类型”（休/班，或“是否工作日” 是/否）"))
            if errors:
                return 0, {}, errors
            aliases = profile.value_aliases(CALENDAR_COLUMNS)
            kinds = {**{a: _KIND_VALUES[v] for a, v in aliases.get("kind", {}).items() if v in _KIND_VALUES},
                     **_KIND_VALUES}
            yes_no = {**{a: _YESNO_VALUES[v] for a, v in aliases.get("is_working_day", {}).items()
                         if v in _YESNO_VALUES}, **_YESNO_VALUES}
            for number, cells in table.rows():
                rows += 1
                cell = lambda f: cells[index[f]] if f in index and index[f] < len(cells) else ""  # noqa: E731
                try:
                    if cell("date") == "":
                        raise ValueError(_("不能为空"))
                    day = parse_date(cell("date"))
                    if not workcal.FIRST_YEAR <= day.year <= workcal.LAST_YEAR:
                        raise ValueError(_("年份 %(y)s 超出工作日历的范围（%(a)s–%(b)s）") % {
                            "y": day.year, "a": workcal.FIRST_YEAR, "b": workcal.LAST_YEAR})
                except ValueError as exc:
                    errors.append(RowError(number, written["date"], str(exc)))
                    continue
                working = None
                if "kind" in index and cell("kind") != "":
                    working = kinds.get(str(cell("kind")))
                    if working is None:
                        errors.append(RowError(number, written["kind"],
                                               _("“%(v)s”不是有效的类型（应为 休 或 班）") % {"v": cell("kind")}))
                        continue
                elif "is_working_day" in index and cell("is_working_day") != "":
                    working = yes_no.get(str(cell("is_working_day")))
                    if working is None:
                        errors.append(RowError(number, written["is_working_day"],
                                               _("“%(v)s”不是有效的值（应为 是 或 否）") % {
                                                   "v": cell("is_working_day")}))
                        continue
                else:
                    column = written.get("kind") or written.get("is_working_day")
                    errors.append(RowError(number, column, _("不能为空（休 或 班）")))
                    continue
                note = str(cell("note"))[:100]
                if day in days and days[day][0] != working:
                    errors.append(RowError(number, written["date"], _("%(d)s 与第 %(n)s 行矛盾") % {
                        "d": day.isoformat(), "n": seen_at[day]}))
                    continue
                days[day], seen_at[day] = (working, note), number
    except FileFormatError as exc:
        errors.append(RowError(exc.row, "", str(exc)))
    if not errors and not days:
        errors.append(RowError(1, "", _("文件中没有任何日期行")))
    return rows, days, errors
