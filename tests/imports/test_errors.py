"""Errors grouped: one line per distinct cause with its count and first rows; the full list in a file."""
import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.celery import app as celery_app
from scorecard.imports.errors import error_lines, group_errors
from scorecard.imports.importers.base import RowError

from tests.fixtures.import_files import WO_HEADER, web_import, wo, write_table

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]

REASON = "三级分类“线路老化”不属于二级分类“频繁停电”（如为新分类，请先导入分类目录：import_data taxonomy）"


def _file(tmp_path):
    """215 rows with the same unknown 三级分类 (rows 2–216), one with a bad time (row 217)."""
    rows = [wo(f"E{i:04d}", det="线路老化") for i in range(215)] + [wo("E9999", accepted="明天")]
    return write_table(tmp_path / "bad.csv", WO_HEADER, rows)


def test_a_cause_of_many_rows_is_one_line_with_its_count_and_first_rows():
    errors = [RowError(r, "三级分类", "x") for r in range(3101, 3316)] + [RowError(9, "受理时间", "y")]
    groups = group_errors(errors)
    assert [str(g) for g in groups] == ["第 3101、3102、3103、3104、3105… 行（共 215 行），三级分类：x",
                                        "row 9, 受理时间: y"]
    assert str(group_errors([RowError(2, "", "z"), RowError(3, "", "z")])[0]) == "第 2、3 行（共 2 行）：z"
    assert groups[0].rows_text == "3101、3102、3103、3104、3105…（共 215 行）" and groups[1].rows_text == "9"
    assert len(error_lines(errors)) == 216 and error_lines(errors)[0] == "row 3101, 三级分类: x"
    # Dicts (as a job stores them) group the same way.
    assert [g.count for g in group_errors([{"row": 1, "column": "a", "reason": "r"}] * 3)] == [3]


def test_the_command_prints_one_line_per_cause_and_writes_every_row_to_the_errors_file(tmp_path):
    path, listing = _file(tmp_path), tmp_path / "errors.txt"
    err = StringIO()
    with pytest.raises(CommandError, match="216 处错误"):
        call_command("import_data", "workorders", str(path), "--errors", str(listing), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"第 2、3、4、5、6… 行（共 215 行），三级分类：{REASON}",
        "row 217, 受理时间: “明天”不是有效的时间（应为 YYYY-MM-DD HH:MM[:SS]）"]
    lines = listing.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 216
    assert lines[0] == f"row 2, 三级分类: {REASON}" and lines[214] == f"row 216, 三级分类: {REASON}"
    # A clean file empties it: a script reading it never sees the errors of an earlier run.
    good = write_table(tmp_path / "ok.csv", WO_HEADER, [wo()])
    call_command("import_data", "workorders", str(good), "--errors", str(listing), stdout=StringIO(), stderr=StringIO())
    assert listing.read_text(encoding="utf-8") == ""


def test_the_job_page_groups_the_errors_and_offers_all_of_them_as_csv(client, tmp_path,
                                                                      django_capture_on_commit_callbacks):
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        analyst = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
        client.force_login(analyst)
        check, _ = web_import(client, django_capture_on_commit_callbacks, _file(tmp_path))
    finally:
        celery_app.conf.task_always_eager = before
    assert check.status == "failed" and len(check.errors) == 216
    page = client.get(reverse("imports:detail", args=[check.pk])).content.decode()
    assert f"<td>2、3、4、5、6…（共 215 行）</td><td>三级分类</td><td>{REASON}</td>" in page
    assert page.count(REASON) == 1 and "<td>217</td><td>受理时间</td>" in page
    assert reverse("imports:errors", args=[check.pk]) in page
    response = client.get(reverse("imports:errors", args=[check.pk]))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "列", "原因"] and len(rows) == 1 + 216
    assert rows[1] == ["2", "三级分类", REASON] and rows[-1][:2] == ["217", "受理时间"]
