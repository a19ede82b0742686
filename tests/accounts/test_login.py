"""Login, lockout (django-axes, per user and IP), session expiry, logout, password change,
and the audit trail of all of it — through the real login form, not force_login."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from scorecard.accounts.models import AuditLog, User

from tests.fixtures.world import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _database_sessions(settings):
    # These tests move a session's expiry in its table; the embedded default keeps sessions in files
    # (tests/imports/test_limits.py), PostgreSQL in the database: the expiry rules are the same.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def users(db):
    return (User.objects.create_user("alice", password=PASSWORD, role="analyst"),
            User.objects.create_user("bob", password=PASSWORD, role="auditor"))


def login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_login_and_failed_login_are_audited(client, users):
    assert login(client, "alice", "wrong-password").status_code == 200  # the form again, with the error
    assert not logged_in(client)
    resp = login(client, "alice", PASSWORD)
    assert resp.status_code == 302 and logged_in(client)
    failed = AuditLog.objects.get(action="login_failed")
    assert failed.username == "alice" and failed.ip == "10.1.1.1" and failed.user == users[0]
    ok = AuditLog.objects.get(action="login")
    assert ok.user == users[0] and ok.ip == "10.1.1.1"
    # A failed login for a name nobody has is kept too, with the name tried.
    login(client, "mallory", "x")
    assert AuditLog.objects.filter(action="login_failed", username="mallory", user=None).exists()


def test_lockout_after_five_failures_per_user_and_ip(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, "alice", "wrong-password").status_code == 200
    fifth = login(client, "alice", "wrong-password")
    assert fifth.status_code == 429
    # The sixth attempt is refused even with the right password, with a clear message in Chinese.
    sixth = login(client, "alice", PASSWORD)
    assert sixth.status_code == 429 and not logged_in(client)
    page = sixth.content.decode()
    assert "账号已锁定" in page and "连续 5 次登录失败" in page and "30 分钟后再试" in page
    locked = AuditLog.objects.filter(action="locked_out", username="alice")
    assert locked.exists() and locked.first().ip == "10.1.1.1"
    # Per user and IP: another user from the same address, and alice from another address, still get in.
    assert login(client, "bob", PASSWORD).status_code == 302 and logged_in(client)
    client.post("/accounts/logout/")
    assert login(client, "alice", PASSWORD, ip="10.2.2.2").status_code == 302 and logged_in(client)


def test_lockout_expires_after_the_cool_off(client, users):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PASSWORD).status_code == 429
    # 30 minutes later (moved in the database rather than waiting).
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert login(client, "alice", PASSWORD).status_code == 302


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_session_expires_after_30_idle_minutes(client, users, settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
    login(client, "alice", PASSWORD)
    # Every request pushes the expiry to 30 minutes from now.
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert logged_in(client)  # 29 minutes idle: still in
    remaining = _session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    # 30 minutes and a second idle: the session is gone.
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    resp = client.get("/analysis/")
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)


def test_logout_flushes_the_session(client, users):
    login(client, "alice", PASSWORD)
    old_key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert AuditLog.objects.filter(action="logout", user=users[0]).exists()
    # The old cookie, replayed, opens nothing.
    client.cookies["sessionid"] = old_key
    assert not logged_in(client)


def test_password_change_applies_the_validators(client, users):
    login(client, "alice", PASSWORD)
    url = "/accounts/password/"
    assert client.get(url).status_code == 200
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
    wrong_old = client.post(url, {"old_password": "nope", "new_password1": "Neu-Passwort-42!",
                                  "new_password2": "Neu-Passwort-42!"})
    assert wrong_old.status_code == 200 and "old_password" in wrong_old.context["form"].errors
    resp = client.post(url, {"old_password": PASSWORD, "new_password1": "Neu-Passwort-42!",
                             "new_password2": "Neu-Passwort-42!"})
    assert resp.status_code == 302 and resp["Location"] == "/accounts/password/done/"
    assert logged_in(client)  # the session that changed it stays valid
    assert AuditLog.objects.filter(action="password_changed", user=users[0]).exists()
    client.post("/accounts/logout/")
    assert login(client, "alice", PASSWORD).status_code == 200
    assert login(client, "alice", "Neu-Passwort-42!").status_code == 302


def test_anonymous_users_cannot_change_passwords(client, users):
    resp = client.get("/accounts/password/")
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)
