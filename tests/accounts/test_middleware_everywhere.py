"""The security headers on every kind of response, not only the login page: a logged-in page,
the notice PDF download, a CSV export, the JSON API, a 404 and a 403; and HTTPS redirect +
HSTS with the production settings the README documents."""
import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def assert_secure_headers(resp, what):
    csp = resp.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, f"{what}: CSP {csp!r}"
    assert resp.get("X-Frame-Options") == "DENY", what
    assert resp.get("X-Content-Type-Options") == "nosniff", what
    assert resp.get("Referrer-Policy") == "same-origin", what
    assert resp.get("Cross-Origin-Opener-Policy") == "same-origin", what


def test_headers_on_pages_downloads_exports_api_and_errors(world):
    client = Client()
    client.force_login(world.users["auditor"])
    responses = {
        "page": client.get(reverse("home")),
        "pdf download": client.get(reverse("notices:download", args=[world.published.pk])),
        "csv export": client.get(reverse("kpis:scorecard"), {"month": "2024-07", "table": "units", "export": "csv"}),
        "api": client.get(reverse("api:scorecard"), {"month": "2024-07"}),
        "404": client.get(reverse("kpis:incident", args=[987654321])),
        "403": client.post(reverse("notices:generate"), {"month": "2024-07"}),
    }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 200, 404, 403]
    assert responses["pdf download"]["Content-Type"] == "application/pdf"
    for what, resp in responses.items():
        assert_secure_headers(resp, what)


def test_https_redirect_and_hsts_with_the_production_settings(world, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_secure_headers(secure, "login over https")
