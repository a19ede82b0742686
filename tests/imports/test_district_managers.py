"""The districts import's 台区经理 columns: the history it keeps, what it says, what it refuses."""
import datetime as dt

import pytest
from django.utils import timezone

from scorecard.accounts.models import AuditLog
from scorecard.core import freshness
from scorecard.core.months import LOCAL_TZ
from scorecard.grid.models import DistrictManagerAssignment as A
from scorecard.grid.selectors import current_managers
from scorecard.imports.services import import_file

from tests.fixtures.import_files import DISTRICT_HEADER, write_table

pytestmark = pytest.mark.django_db

HEADER = DISTRICT_HEADER + ["台区经理", "台区经理工号", "生效日期"]
CITY, COUNTY, STATION = "国网长沙供电公司", "长沙县供电公司", "星沙供电所"


def row(code, manager="", staff="", day=""):
    return [code, f"{code}台区", CITY, COUNTY, STATION, "10kV星沙线", "400", "100", manager, staff, day]


def run(tmp_path, rows, name="d.csv", header=HEADER):
    result = import_file(kind="districts", path=write_table(tmp_path / name, header, rows))
    return result


def history(code):
    return list(A.objects.filter(district_id=code).order_by("valid_from")
                .values_list("name", "staff_no", "valid_from", "valid_to"))


def today():
    return timezone.now().astimezone(LOCAL_TZ).date()


def test_first_import_opens_a_row_per_district_dated_by_the_column_or_the_import(tmp_path):
    result = run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-01-01"), row("TQ2", "李娜", "GW002"), row("TQ3")])
    assert result.ok, result.errors
    assert history("TQ1") == [("张伟", "GW001", dt.date(2026, 1, 1), None)]
    assert history("TQ2") == [("李娜", "GW002", today(), None)]  # no 生效日期: the day of the import
    assert history("TQ3") == []  # a blank 台区经理 appoints nobody
    assert result.changes == {"managers_new": 2, "managers_changed": 0, "managers_corrected": 0,
                              "managers_unchanged": 0}
    assert result.details == ["台区经理：新任 2 个台区，变更 0 个（原任职截至生效日期，历史保留），当日更正 0 个，未变 0 个"]
    assert result.note_lines()[0] == result.details[0]


def test_a_change_closes_the_old_row_and_opens_the_next(tmp_path):
    assert run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-01-01"), row("TQ2", "李娜", "GW002", "2026-01-01")]).ok
    version = freshness.current()
    result = run(tmp_path, [row("TQ1", "王芳", "GW009", "2026-06-15"), row("TQ2", "李娜", "GW002", "2026-06-15")],
                 name="d2.csv")
    assert result.ok, result.errors
    # The district rows themselves did not change: the manager change alone still counts and bumps the version.
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.changes["managers_changed"] == 1 and result.changes["managers_unchanged"] == 1
    assert freshness.current() > version
    assert history("TQ1") == [("张伟", "GW001", dt.date(2026, 1, 1), dt.date(2026, 6, 15)),
                              ("王芳", "GW009", dt.date(2026, 6, 15), None)]
    assert history("TQ2") == [("李娜", "GW002", dt.date(2026, 1, 1), None)]  # same person: nothing new
    assert current_managers()["TQ1"] == "王芳（GW009）"
    # Re-importing the same file changes nothing.
    again = run(tmp_path, [row("TQ1", "王芳", "GW009", "2026-06-15")], name="d3.csv")
    assert again.changes["managers_unchanged"] == 1 and A.objects.filter(district_id="TQ1").count() == 2


def test_a_change_on_the_day_of_the_appointment_corrects_it(tmp_path):
    assert run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-03-01")]).ok
    result = run(tmp_path, [row("TQ1", "张玮", "GW001", "2026-03-01")], name="d2.csv")
    assert result.changes["managers_corrected"] == 1
    assert history("TQ1") == [("张玮", "GW001", dt.date(2026, 3, 1), None)]


def test_the_import_is_audited_with_its_manager_changes(tmp_path):
    run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-01-01")])
    entry = AuditLog.objects.get(action="import.commit")
    assert entry.after["changes"]["managers_new"] == 1


def test_errors_name_the_row_and_import_nothing(tmp_path):
    assert run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-03-01")]).ok
    result = run(tmp_path, [row("TQ1", "王芳", "GW009", "2026-02-01"), row("TQ2", "", "GW002"),
                            row("TQ3", "赵六", "", "2026-13-01")], name="bad.csv")
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "生效日期", "生效日期 2026-02-01 早于现任台区经理“张伟”的任职日期 2026-03-01：历史任职请在系统管理中修改"),
        (3, "台区经理工号", "有台区经理工号“GW002”但没有台区经理姓名"),
        (4, "生效日期", "“2026-13-01”不是有效的日期（超出范围）"),
    ]
    assert history("TQ1") == [("张伟", "GW001", dt.date(2026, 3, 1), None)]
    assert not A.objects.filter(district_id__in=["TQ2", "TQ3"]).exists()


def test_absent_columns_are_said_not_lost(tmp_path):
    # No 台区经理 column: the history is kept as it is, and the summary says so.
    assert run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-03-01")]).ok
    plain = run(tmp_path, [row("TQ1")[:8]], name="plain.csv", header=DISTRICT_HEADER)
    assert plain.ok
    assert "缺少“台区经理”列：台区经理及其任职历史不更新（保留现有记录）" in plain.warnings
    assert plain.details == [] and history("TQ1") == [("张伟", "GW001", dt.date(2026, 3, 1), None)]
    # A name without its staff-number column is recorded by name, with a warning.
    names_only = run(tmp_path, [row("TQ1")[:8] + ["王芳"]], name="names.csv", header=DISTRICT_HEADER + ["台区经理"])
    assert "缺少“台区经理工号”列：台区经理只按姓名记录，同名的不同人员无法区分" in names_only.warnings
    assert history("TQ1")[-1] == ("王芳", "", today(), None)


def test_the_english_aliases_read_the_columns(tmp_path):
    header = DISTRICT_HEADER + ["manager_name", "manager_staff_no", "effective_on"]
    assert run(tmp_path, [row("TQ1", "张伟", "GW001", "2026-01-01")], header=header).ok
    assert history("TQ1") == [("张伟", "GW001", dt.date(2026, 1, 1), None)]


def test_an_older_export_re_imported_changes_nothing(tmp_path):
    first = [row("TQ1", "张伟", "GW001", "2026-01-01")]
    assert run(tmp_path, first).ok
    assert run(tmp_path, [row("TQ1", "王芳", "GW009", "2026-06-15")], name="d2.csv").ok
    # The January file again: 张伟 is on record for 2026-01-01, so nothing is refused or reopened.
    again = run(tmp_path, first, name="d3.csv")
    assert again.ok, again.errors
    assert again.changes["managers_unchanged"] == 1
    assert history("TQ1") == [("张伟", "GW001", dt.date(2026, 1, 1), dt.date(2026, 6, 15)),
                              ("王芳", "GW009", dt.date(2026, 6, 15), None)]
