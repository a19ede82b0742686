"""HTTP-level hardening of issue #15: download names, Cache-Control, customer numbers with 「/」,
403s logged on one line."""
import logging
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from scorecard.complaints.models import Customer
from scorecard.core.exports import download_name
from tests.fixtures.factories import order

pytestmark = pytest.mark.django_db

INJECT = "x\";filename*=UTF-8''report.cmd;x=\""


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_download_names_come_from_a_fixed_vocabulary(world):
    client = as_user(world.users["analyst"])
    for url, params in [("/scorecard/appeals/", {"status": INJECT, "export": "csv"}),
                        ("/scorecard/", {"month": "2024-07", "table": INJECT, "export": "csv"})]:
        response = client.get(url, params)
        assert response.status_code == 200, url
        disposition = unquote(response["Content-Disposition"])
        assert "report.cmd" not in disposition and disposition.count("filename") <= 2, disposition
    assert "appeals-all.csv" in client.get("/scorecard/appeals/", {"status": INJECT, "export": "csv"})[
        "Content-Disposition"]
    with pytest.raises(ValueError):
        download_name('a";b', "csv")


def test_authenticated_answers_are_never_stored(world):
    client = as_user(world.users["leader"])
    for url in ["/", "/scorecard/?month=2024-07", "/analysis/orders/?month=2024-07&_export=csv",
                "/scorecard/appeals/?export=xlsx", "/api/v1/scorecard/?month=2024-07"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    draft = as_user(world.users["analyst"]).get(reverse("notices:download", args=[world.draft.pk]))
    assert draft.status_code == 200 and "no-store" in draft["Cache-Control"]


def test_a_customer_number_with_a_slash_is_routable(world):
    order(accepted="2024-07-09 09:00", city_unit=world.a, customer="CA/77", order_no="O-SLASH")
    client = as_user(world.users["analyst"])
    page = client.get("/analysis/orders/", {"customer": "CA/77"})
    assert page.status_code == 200
    url = reverse("analysis:sensitive", args=["CA/77"])
    assert url in page.content.decode()
    assert client.post(url, {"sensitive": "1"}).status_code == 302
    assert Customer.objects.get(customer_no="CA/77").sensitive


def test_a_403_is_logged_on_one_line(world, caplog):
    client = as_user(world.users["leader"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/audit/").status_code == 403
    denied = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert denied and all(r.exc_info is None for r in denied)
    assert all("\n" not in logging.Formatter().format(r) for r in denied)
