"""The department page's complaints (issue #14): paginated, sortable and filterable (django-tables2 +
django-filter), scoped as before, every order number a link to its page."""
import pytest
from django.urls import reverse

from scorecard.accounts.models import User
from tests.fixtures.factories import city, dept, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    cs = city("国网长沙供电公司")
    for i in range(60):  # 60 complaints of 运检 (explicit), five of them repeats of customer R
        order(accepted=f"2026-11-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}", city_unit=cs, responsible="运检",
              customer="R" if i < 6 else None, closed="2026-11-29 10:00" if i % 2 else None, order_no=f"GD-{i:03d}")
    order(accepted="2026-11-10 10:00", city_unit=cs, responsible="营销", order_no="GD-YX")  # another department's
    analyst = User.objects.create_user("d-analyst", password="pw", role="analyst")
    return {"url": reverse("kpis:department", args=[cs.pk, "yj"]), "analyst": analyst}


def rows(client, month, **params):
    client.force_login(month["analyst"])
    resp = client.get(month["url"], {"month": "2026-11", **params})
    assert resp.status_code == 200
    return resp, [r.record.order_no for r in resp.context["complaints"].page.object_list]


def test_it_pages_by_50_with_the_count(client, month):
    resp, first = rows(client, month)
    assert len(first) == 50 and resp.context["complaints"].paginator.count == 60
    _resp, second = rows(client, month, **{"c-page": 2})
    assert len(second) == 10 and not set(first) & set(second) and "GD-YX" not in first + second
    html = resp.content.decode()
    assert "（60）" in html and f'href="{reverse("orders:detail", args=[first[0]])}"' in html


def test_it_sorts_by_a_column(client, month):
    _resp, asc = rows(client, month, **{"c-sort": "accepted_at"})
    _resp, desc = rows(client, month, **{"c-sort": "-accepted_at"})
    assert asc[0] == "GD-000" and desc[0] != asc[0]
    assert desc[0] in ("GD-027", "GD-055")  # 2026-11-28, the latest day


def test_it_filters(client, month):
    _resp, repeats = rows(client, month, repeat="on")
    assert sorted(repeats) == ["GD-001", "GD-002", "GD-003", "GD-004", "GD-005"]  # GD-000 is R's first
    resp, open_ = rows(client, month, state="open")
    assert resp.context["complaints"].paginator.count == 30
    _resp, one = rows(client, month, order="GD-04")
    assert sorted(one) == [f"GD-04{i}" for i in range(10)]
    _resp, explicit = rows(client, month, rule="explicit")
    assert len(explicit) == 50
    _resp, traced = rows(client, month, rule="traced")
    assert traced == []


def test_a_department_head_of_another_department_still_gets_404(client, month):
    other = User.objects.create_user("d-yx", password="pw", role="dept_head", department=dept("营销"),
                                     org_unit=city("国网长沙供电公司"))
    client.force_login(other)
    assert client.get(month["url"], {"month": "2026-11"}).status_code == 404
