"""Rendered page parts cached per data version and viewer (freshness.fragment): a hit serves the
same HTML; a data change, another scope, role, language or query string never reuses it."""
import pickle
import re

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation

from scorecard.accounts.models import User
from scorecard.accounts.scoping import viewer_key
from scorecard.complaints.models import WorkOrder
from scorecard.core import freshness

from tests.fixtures.factories import city, dept, order

# Caching is off inside a transaction that may roll back, so these tests commit (and restore the seeded rows).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def people():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    return {
        "cs": cs, "zz": zz,
        "analyst": User.objects.create_user("fr-analyst", password="pw-fr-1", role="analyst"),
        "auditor": User.objects.create_user("fr-auditor", password="pw-fr-2", role="auditor"),
        "leader_cs": User.objects.create_user("fr-leader-cs", password="pw-fr-3", role="leader", org_unit=cs),
        "leader_cs2": User.objects.create_user("fr-leader-cs2", password="pw-fr-4", role="leader", org_unit=cs),
        "leader_zz": User.objects.create_user("fr-leader-zz", password="pw-fr-5", role="leader", org_unit=zz),
        "head_cs_yx": User.objects.create_user("fr-head-yx", password="pw-fr-6", role="dept_head", org_unit=cs,
                                               department=dept("营销")),
        "head_cs_fz": User.objects.create_user("fr-head-fz", password="pw-fr-7", role="dept_head", org_unit=cs,
                                               department=dept("发展")),
    }


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def counted(request, name="page", *parts):
    calls = []

    def compute():
        calls.append(1)
        return f"<p>{len(calls)}</p>"

    return freshness.fragment(request, name, *parts, viewer=viewer_key(request.user), compute=compute), calls


def get(user, path="/analysis/", **params):
    request = RequestFactory().get(path, params)
    request.user = user
    return request


def test_a_hit_serves_the_same_value_until_the_data_version_moves(people):
    first, calls = counted(get(people["analyst"], month="2024-11"))
    again, calls_again = counted(get(people["analyst"], month="2024-11"))
    assert (first, len(calls), again, len(calls_again)) == ("<p>1</p>", 1, "<p>1</p>", 0)
    freshness.bump()
    _, calls = counted(get(people["analyst"], month="2024-11"))
    assert len(calls) == 1


def test_no_reuse_across_viewers_languages_query_strings_or_parts(people):
    assert counted(get(people["analyst"], month="2024-11", page="2"))[1]
    for user in ("auditor", "leader_cs", "leader_zz", "head_cs_yx", "head_cs_fz"):  # each its own entry
        assert counted(get(people[user], month="2024-11", page="2"))[1], user
    with translation.override("en"):
        assert counted(get(people["analyst"], month="2024-11", page="2"))[1]
    assert counted(get(people["analyst"], month="2024-11", page="3"))[1]
    assert counted(get(people["analyst"], path="/scorecard/", month="2024-11", page="2"))[1]
    assert counted(get(people["analyst"], month="2024-11", page="2"), "page", True)[1]
    assert counted(get(people["analyst"], month="2024-11", page="2"), "other")[1]
    # The same view: two leaders of the same city, and the parameters in another order.
    assert not counted(get(people["leader_cs2"], month="2024-11", page="2"))[1]
    assert not counted(get(people["analyst"], page="2", month="2024-11"))[1]


def test_viewer_key_holds_role_and_every_scope_field(people):
    keys = {name: viewer_key(people[name]) for name in
            ("analyst", "auditor", "leader_cs", "leader_cs2", "leader_zz", "head_cs_yx", "head_cs_fz")}
    assert keys["leader_cs"] == keys["leader_cs2"]
    del keys["leader_cs2"]
    assert len(set(keys.values())) == len(keys), keys
    county = people["cs"].children.create(name="长沙县供电公司", level="county")
    county_leader = User.objects.create_user("fr-leader-county", password="pw-fr-8", role="leader",
                                             org_unit=county)
    assert viewer_key(county_leader) not in keys.values()


def test_not_cached_inside_a_transaction(people):
    from django.db import transaction

    with transaction.atomic():
        assert counted(get(people["analyst"]))[1]
        assert counted(get(people["analyst"]))[1]


def test_pages_never_show_another_units_rows_from_the_cache(client, people):
    order(accepted="2024-11-05 10:00", city_unit=people["cs"], order_no="CS-ORDER-1", customer="C1")
    order(accepted="2024-11-06 10:00", city_unit=people["zz"], order_no="ZZ-ORDER-1", customer="C2")
    urls = ["/analysis/orders/?month=2024-11", "/scorecard/?month=2024-11", "/scorecard/incidents/?month=2024-11",
            "/analysis/?month=2024-11"]
    client.force_login(people["analyst"])
    seen = {url: client.get(url).content.decode() for url in urls}
    assert "CS-ORDER-1" in seen[urls[0]] and "ZZ-ORDER-1" in seen[urls[0]]
    client.force_login(people["leader_zz"])
    for url in urls:
        html = client.get(url).content.decode()
        assert "CS-ORDER-1" not in html and "国网长沙供电公司" not in html.split("<main", 1)[-1], url


def test_order_list_follows_the_data_and_keeps_the_csrf_token_per_user(client, people):
    wo = order(accepted="2024-11-05 10:00", city_unit=people["cs"], order_no="CS-ORDER-1", customer="C1")
    url = "/analysis/orders/?month=2024-11&customer=C1"
    client.force_login(people["analyst"])
    first = client.get(url).content.decode()
    assert "CS-ORDER-1" in first and without_tokens(first) == without_tokens(client.get(url).content.decode())
    # A change that sends no signal does not show: the cached HTML is served...
    WorkOrder.objects.filter(pk=wo.pk).update(order_no="CS-ORDER-X")
    assert "CS-ORDER-1" in client.get(url).content.decode()
    # ... until the data version moves (every import, save, trace and publish bumps it).
    freshness.bump()
    assert "CS-ORDER-X" in client.get(url).content.decode()
    # The customer panel's form (a per-session CSRF token) stays outside the cached parts.
    assert 'name="csrfmiddlewaretoken"' in first
    stored = [pickle.loads(value) for key, value in cache._cache.items() if ":fragment:" in key]
    assert stored and not any("csrfmiddlewaretoken" in str(value) for value in stored)


def test_department_page_appeal_buttons_follow_the_appeal_window(client, people, monkeypatch):
    from scorecard.kpis import services

    order(accepted="2024-11-05 10:00", city_unit=people["cs"], order_no="CS-ORDER-1", customer="C1",
          category="营业", subcategory="电费电价")
    url = f"/scorecard/unit/{people['cs'].pk}/yx/?month=2024-11"
    client.force_login(people["head_cs_yx"])
    monkeypatch.setattr(services, "appeal_window_open", lambda month, now=None: True)
    opened = client.get(url).content.decode()
    assert "CS-ORDER-1" in opened and "/scorecard/appeals/new/" in opened
    monkeypatch.setattr(services, "appeal_window_open", lambda month, now=None: False)
    closed = client.get(url).content.decode()  # same data version: the window is part of the key
    assert "CS-ORDER-1" in closed and "/scorecard/appeals/new/" not in closed


def test_language_switch_is_not_served_from_the_other_languages_cache(client, people):
    order(accepted="2024-11-05 10:00", city_unit=people["cs"], order_no="NOV-1", customer="C1")  # a month with data
    client.force_login(people["analyst"])
    zh = client.get("/scorecard/?month=2024-11").content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/scorecard/?month=2024-11").content.decode()
    main_zh, main_en = zh.split("<main", 1)[1], en.split("<main", 1)[1]
    assert "地市公司排名" in main_zh and "地市公司排名" not in main_en


def test_month_is_part_of_the_key(client, people):
    order(accepted="2024-11-05 10:00", city_unit=people["cs"], order_no="NOV-1", customer="C1")
    order(accepted="2024-10-05 10:00", city_unit=people["cs"], order_no="OCT-1", customer="C2")
    client.force_login(people["analyst"])
    november = client.get("/analysis/orders/?month=2024-11").content.decode()
    october = client.get("/analysis/orders/?month=2024-10").content.decode()
    assert "NOV-1" in november and "OCT-1" not in november
    assert "OCT-1" in october and "NOV-1" not in october
