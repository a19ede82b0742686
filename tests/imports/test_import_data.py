"""``manage.py import_data KIND FILE [--dry-run]``: output and exit codes."""
import hashlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from scorecard.complaints.models import WorkOrder

from tests.fixtures.import_files import DISTRICT_HEADER, WO_HEADER, sample_districts, sample_orders, wo, write_table

# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


def _call(*args):
    out, err = StringIO(), StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_success_prints_summary(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    out, err = _call("workorders", str(path))
    assert out.splitlines() == ["workorders o.csv: rows 5, created 5, updated 0, unchanged 0",
                                f"sha256 {sha}, months 2026-03"]
    assert err == ""
    out, _ = _call("workorders", str(path))
    assert out.splitlines()[0] == "workorders o.csv: rows 5, created 0, updated 0, unchanged 5"


def test_dry_run_prints_summary_and_writes_nothing(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    out, _ = _call("workorders", str(path), "--dry-run")
    assert "rows 5, created 5, updated 0, unchanged 0" in out and "dry-run" in out
    assert WorkOrder.objects.count() == 0


def test_failure_prints_every_bad_row_and_raises(tmp_path):
    rows = [wo("A1"), wo("A2", btype="投拆"), wo("A3", closed="2026-02-01 00:00")]
    path = write_table(tmp_path / "bad.csv", WO_HEADER, rows)
    err = StringIO()
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("import_data", "workorders", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, 业务类型: 未知的业务类型“投拆”（可选：投诉、举报、意见、建议、咨询、表扬、服务申请、催办、故障报修）",
        "row 4, 办结时间: 办结时间早于受理时间",
    ]
    assert WorkOrder.objects.count() == 0


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        _call("workorders", str(tmp_path / "nope.csv"))


@pytest.mark.slow
def test_exit_codes_from_the_shell(tmp_path):
    """The real process: exit 0 / 1 / 2 and which stream says what (own SQLite file)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
           "SCORECARD_VAR_DIR": str(tmp_path / "var")}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def run(*args):
        return subprocess.run([*manage, *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("migrate", "-v0").returncode == 0
    # The units the orders name come from the districts file, as in production.
    districts = write_table(tmp_path / "d.csv", DISTRICT_HEADER, sample_districts())
    assert run("import_data", "districts", str(districts)).returncode == 0
    good = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders(), encoding="gbk")
    done = run("import_data", "workorders", str(good))
    assert done.returncode == 0, done.stderr
    assert "rows 5, created 5, updated 0, unchanged 0" in done.stdout

    bad = write_table(tmp_path / "bad.csv", WO_HEADER, [wo("B1", accepted="not a date")])
    failed = run("import_data", "workorders", str(bad))
    assert failed.returncode == 1
    assert "row 2, 受理时间: “not a date”不是有效的时间" in failed.stderr
    assert failed.stdout == ""

    unknown = run("import_data", "orders", str(good))
    assert unknown.returncode == 2 and "invalid choice: 'orders'" in unknown.stderr
    missing = run("import_data", "loads", str(tmp_path / "missing.csv"))
    assert missing.returncode == 1 and "文件不存在" in missing.stderr
