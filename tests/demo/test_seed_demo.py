"""seed_demo end to end: generate, import through import_file, create the demo users."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scorecard.accounts.models import User
from scorecard.accounts.services import DEMO_PASSWORD
from scorecard.complaints.models import Customer, WorkOrder
from scorecard.grid.models import District, DistrictManagerAssignment, GridProject, LoadReading, OrgUnit, Outage

from scorecard.imports.importers import IMPORTERS
from scorecard.demo import HEADERS, KINDS

from .conftest import read_csv

ARGS = {"orders": 3000, "months": 13, "end_month": "2026-10"}


# The demo's 95598 export, like most real ones, carries no verification: 属实/有责/降级 is
# decided later on the 核实定责 page, so these importer columns are absent on purpose.
NOT_IN_DEMO = {"workorders": {"是否属实", "是否有责", "是否降级"}}


@pytest.mark.parametrize("kind", KINDS)
def test_the_importer_of_each_kind_knows_every_demo_header(kind):
    known = {c.header for c in IMPORTERS[kind].columns}
    assert set(HEADERS[kind]) <= known
    # Every other column of the importer is one the demo leaves out deliberately.
    assert known - set(HEADERS[kind]) == NOT_IN_DEMO.get(kind, set())


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=False)
def test_seed_demo_imports_everything_and_creates_users(fast_hasher, tmp_path):
    output = seed(keep_files=str(tmp_path), **ARGS)
    files = {kind: read_csv(tmp_path / f"{kind}.csv") for kind in
             ("districts", "loads", "outages", "projects", "workorders")}
    assert WorkOrder.objects.count() == 3000 == len(files["workorders"])
    assert District.objects.count() == len(files["districts"])
    assert LoadReading.objects.count() == len(files["loads"])
    assert Outage.objects.count() == len(files["outages"])
    assert GridProject.objects.count() == len(files["projects"])
    # Every 台区 has a 台区经理; those of the changes file have two rows, the first closed on the 生效日期.
    changes = read_csv(tmp_path / "district_changes.csv")
    assert changes and DistrictManagerAssignment.objects.filter(valid_to__isnull=True).count() == len(files["districts"])
    assert DistrictManagerAssignment.objects.count() == len(files["districts"]) + len(changes)
    moved = DistrictManagerAssignment.objects.get(district_id=changes[0]["台区编号"], valid_to__isnull=False)
    assert moved.valid_to.isoformat() == changes[0]["生效日期"]
    assert WorkOrder.objects.filter(is_complaint=True).count() == sum(
        r["业务类型"] == "投诉" for r in files["workorders"])
    assert Customer.objects.exists()
    province = OrgUnit.objects.get(level="province")
    assert province.name == "国网湖南省电力有限公司"
    assert OrgUnit.objects.filter(level="city").count() == 14
    assert OrgUnit.objects.filter(level="county").count() >= 100
    # Progress and timings are reported; the logins are printed at the end.
    assert "生成完成" in output and "导入 95598工单：3000 行" in output
    # The demo's complaint density is far above a real province's: its 万户投诉量 cut-offs are
    # the quintiles of its last month, so its units spread over the bands (see calibrate_bands).
    from scorecard.accounts.models import AuditLog
    from scorecard.kpis.models import KpiDefinition

    assert "万户投诉量档位按 2026-10 演示数据五分位校准（地市公司）" in output
    unit_bands = KpiDefinition.objects.get(level="unit", code="per_10k")
    assert unit_bands.band_d > 1.5 and AuditLog.objects.filter(action="kpi.calibrate").count() == 2
    for username in ("analyst", "depthead", "leader", "auditor", "admin"):
        assert f"{username} / {DEMO_PASSWORD} /" in output

    users = {u.username: u for u in User.objects.select_related("org_unit", "department")}
    assert {u.role for u in users.values()} == {"analyst", "dept_head", "leader", "auditor", "admin"}
    head = users["depthead"]
    assert (head.org_unit.name, head.org_unit.level, head.department.name) == ("国网长沙供电公司", "city", "运检")
    assert users["leader"].org_unit == head.org_unit
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["analyst"].is_superuser and not users["auditor"].is_staff
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())

    # Running it again changes nothing: the same files re-import unchanged, no duplicate users.
    again = seed(**ARGS)
    assert "导入 95598工单：3000 行（新增 0，更新 0，未变 3000）" in again
    assert WorkOrder.objects.count() == 3000
    assert User.objects.count() == 5


@pytest.mark.django_db
def test_if_empty_skips_data_but_still_prints_logins(fast_hasher):
    seed(orders=300, months=2, end_month="2026-10")
    assert WorkOrder.objects.count() == 300
    output = seed(orders=500, months=2, end_month="2026-10", if_empty=True)
    assert WorkOrder.objects.count() == 300
    assert "跳过" in output and f"admin / {DEMO_PASSWORD}" in output


@pytest.mark.django_db
def test_users_only_on_an_empty_database(fast_hasher):
    output = seed(users_only=True)
    assert not WorkOrder.objects.exists()
    assert User.objects.count() == 5
    assert "国网长沙供电公司·运检" in output
    # The city company made for the department head is the one the data import uses later.
    seed(orders=300, months=1, end_month="2026-10")
    assert OrgUnit.objects.filter(level="city", name="国网长沙供电公司").count() == 1
    assert OrgUnit.objects.filter(level="province").count() == 1


@pytest.mark.django_db
def test_bad_options_are_named():
    with pytest.raises(CommandError, match="--orders"):
        call_command("seed_demo", orders=-5, stdout=StringIO())
    with pytest.raises(CommandError, match="end-month|end_month"):
        call_command("seed_demo", "--end-month", "2026/10", stdout=StringIO())


@pytest.mark.django_db
def test_an_import_error_fails_loudly(monkeypatch):
    from scorecard.demo.management.commands import seed_demo as command

    real = command.write_demo_csvs

    def corrupt(outdir, **kwargs):
        paths = real(outdir, **kwargs)
        with paths["loads"].open("a", encoding="utf-8") as fh:
            fh.write("TQ_UNKNOWN,2026-10,50.00,210.0,230.0\r\n")
        return paths

    monkeypatch.setattr(command, "write_demo_csvs", corrupt)
    with pytest.raises(CommandError) as exc:
        seed(orders=200, months=1, end_month="2026-10")
    message = str(exc.value)
    assert "loads" in message and "TQ_UNKNOWN" in message
    assert not LoadReading.objects.exists() and not WorkOrder.objects.exists()


@pytest.mark.django_db(transaction=False)
def test_keep_bands_leaves_the_configured_cut_offs(fast_hasher):
    from scorecard.accounts.models import AuditLog
    from scorecard.kpis.models import KpiDefinition

    before = list(KpiDefinition.objects.values_list("band_a", "band_b", "band_c", "band_d"))
    output = seed(orders=500, months=2, end_month="2026-10", keep_bands=True)
    assert "五分位校准" not in output
    assert list(KpiDefinition.objects.values_list("band_a", "band_b", "band_c", "band_d")) == before
    assert not AuditLog.objects.filter(action="kpi.calibrate").exists()
