"""Every 「重复」 on screen names its look-back, from the settings (issue #14: the analysis page's 重复诉求
looks back 90 days, the repeat-rate KPI RuleSettings.repeat_days; nothing said so)."""
import pytest
from django.test import Client

from scorecard.complaints.selectors import REPEAT_DEMAND_DAYS
from scorecard.kpis.models import RuleSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def days_45(world):
    rules = RuleSettings.current()
    rules.repeat_days = 45
    rules.save()
    return 45


def page(world, role, url, **query):
    client = Client()
    client.force_login(world.users[role])
    resp = client.get(url, query)
    assert resp.status_code == 200
    return resp.content.decode().replace("<wbr>", "")  # headers' break points (core.tables.header_html)


def test_the_analysis_page_names_both_look_backs(world, days_45):
    html = page(world, "analyst", "/analysis/", month="2024-07")
    assert f"重复诉求：{REPEAT_DEMAND_DAYS}天内投诉2次及以上的客户" in html
    assert f"按月末前 {REPEAT_DEMAND_DAYS} 天统计" in html and "此前 45 天内另有投诉计" in html
    assert f"{REPEAT_DEMAND_DAYS}天内投诉\n" in html  # the repeat-demand table's header


def test_the_scorecard_department_and_home_pages_name_the_kpis_look_back(world, days_45):
    assert "重复投诉率%（45天回溯）" in page(world, "analyst", "/scorecard/", month="2024-07")
    dept = page(world, "dept_head", f"/scorecard/unit/{world.a.pk}/yj/", month="2024-07")
    assert "重复投诉率(%)（45天回溯）" in dept
    assert "重复投诉率(%)（45天回溯）" in page(world, "dept_head", "/")


def test_it_follows_the_setting(world):
    assert "重复投诉率%（30天回溯）" in page(world, "analyst", "/scorecard/", month="2024-07")
