"""Security headers on every response (production cookie and HTTPS settings are checked by
tests/test_deploy.py through `check --deploy`)."""
import pytest

pytestmark = pytest.mark.django_db


def test_security_headers(client):
    resp = client.get("/accounts/login/")
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"
    assert resp["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_secure_outside_debug(client, settings):
    from scorecard.accounts.models import User

    User.objects.create_user("c", password="Scorecard-test-9x!", role="analyst")
    resp = client.post("/accounts/login/", {"username": "c", "password": "Scorecard-test-9x!"})
    cookie = resp.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # settings.SECURE_COOKIES defaults to "not DEBUG": the test settings run with DEBUG off.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and cookie["secure"]
