"""A published month never moves: after publication, imports of new and changed orders of the
month change no figure of it in any read-out; they are listed as late data (补录) and enter
only through a correction version, whose totals add up. Through the real import and notice
services, on SQLite and PostgreSQL alike."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from scorecard.accounts.models import User
from scorecard.kpis.models import LateData, ReportingMonth
from scorecard.notices import services as notices
from scorecard.notices.models import Notice
from tests.fixtures.import_files import DISTRICT_HEADER, WO_HEADER, sample_districts, sample_orders, \
    write_table, wo
from tests.fixtures.cycle import after_appeal_window

pytestmark = pytest.mark.django_db


def readout(command: str, month: str = "2026-03") -> dict:
    out = StringIO()
    call_command(command, "--month", month, "--json", stdout=out)
    return json.loads(out.getvalue())


def everything(client) -> dict:
    return {
        "profile": readout("complaint_profile"), "scorecard": readout("scorecard"),
        "trace": readout("trace_bottlenecks"),
        "api_profile": client.get("/api/v1/profile/?month=2026-03").json(),
        "api_scorecard": client.get("/api/v1/scorecard/?month=2026-03").json(),
    }


@pytest.fixture
def imported(tmp_path, django_capture_on_commit_callbacks):
    from scorecard.imports.services import import_file

    analyst = User.objects.create_user("fenxi", password="pw", role="analyst")
    with django_capture_on_commit_callbacks(execute=True):
        assert import_file(kind="districts", path=write_table(tmp_path / "d.csv", DISTRICT_HEADER,
                                                              sample_districts()), user=analyst).ok
        assert import_file(kind="workorders", path=write_table(tmp_path / "wo.csv", WO_HEADER, sample_orders()),
                           user=analyst).ok
    return analyst


def test_a_published_month_never_moves_and_a_correction_takes_the_late_data_in(
        imported, tmp_path, client, django_capture_on_commit_callbacks):
    from scorecard.imports.services import import_file

    analyst = imported
    # The import traced the month it touched (reads never do).
    assert ReportingMonth.objects.get(month="2026-03-01").traced_at is not None
    draft = notices.render_notice(notice_id=notices.request_generation(month=readout_month(), user=analyst).pk)
    after_appeal_window()
    v1 = notices.publish_notice(notice=draft, user=analyst)
    client.force_login(analyst)
    published = everything(client)
    assert published["profile"]["total"] == 3

    # Late data: one new complaint of March, one changed (服务 → 营业), through the same importer.
    late = [wo("WO0099", "2026-03-20 10:00:00", customer="C0099"),
            wo("WO0004", "2026-03-02 17:15:00", "投诉", "营业", "电费电价", "", "123456", "王五", "0731-8888",
               closed="2026-03-02 18:00:00", satisfaction="不满意", content="营业员态度")]
    with django_capture_on_commit_callbacks(execute=True):
        assert import_file(kind="workorders", path=write_table(tmp_path / "late.csv", WO_HEADER, late),
                           user=analyst, source="late.csv").ok
    assert everything(client) == published  # no figure of the published month moved, anywhere
    item = LateData.objects.get()
    assert (item.source, item.imported_by, item.rows_new, item.rows_changed, item.included_in_version) == (
        "late.csv", analyst, 1, 1, None)
    assert {c["figure"]: (c["published"], c["current"]) for c in item.changes}["受理投诉总数"] == (3, 4)
    page = client.get("/notices/").content.decode()
    assert "补录待更正" in page or "次导入" in page

    # The correction: computed from current data, states what it corrects, adds up.
    v2 = notices.render_notice(notice_id=notices.request_generation(
        month=readout_month(), user=analyst, correction_note="纳入补录工单").pk)
    assert everything(client) == published  # drafting a correction moves nothing either
    snap = v2.snapshot
    assert snap["profile"]["total"] == 4
    assert sum(c["count"] for c in snap["profile"]["categories"]) == 4
    assert sum(u["complaints"] for u in snap["scorecard"]["units"]) == 4
    assert {"figure": "受理投诉总数", "before": "3", "after": "4"} in snap["correction"]["changes"]
    assert [x["source"] for x in snap["correction"]["late"]] == ["late.csv"]
    v2 = notices.publish_notice(notice=v2, user=analyst)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (Notice.Status.SUPERSEDED, Notice.Status.PUBLISHED)
    now = everything(client)
    assert now["profile"]["total"] == 4 and sum(u["complaints"] for u in now["scorecard"]["units"]) == 4
    assert LateData.objects.get().included_in_version == 2


def readout_month():
    import datetime as dt

    return dt.date(2026, 3, 1)
