"""The home page per role, the language rules and the site-wide layout pieces."""
import datetime as dt

import pytest
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.kpis import services
from scorecard.kpis.models import Rectification
from tests.fixtures.factories import city, dept, district, local, order, reading

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)


@pytest.fixture
def world():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    d = district("TQ1", cs)
    district("TQ2", zz)
    reading(d, "2024-07", load=110)  # overload without project → 发展 rectification in 长沙
    # …because it explains a complaint (追责事件): a 隐患预警 would open no item.
    order(accepted="2024-07-04 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电", district_obj=d,
          order_no="O-TQ1")
    o1 = order(accepted="2024-07-05 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电",
               order_no="O-1", closed="2024-07-06 10:00", satisfaction="满意")
    order(accepted="2024-07-06 10:00", city_unit=zz, category="供电质量", subcategory="频繁停电", order_no="O-2")
    order(accepted="2024-07-07 10:00", city_unit=zz, category="供电质量", subcategory="频繁停电", order_no="O-3")
    users = {
        "analyst": User.objects.create_user("analyst", password="x", role="analyst", first_name="分析员"),
        "head": User.objects.create_user("yunjian", password="x", role="dept_head", org_unit=cs,
                                         department=dept("运检"), first_name="运检主任"),
        "fazhan": User.objects.create_user("fazhan", password="x", role="dept_head", org_unit=cs,
                                           department=dept("发展")),
        "leader": User.objects.create_user("leader", password="x", role="leader", org_unit=cs),
        "auditor": User.objects.create_user("auditor", password="x", role="auditor"),
    }
    services.trace_month(month=MONTH)
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    return {"cs": cs, "o1": o1, **users}


def home(client, user, **headers):
    client.force_login(user)
    response = client.get(reverse("home"), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_department_head_sees_rank_kpis_against_target_appeals_and_rectifications(world, client):
    services.file_appeal(user=world["head"], order=world["o1"], to_department=dept("调控"), reason="计划停电",
                         now=local("2024-08-05 09:00"))
    page = home(client, world["head"])
    assert 'id="my-rank"' in page
    # 运检: 长沙 has 1 complaint (closed on time, satisfied), 株洲 2 open ones → 长沙 ranks 1 of 2.
    ctx = client.get(reverse("home")).context
    assert (ctx["row"]["unit"], ctx["row"]["department"], ctx["row"]["rank"], ctx["peers"]) == (
        "国网长沙供电公司", "运检", 1, 2)
    on_time = next(k for k in ctx["kpis"] if k["code"] == "on_time_rate")
    assert on_time["value"] == 100.0 and on_time["meets"] and not on_time["lower"]
    assert "目标（A档）" in page and "达标" in page
    assert "O-1" in page and "待处理" in page  # the open appeal
    assert "TQ1" not in page.split('id="my-rectifications"')[1]  # 发展's item, not 运检's


def test_department_head_sees_own_open_rectification_with_overdue_badge(world, client):
    rect = Rectification.objects.get()
    rect.due_on = dt.date.today() - dt.timedelta(days=1)
    rect.save()
    page = home(client, world["fazhan"])
    section = page.split('id="my-rectifications"')[1]
    assert "TQ1" in section and "已逾期" in section


def test_a_hazard_warning_adds_no_rectification_to_the_dashboards(world, client):
    # A second 长沙 overload that explains no complaint: a 隐患预警 of 发展, without an item.
    reading(district("TQ3", world["cs"]), "2024-07", load=130)
    services.trace_month(month=MONTH)
    assert Rectification.objects.count() == 1
    for user in (world["fazhan"], world["analyst"]):
        home(client, user)
        counts = client.get(reverse("home")).context["rectifications"]
        assert counts["total"] == 1 and [r.incident.district_id for r in counts["items"]] == ["TQ1"]


def test_leader_sees_company_rank_and_departments(world, client):
    page = home(client, world["leader"])
    ctx = client.get(reverse("home")).context
    assert [u["unit"] for u in ctx["unit_rows"]] == ["国网长沙供电公司"]
    assert {d["unit"] for d in ctx["departments"]} == {"国网长沙供电公司"}
    assert "各专业部门排名" in page and "国网株洲供电公司" not in page


def test_analyst_and_auditor_homes(world, client):
    page = home(client, world["analyst"])
    assert 'id="dashboard-analyst"' in page and "2024-07 投诉总量" in page and reverse("imports:list") in page
    page = home(client, world["auditor"])
    assert 'id="dashboard-auditor"' in page and reverse("notices:verify") in page
    # Auditors read the import list (the navigation links it), but are offered no upload.
    assert reverse("imports:list") in page and "去导入数据" not in page and "上传并导入" not in page


def test_empty_site_explains_what_to_do(client, db):
    analyst = User.objects.create_user("a", password="x", role="analyst")
    page = home(client, analyst)
    assert 'id="no-data"' in page and "去导入数据" in page


def test_chinese_by_default_even_for_an_english_browser_and_the_switch(world, client):
    page = home(client, world["analyst"], HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-CN">' in page and "首页" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page and ">Home<" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert ">首页<" in client.get(reverse("home")).content.decode()


def test_dates_are_iso_in_both_languages(world, client):
    from django.template import Context, Template
    from django.utils import translation

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out = Template("{{ d|date }} {{ t|date:'SHORT_DATETIME_FORMAT' }}").render(Context(
                {"d": dt.date(2026, 11, 30), "t": local("2026-11-30 14:05")}))
        assert out == "2026-11-30 2026-11-30 14:05", lang


def test_error_pages_in_the_site_style(world, client, settings):
    settings.DEBUG = False
    client.force_login(world["head"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'class="topbar"' in body and "app.css" in body
    # 500 renders with no request context at all.
    from django.template import loader
    html = loader.get_template("500.html").render({})
    assert "系统出错了" in html


def test_password_change_page(world, client):
    client.force_login(world["analyst"])
    assert "修改密码" in client.get(reverse("password_change")).content.decode()


def test_csrf_failure_page_in_the_site_style(world, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["head"])
    response = client.post(reverse("profile"), {"email": "x@example.com"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and 'class="topbar"' in body


def test_main_pages_render_in_both_languages_for_every_role(world, client):
    pages = ["home", "analysis:profile", "kpis:scorecard", "kpis:incidents", "kpis:appeals", "notices:list",
             "notices:rankings", "notifications", "profile", "password_change"]
    for role in ("analyst", "head", "leader", "auditor"):
        client.force_login(world[role])
        for language in ("en", "zh-hans"):
            client.cookies["django_language"] = language
            for name in pages + (["imports:list"] if role in ("analyst", "auditor") else []):
                response = client.get(reverse(name), {"month": "2024-07"} if name.startswith("kpis") else {})
                assert response.status_code == 200, (role, language, name, response.status_code)
                body = response.content.decode()
                assert (">Home<" in body) == (language == "en"), (role, language, name)


def test_published_month_is_read_from_its_frozen_snapshot(world, client):
    """Once published, the department head's rank comes from the snapshot, not from current data."""
    from scorecard.kpis.models import ReportingMonth

    services.publish_month(month=MONTH, user=world["analyst"])
    rm = ReportingMonth.objects.get(month=MONTH)
    row = next(d for d in rm.scorecard["departments"] if d["unit"] == "国网长沙供电公司" and d["department"] == "运检")
    row["rank"], row["score"] = 7, 12.34  # a marker only the snapshot carries
    ReportingMonth.objects.filter(pk=rm.pk).update(scorecard=rm.scorecard)
    order(accepted="2024-07-20 10:00", city_unit=world["cs"], category="供电质量", subcategory="频繁停电")
    client.force_login(world["head"])
    ctx = client.get(reverse("home")).context
    assert ctx["state"]["published"] and (ctx["row"]["rank"], ctx["row"]["score"]) == (7, 12.34)
    assert "已发布" in client.get(reverse("home")).content.decode()
