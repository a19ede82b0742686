"""The client address behind trusted proxies, for the lockout and the audit log alike
(issue #15, finding 1): five failures through the proxy lock that client, not the user."""
import pytest
from django.test import RequestFactory

from scorecard.accounts.models import AuditLog, User
from scorecard.core.clientip import client_ip

from tests.fixtures.world import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PROXY = "127.0.0.1"  # nginx on the same machine as gunicorn


def via_proxy(client, username, password, forwarded_for):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=forwarded_for)


def _ip(settings, trusted, remote, forwarded=None):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_it_reads_x_forwarded_for_only_from_a_trusted_proxy(settings):
    assert _ip(settings, [], PROXY, "203.0.113.5") == PROXY  # nobody trusted: the header is ignored
    assert _ip(settings, [PROXY], PROXY, "203.0.113.5") == "203.0.113.5"
    # A forged entry on the left (the client's own header, appended to by nginx) is never used.
    assert _ip(settings, [PROXY], PROXY, "6.6.6.6, 203.0.113.5") == "203.0.113.5"
    # A chain of trusted proxies (networks allowed) is walked from the right.
    assert _ip(settings, [PROXY, "10.0.0.0/8"], PROXY, "6.6.6.6, 203.0.113.5, 10.0.0.7") == "203.0.113.5"
    # A client that is not the proxy cannot pick an address by sending the header.
    assert _ip(settings, [PROXY], "198.51.100.9", "203.0.113.5") == "198.51.100.9"
    assert _ip(settings, [PROXY], PROXY, "not-an-address") == PROXY
    assert _ip(settings, [PROXY], PROXY) == PROXY


def test_a_stranger_behind_the_proxy_cannot_lock_a_user_out(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    User.objects.create_user("victim", password=PASSWORD, role="analyst")
    for _ in range(4):
        assert via_proxy(client, "victim", "wrong", "203.0.113.5").status_code == 200
    assert via_proxy(client, "victim", "wrong", "203.0.113.5").status_code == 429
    assert via_proxy(client, "victim", PASSWORD, "203.0.113.5").status_code == 429  # that client stays locked
    # The user, from their own address behind the same proxy, still gets in.
    assert via_proxy(client, "victim", PASSWORD, "198.51.100.7").status_code == 302
    # The audit log names the clients, not the proxy.
    failed = set(AuditLog.objects.filter(action="login_failed").values_list("ip", flat=True))
    assert failed == {"203.0.113.5"}
    assert set(AuditLog.objects.filter(action="locked_out").values_list("ip", flat=True)) == {"203.0.113.5"}
    assert AuditLog.objects.get(action="login").ip == "198.51.100.7"


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lockout(client, settings):
    settings.TRUSTED_PROXIES = []
    User.objects.create_user("target", password=PASSWORD, role="analyst")
    for i in range(5):
        via_proxy(client, "target", "wrong", f"203.0.113.{i}")  # a new forged address each time
    assert via_proxy(client, "target", PASSWORD, "203.0.113.99").status_code == 429
