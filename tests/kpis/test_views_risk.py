"""The risk list pages (issue #18): a read of the stored list only, scoped by role; an analyst may ask a
worker for a list; one 台区's reasons with the feature values stored at compute time."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from scorecard.kpis import risk_reasons, services
from scorecard.kpis.models import RiskEntry, RiskList
from tests.fixtures.risk_world import JUNE

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(url)
    # The session's own refresh (database sessions on PostgreSQL) is not a write of the page's.
    return resp, [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
                  and "django_session" not in q["sql"]]


def test_without_a_stored_list_the_page_says_so_and_computes_nothing(client, risk_province,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(risk_province["analyst"])
    with django_capture_on_commit_callbacks() as callbacks:
        resp, writes = _writes(client, "/scorecard/risk/?month=2024-06")
    html = resp.content.decode()
    assert resp.status_code == 200 and "该月尚未计算风险清单" in html and 'id="risk-compute"' in html
    assert writes == [] and callbacks == [] and not RiskList.objects.exists()
    client.force_login(risk_province["head"])
    assert 'id="risk-compute"' not in client.get("/scorecard/risk/?month=2024-06").content.decode()


def test_only_an_analyst_may_enqueue_the_computation(client, risk_province, django_capture_on_commit_callbacks):
    client.force_login(risk_province["head"])
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post("/scorecard/risk/compute/", {"month": "2024-06"}).status_code == 403
    assert callbacks == []
    client.force_login(risk_province["analyst"])
    assert client.get("/scorecard/risk/compute/").status_code == 405
    assert client.post("/scorecard/risk/compute/", {"month": "2024-6x"}).status_code == 400
    with django_capture_on_commit_callbacks() as callbacks:   # sent on commit, not run here
        resp = client.post("/scorecard/risk/compute/", {"month": "2024-06"})
    assert resp.status_code == 302 and resp["Location"] == "/scorecard/risk/?month=2024-06"
    assert len(callbacks) == 1 and not RiskList.objects.exists()


@pytest.fixture
def stored(risk_province):
    services.compute_risk_list(month=JUNE)
    return risk_province


def test_each_role_sees_its_own_districts_and_a_get_writes_nothing(client, stored):
    rl = RiskList.objects.get()
    client.force_login(stored["analyst"])
    resp, writes = _writes(client, "/scorecard/risk/?month=2024-06")
    html = resp.content.decode()
    assert writes == [] and RiskList.objects.get().created_at == rl.created_at
    assert "TQ039" in html and "TQZ01" in html and 'id="risk-backtest"' in html
    assert "不代表真实世界的准确率" in html and f"数据版本 {rl.data_version}" in html
    top = rl.entries.order_by("rank").first()
    assert f"{top.probability * 100:.2f}%" in html
    # A county leader: only the county's ten 台区; a department head: their city company's, not 株洲's.
    client.force_login(stored["county"])
    html = client.get("/scorecard/risk/?month=2024-06&per_page=100").content.decode()
    assert "TQ009" in html and "TQ010" not in html and "TQZ01" not in html
    client.force_login(stored["head"])
    html = client.get("/scorecard/risk/?month=2024-06&sort=district").content.decode()
    assert "TQ000" in html and "TQZ01" not in html
    client.force_login(stored["zz"])
    html = client.get("/scorecard/risk/?month=2024-06").content.decode()
    assert "TQZ01" in html and "TQ000" not in html


def test_filters_sorting_and_paging(client, stored):
    client.force_login(stored["analyst"])
    html = client.get(f"/scorecard/risk/?month=2024-06&unit={stored['county'].org_unit_id}").content.decode()
    assert "TQ005" in html and "TQ020" not in html
    html = client.get("/scorecard/risk/?month=2024-06&district=TQ03").content.decode()
    assert "TQ031" in html and "TQ021" not in html
    html = client.get("/scorecard/risk/?month=2024-06&sort=district").content.decode()
    assert html.index("TQ000") < html.index("TQ001") < html.index("TQZ01")   # 41 rows, 50 a page: all
    html = client.get("/scorecard/risk/?month=2024-06&sort=-district").content.decode()
    assert html.index("TQZ01") < html.index("TQ039")
    # The county leader may not widen the list to another city's unit.
    client.force_login(stored["county"])
    assert "TQZ01" not in client.get(f"/scorecard/risk/?month=2024-06&unit={stored['zz'].pk}").content.decode()


def test_one_districts_reasons_and_the_stored_features(client, stored):
    entry = RiskList.objects.get().entries.get(district_id="TQ001")
    assert entry.features["district_customers"] == 110 and len(entry.explanation) == len(entry.reasons)
    assert [r["reason"] for r in entry.explanation] == entry.reasons
    client.force_login(stored["county"])
    resp, writes = _writes(client, "/scorecard/risk/district/TQ001/?month=2024-06")
    html = resp.content.decode()
    assert resp.status_code == 200 and writes == []
    assert f"{entry.probability * 100:.2f}%" in html and "用户数" in html and "110" in html
    assert all(escape(reason) in html for reason in risk_reasons.texts(entry.reasons))
    assert "2024-05" in html     # the readings before June
    assert client.get("/scorecard/risk/district/TQ020/?month=2024-06").status_code == 404   # another county
    assert client.get("/scorecard/risk/district/TQZ01/?month=2024-06").status_code == 404   # another city
    assert client.get("/scorecard/risk/district/NOPE/?month=2024-06").status_code == 404
    client.force_login(stored["zz"])
    assert client.get("/scorecard/risk/district/TQZ01/?month=2024-06").status_code == 200
    assert "该月尚未计算风险清单" in client.get("/scorecard/risk/district/TQZ01/?month=2025-01").content.decode()


def test_an_analyst_issues_a_warning_from_a_row_and_no_one_else_sees_the_button(client, stored):
    top = RiskList.objects.get().entries.order_by("rank").first()
    client.force_login(stored["analyst"])
    html = client.get("/scorecard/risk/?month=2024-06").content.decode()
    link = f"/scorecard/warnings/new/?district={top.district_id}&amp;month=2024-06"
    assert link in html and "生成预警工单" in html
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and top.district_id in form.content.decode()
    for role in ("head", "county", "zz"):
        client.force_login(stored[role])
        assert "/scorecard/warnings/new/" not in client.get("/scorecard/risk/?month=2024-06").content.decode(), role


def test_the_reasons_are_written_in_the_viewers_language_on_both_pages(client, stored):
    entry = RiskList.objects.get().entries.get(district_id="TQ001")
    assert entry.reasons and all(isinstance(r, dict) for r in entry.reasons)   # codes and figures
    zh = [risk_reasons.text(r) for r in entry.reasons]
    with translation.override("en"):
        en = [risk_reasons.text(r) for r in entry.reasons]
    client.force_login(stored["analyst"])
    for url in ("/scorecard/risk/?month=2024-06&per_page=100", "/scorecard/risk/district/TQ001/?month=2024-06"):
        html = client.get(url).content.decode()
        assert all(escape(text) in html for text in zh) and not any(escape(text) in html for text in en), url
        client.cookies["django_language"] = "en"
        html = client.get(url).content.decode()
        client.cookies["django_language"] = "zh-hans"
        assert all(escape(text) in html for text in en) and not any(escape(text) in html for text in zh), url


def test_a_list_stored_with_chinese_words_is_still_shown(client, risk_province):
    # Lists computed before reasons were structured: strings in ``reasons``, ``text`` in ``explanation``.
    rl = RiskList.objects.create(month=JUNE, data_version=1, model="logistic_regression", created_at=timezone.now())
    RiskEntry.objects.create(risk_list=rl, district_id="TQ001", rank=1, probability=0.8,
                             reasons=["近3月负载率上升至96%", "去年同月3户投诉"],
                             features={"district_customers": 110},
                             explanation=[{"group": "load", "text": "近3月负载率上升至96%", "points": 0.2},
                                          {"group": "last_year", "text": "去年同月3户投诉", "points": 0.1}])
    client.force_login(risk_province["analyst"])
    client.cookies["django_language"] = "en"
    html = client.get("/scorecard/risk/?month=2024-06").content.decode()
    assert "近3月负载率上升至96%; 去年同月3户投诉" in html
    html = client.get("/scorecard/risk/district/TQ001/?month=2024-06").content.decode()
    assert "<li>近3月负载率上升至96% " in html and "<li>去年同月3户投诉 " in html
