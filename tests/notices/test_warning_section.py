"""The notice's section 「预警与主动服务」 (issue #18): built from the database into the snapshot (the month's
预警工单, their actions and hits; next month's stored risk list per city), rendered from the snapshot alone
(pdftotext), a sentence only where there are data, and absent from snapshots made before it existed."""
import copy
import datetime as dt
import re
import subprocess

import pytest
from django.utils import timezone, translation

from scorecard.accounts.models import User
from scorecard.kpis import warning_selectors
from scorecard.kpis.models import ReportingMonth, RiskEntry, RiskList, WarningAction, WarningOrder
from scorecard.notices import services
from scorecard.notices.renderer import render_notice_pdf
from tests.fixtures.factories import dept, district, order
from tests.fixtures.notice_sample import official_snapshot

from .conftest import MONTH

NOVEMBER = dt.date(2024, 11, 1)


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def section(flat: str) -> str:
    start = flat.index("、预警与主动服务")
    return flat[start:flat.index("附件：考核评分说明", start)]


@pytest.fixture
def warned(month_data):
    """October's orders: TQ0001 (4 customers complained: a hit), TQ0002 (2 customers: a hit), TQ0003
    (none: a miss), one escalated; three actions; November's risk list with 6 台区 of Changsha, 1 of Zhuzhou."""
    cs, zz = month_data["cs"], month_data["zz"]
    analyst = User.objects.create_user("w-an", password="x", role="analyst")
    head = User.objects.create_user("w-hd", password="x", role="dept_head", org_unit=cs, department=dept("运检"))
    d3 = district("TQ0003", cs)
    now = timezone.now()

    def warning(code, c, **kw):
        return WarningOrder.objects.create(month=MONTH, district_id=code, city=c, department=dept("运检"),
                                           due_on=dt.date(2024, 10, 10), created_by=analyst, created_at=now, **kw)

    w1 = warning("TQ0001", cs, acknowledged_by=head, acknowledged_at=now, status="done", closed_by=head,
                 closed_at=now, outcome="已割接负荷")
    w2 = warning("TQ0002", zz, status="escalated", escalated_at=now)
    warning("TQ0003", cs, acknowledged_by=head, acknowledged_at=now, status="in_progress")
    for w, kind in ((w1, "patrol"), (w1, "load"), (w2, "patrol")):
        WarningAction.objects.create(warning=w, kind=kind, text="x", at=now, by=head)
    # A November order and action do not count for October.
    WarningOrder.objects.create(month=NOVEMBER, district_id="TQ0003", city=cs, department=dept("运检"),
                                due_on=dt.date(2024, 11, 10), created_by=analyst, created_at=now)
    rl = RiskList.objects.create(month=NOVEMBER, data_version=1, model="logistic_regression", created_at=now)
    for i in range(6):
        district(f"TQ1{i:03d}", cs)
    codes = [f"TQ1{i:03d}" for i in range(6)] + ["TQ0002"]
    # Ranks interleave the cities: the window keeps Changsha's best 5 by rank, not the first 5 rows.
    for rank, code in enumerate(["TQ1005", "TQ0002", "TQ1004", "TQ1003", "TQ1002", "TQ1001", "TQ1000"], start=1):
        RiskEntry.objects.create(risk_list=rl, district_id=code, rank=rank, probability=1 - rank / 10,
                                 reasons=[f"原因{code}甲", f"原因{code}乙", f"原因{code}丙"])
    assert set(codes) == set(RiskEntry.objects.values_list("district_id", flat=True))
    ReportingMonth.objects.update_or_create(month=MONTH, defaults={"cutoff_at": now})  # October's data is in
    return month_data


@pytest.mark.django_db
def test_the_section_is_built_from_the_database_and_printed(warned, tmp_path):
    notice = services.render_notice(notice_id=services.request_generation(month=MONTH).pk)
    w, r = notice.snapshot["warnings"], notice.snapshot["risks"]
    assert {k: w[k] for k in ("count", "acknowledged", "done", "escalated", "acted", "actions", "judged", "hits",
                              "misses", "threshold")} == {
        "count": 3, "acknowledged": 2, "done": 1, "escalated": 1, "acted": 2, "actions": 3, "judged": 3,
        "hits": 2, "misses": 1, "threshold": 2}
    assert w["actions_by_kind"] == [{"kind": "patrol", "count": 2}, {"kind": "load", "count": 1}]
    assert (r["month"], r["stored"], r["model"]) == ("2024-11", True, "logistic_regression")
    cities = {c["city"]: [row["code"] for row in c["rows"]] for c in r["cities"]}
    assert cities == {"国网长沙供电公司": ["TQ1005", "TQ1004", "TQ1003", "TQ1002", "TQ1001"],
                      "国网株洲供电公司": ["TQ0002"]}
    assert r["cities"][0]["rows"][0]["reasons"] == ["原因TQ1005甲", "原因TQ1005乙"]

    # The draft's file carries the 征求意见稿 mark across the text; the published rendering of the same snapshot.
    assert "预警与主动服务" in pdf_text(notice.file.read(), tmp_path)
    text = section(pdf_text(render_notice_pdf(notice.snapshot | {"draft": False}), tmp_path))
    assert ("（一）本月共发出预警工单3张，已确认2张、已办结1张，逾期升级至责任部门负责人1张；2张工单记录了处理措施3项"
            "（巡视2项、负荷调整1项）。") in text
    assert "按本月实际投诉判定（同一台区2户及以上客户投诉即为投诉热点），3张工单中台区成为投诉热点（命中）2张、未成为投诉热点1张。" in text
    assert "（二）2024年11月投诉风险较高的台区：按2024年11月投诉风险清单（逻辑回归模型" in text
    assert "2家地市公司各列出风险最高的前5个台区" in text
    assert all(code in text for code in ("TQ1005", "TQ1001", "TQ0002")) and "TQ1000" not in text
    assert "原因TQ1005甲" in text and "原因TQ1005丙" not in text and "logistic" not in text


@pytest.mark.django_db
def test_a_month_without_orders_or_a_risk_list_says_so(month_data, tmp_path):
    notice = services.render_notice(notice_id=services.request_generation(month=MONTH).pk)
    assert notice.snapshot["warnings"]["count"] == 0 and notice.snapshot["risks"]["stored"] is False
    text = section(pdf_text(render_notice_pdf(notice.snapshot | {"draft": False}), tmp_path))
    assert "（一）本月无预警工单。" in text and "（二）2024年11月投诉风险清单尚未生成。" in text
    assert "已确认" not in text and "命中" not in text


def _block(**kw) -> dict:
    block = {"month": "2018-03", "threshold": 2, "count": 4, "acknowledged": 4, "done": 0, "escalated": 0,
             "acted": 0, "actions": 0, "actions_by_kind": [], "judged": 0, "hits": 0, "misses": 0}
    return block | kw


def test_each_clause_follows_the_figures(tmp_path):
    snap = official_snapshot()
    snap["warnings"] = _block()
    snap["risks"] = {"month": "2018-04", "stored": True, "model": "gradient_boosting", "cities": []}
    text = section(pdf_text(render_notice_pdf(snap), tmp_path))
    assert "（一）本月共发出预警工单4张，已确认4张、已办结0张；尚无工单记录处理措施。本月投诉数据尚未齐全，暂不判定预警是否命中。" in text
    assert "逾期升级" not in text and "（二）2018年4月投诉风险清单中无台区。" in text


def test_a_snapshot_made_before_the_section_renders_without_it_byte_for_byte(tmp_path):
    snap = official_snapshot()
    before = render_notice_pdf(snap)
    assert "预警与主动服务" not in pdf_text(before, tmp_path)
    with_section = copy.deepcopy(snap) | {"warnings": _block(count=0),
                                          "risks": {"month": "2018-04", "stored": False, "model": "", "cities": []}}
    assert render_notice_pdf(with_section) != before
    assert render_notice_pdf(copy.deepcopy(snap)) == before


@pytest.mark.django_db
def test_the_snapshot_keeps_the_chinese_words_of_structured_reasons_whoever_asks(warned):
    # Reasons are stored as codes and figures: the snapshot gets their Chinese words (the notice is
    # Chinese, and a snapshot renders the same bytes whenever it is rendered), even under English.
    RiskEntry.objects.filter(district_id="TQ1005").update(reasons=[
        {"code": "load_rising", "value": 96.2}, {"code": "last_year", "customers": 3},
        {"code": "size", "value": 120}])
    with translation.override("en"):
        block = warning_selectors.notice_risk_block(NOVEMBER)
    assert block["cities"][0]["rows"][0]["reasons"] == ["近3月负载率上升至96%", "去年同月3户投诉"]
    assert block["cities"][0]["rows"][1]["reasons"] == ["原因TQ1004甲", "原因TQ1004乙"]   # words stored earlier
