"""Unusable query parameters answer 400 with a message naming them, on the pages and the API,
never a 500 and never a silently huge page (issue #15, findings 2 and 8)."""
import pytest
from django.test import Client

from scorecard.core.months import parse_month

pytestmark = pytest.mark.django_db

PAGES = ["/scorecard/", "/scorecard/incidents/", "/analysis/", "/analysis/orders/", "/scorecard/appeals/",
         "/audit/"]
API = ["/api/v1/scorecard/", "/api/v1/profile/", "/api/v1/incidents/"]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_refuses_years_outside_1900_to_2100():
    assert parse_month("2100-12").year == 2100 and parse_month("1900-01").year == 1900
    for value in ("9999-12", "2101-01", "1899-12", "10000-01"):
        with pytest.raises(ValueError, match="1900"):
            parse_month(value)


@pytest.mark.parametrize("month", ["9999-12", "2101-01", "0000-01"])
def test_it_answers_400_for_a_month_out_of_range_on_every_page_and_the_api(world, month):
    client = as_user(world.users["analyst"])
    department = f"/scorecard/unit/{world.a.pk}/yj/"
    for url in PAGES + [department]:
        response = client.get(url, {"month": month})
        assert response.status_code == 400, url
        assert "month" in response.content.decode() and "1900" in response.content.decode(), url
    for url in API:
        response = client.get(url, {"month": month})
        assert response.status_code == 400 and "1900" in response.json()["month"][0], url


@pytest.mark.parametrize("value", ["-5", "0", "abc", "201", "1000000"])
def test_it_answers_400_for_a_page_size_out_of_1_to_200(world, value):
    client = as_user(world.users["analyst"])
    for url, name in [("/analysis/orders/", "per_page"), ("/audit/", "per_page"), ("/scorecard/appeals/", "per_page"),
                      ("/analysis/", "rp-per_page")]:
        response = client.get(url, {"types": "all", name: value})
        assert response.status_code == 400, (url, value)
        body = response.content.decode()
        assert name in body and "200" in body, (url, body)


def test_it_accepts_page_sizes_up_to_the_maximum(world, settings):
    client = as_user(world.users["analyst"])
    assert client.get("/analysis/orders/", {"per_page": "200"}).status_code == 200
    settings.SCORECARD_MAX_PAGE_SIZE = 2
    assert client.get("/analysis/orders/", {"per_page": "3"}).status_code == 400


@pytest.mark.parametrize("value", ["x\r\nSet-Cookie: a=b", "x\nY", "x\x00y"])
def test_it_answers_400_for_control_characters_in_parameters(world, value):
    client = as_user(world.users["analyst"])
    for url, params in [("/scorecard/appeals/", {"status": value, "export": "csv"}),
                        ("/analysis/orders/", {"district": value, "_export": "csv"}),
                        ("/scorecard/", {"table": value, "export": "xlsx"}),
                        ("/api/v1/scorecard/", {"month": value})]:
        response = client.get(url, params)
        assert response.status_code == 400, (url, value)
        assert "Set-Cookie" not in response.headers.get("Content-Disposition", ""), url
