"""The working-day calendar says when it does not know: chinese-calendar's range, loaded years
(CalendarYear), ``import_data calendar FILE`` (services.load_calendar) and the flags on the read-outs
and pages."""
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scorecard.kpis import calendar as workcal
from scorecard.kpis.models import CalendarYear, WorkCalendar, WorkingDayOverride
from scorecard.kpis.selectors import calendar_complete, calendar_missing_years

from tests.fixtures.factories import city, order
from tests.fixtures.readouts import dept_row, scorecard

pytestmark = pytest.mark.django_db

# 2027: New Year's Day off; the Saturday 2027-03-06 declared a 调休 working day (made up for the example).
GOOD = "日期,类型,说明\n2027-01-01,休,元旦\n2027-03-06,班,调休上班\n2027-10-01,休,国庆节\n"


def write(tmp_path, text: str, name: str = "cal.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def import_calendar(path: str) -> str:
    out = StringIO()
    call_command("import_data", "calendar", path, stdout=out)
    return out.getvalue()


def test_it_knows_the_range_of_the_pinned_library():
    # chinese-calendar 1.11 has the official schedules of 2004–2026 and raises NotImplementedError beyond.
    assert workcal.library_covers(2004) and workcal.library_covers(2026)
    assert not workcal.library_covers(2003) and not workcal.library_covers(2027)
    assert calendar_complete(dt.date(2026, 11, 1))
    # December's deadlines run into January: 2026-12 needs 2027 as well.
    assert calendar_missing_years(dt.date(2026, 12, 1)) == [2027]
    assert calendar_missing_years(dt.date(2027, 3, 1)) == [2027]


def test_a_2027_month_is_flagged_until_its_calendar_is_loaded(tmp_path):
    cs = city("国网长沙供电公司")
    # Tue 2027-03-02 10:00 → Wed 3, Thu 4, Fri 5, and the 4th working day: Mon 03-08 by the weekday guess,
    # the 调休 Saturday 03-06 once the file says so. Closed Sat 03-06 10:01: on time only under the guess.
    order(accepted="2027-03-02 10:00", city_unit=cs, closed="2027-03-06 10:01")
    card = scorecard("2027-03")
    assert card["calendar_complete"] is False
    assert dept_row(card, "国网长沙供电公司", "营销")["on_time"] == 1
    out = import_calendar(write(tmp_path, GOOD))
    assert "created 3, updated 0, unchanged 0" in out and "years 2027" in out
    card = scorecard("2027-03")
    assert card["calendar_complete"] is True
    assert dept_row(card, "国网长沙供电公司", "营销")["on_time"] == 0  # the calendar was rebuilt
    year = CalendarYear.objects.get()
    assert (year.year, year.note) == (2027, "由 cal.csv 载入")
    assert WorkCalendar.objects.get(date="2027-03-06").is_working_day
    assert not WorkCalendar.objects.get(date="2027-01-01").is_working_day
    # Once per file, in order: the seq of the working day after the 调休 Saturday counts it.
    assert (WorkCalendar.objects.get(date="2027-03-08").seq - WorkCalendar.objects.get(date="2027-03-05").seq) == 2


def test_the_pages_warn_about_a_month_without_a_calendar(tmp_path, client):
    from scorecard.accounts.models import User
    from scorecard.notices.models import Notice

    cs = city("国网长沙供电公司")
    order(accepted="2027-03-02 10:00", city_unit=cs)
    Notice.objects.create(month=dt.date(2027, 3, 1), status="draft", number="〔2027〕第3期", file="n.pdf",
                          sha256="0" * 64, size=1)
    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    warning = "2027年节假日安排尚未载入，按时办结率按周一至周五计算，可能不准确"
    pages = ("/", "/scorecard/?month=2027-03", "/notices/")
    for url in pages:
        assert warning in client.get(url).content.decode(), url
    import_calendar(write(tmp_path, GOOD))
    for url in pages:
        assert warning not in client.get(url).content.decode(), url


def test_the_flag_is_frozen_with_a_published_month(tmp_path):
    from scorecard.accounts.models import User
    from scorecard.kpis import services

    cs = city("国网长沙供电公司")
    order(accepted="2027-03-02 10:00", city_unit=cs)
    services.publish_month(month=dt.date(2027, 3, 1), user=User.objects.create_user("a", role="analyst"))
    import_calendar(write(tmp_path, GOOD))
    assert scorecard("2027-03")["calendar_complete"] is False  # as published
    assert scorecard("2027-04")["calendar_complete"] is True


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    from scorecard.accounts.models import AuditLog

    path = write(tmp_path, GOOD)
    import_calendar(path)
    entries, loaded_at = AuditLog.objects.filter(action="calendar.load").count(), CalendarYear.objects.get().loaded_at
    assert entries == 1
    assert "created 0, updated 0, unchanged 3" in import_calendar(path)
    assert AuditLog.objects.filter(action="calendar.load").count() == 1
    assert (WorkingDayOverride.objects.count(), CalendarYear.objects.get().loaded_at) == (3, loaded_at)
    # A changed row is an update, and audited.
    assert "created 0, updated 1, unchanged 2" in import_calendar(write(tmp_path, GOOD.replace("国庆节", "国庆")))
    assert AuditLog.objects.filter(action="calendar.load").count() == 2


def test_the_alias_column_gbk_and_xlsx_are_read(tmp_path):
    from openpyxl import Workbook

    import_calendar(write(tmp_path, "日期,是否工作日,说明\n2027-02-06,是,春节调休\n2027-02-08,否,春节\n",
                          name="gbk.csv", encoding="gbk"))
    assert dict(WorkingDayOverride.objects.values_list("date", "note")) == {
        dt.date(2027, 2, 6): "春节调休", dt.date(2027, 2, 8): "春节"}
    wb = Workbook()
    wb.active.append(["日期", "类型"])
    wb.active.append([dt.datetime(2028, 1, 1), "休"])  # an Excel date cell
    wb.save(tmp_path / "cal.xlsx")
    assert "years 2028" in import_calendar(str(tmp_path / "cal.xlsx"))
    assert set(CalendarYear.objects.values_list("year", flat=True)) == {2027, 2028}
    assert not WorkingDayOverride.objects.get(date="2028-01-01").is_working_day


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(tmp_path, capsys):
    bad = ("日期,类型\n2027-01-01,休\n2027-13-01,休\n2027-01-02,放假\n,班\n2027-01-01,班\n2099-01-01,休\n"
           "2027-01-03,\n")
    with pytest.raises(CommandError, match="6 处错误，未导入任何数据"):
        call_command("import_data", "calendar", write(tmp_path, bad))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "row 3, 日期: “2027-13-01”不是有效的日期（超出范围）",
        "row 4, 类型: “放假”不是有效的类型（应为 休 或 班）",
        "row 5, 日期: 不能为空",
        "row 6, 日期: 2027-01-01 与第 2 行矛盾",
        "row 7, 日期: 年份 2099 超出工作日历的范围（2004–2035）",
        "row 8, 类型: 不能为空（休 或 班）",
    ]
    assert not WorkingDayOverride.objects.exists() and not CalendarYear.objects.exists()


def test_a_file_without_the_kind_column_is_refused(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_data", "calendar", write(tmp_path, "日期,说明\n2027-01-01,元旦\n"))
    assert "row 1, 类型: 缺少必需的列“类型”" in capsys.readouterr().err


def test_a_dry_run_writes_nothing(tmp_path):
    out = StringIO()
    call_command("import_data", "calendar", write(tmp_path, GOOD), "--dry-run", stdout=out)
    assert out.getvalue().startswith("[dry-run，未写入] calendar cal.csv: rows 3, created 3")
    assert not WorkingDayOverride.objects.exists() and not CalendarYear.objects.exists()


def test_the_json_read_out_has_the_flag():
    out = StringIO()
    call_command("scorecard", "--month", "2024-11", "--json", stdout=out)
    assert json.loads(out.getvalue())["calendar_complete"] is True


def test_the_admin_lists_loaded_years(client):
    from scorecard.accounts.models import User

    CalendarYear.objects.create(year=2027, note="手工核对")
    client.force_login(User.objects.create_superuser("root", password="pw", role="admin"))
    page = client.get("/admin/kpis/calendaryear/").content.decode()
    assert "2027" in page and "手工核对" in page
