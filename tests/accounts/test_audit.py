"""The admin site is for administrators only; auditors change nothing; denied accesses,
logins and changes land in an audit log that auditors read and nobody edits."""
import pytest
from django.test import Client

from scorecard.accounts.models import AuditLog, User

from tests.fixtures.world import PASSWORD

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_site_is_for_administrators_only(world):
    for role in ("analyst", "dept_head", "leader", "auditor"):
        client = as_user(world.users[role])
        for url in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{world.users[role].pk}/change/",
                    "/admin/login/"):
            assert client.get(url).status_code == 403, (role, url)
    admin = as_user(world.users["admin"])  # role admin, not a superuser
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/accounts/user/").status_code == 200
    assert admin.get("/admin/authtoken/tokenproxy/add/").status_code == 200  # API tokens are made here
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    assert as_user(superuser).get("/admin/").status_code == 200
    anonymous = Client().get("/admin/")
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]


def test_is_staff_follows_the_role(db):
    user = User.objects.create_user("x", password=PASSWORD, role="analyst", is_staff=True)
    assert not User.objects.get(pk=user.pk).is_staff
    user.role = "admin"
    user.save()
    assert User.objects.get(pk=user.pk).is_staff
    user.role = "auditor"
    user.save()
    assert not User.objects.get(pk=user.pk).is_staff


def test_audit_log_is_read_only_even_for_administrators(world):
    entry = AuditLog.objects.create(action="login", username="someone")
    admin = as_user(world.users["admin"])
    assert admin.get(f"/admin/accounts/auditlog/{entry.pk}/change/").status_code == 200  # view only
    resp = admin.post(f"/admin/accounts/auditlog/{entry.pk}/change/", {"action": "forged"})
    assert resp.status_code == 403
    assert admin.post(f"/admin/accounts/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.get(pk=entry.pk).action == "login"
    entry.action = "forged"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_auditors_post_nothing(world):
    auditor = as_user(world.users["auditor"])
    posts = [
        (f"/scorecard/appeals/{world.appeal_a.pk}/decide/", {"decision": "accept", "reason": "x"}),
        (f"/scorecard/incidents/{world.incident_a.pk}/", {"status": "done", "closed_on": "2024-08-01"}),
        ("/analysis/customers/CA1/sensitive/", {"sensitive": "1"}),
        ("/notices/generate/", {"month": "2024-07"}),
        (f"/notices/{world.draft.pk}/publish/", {}),
        ("/imports/", {}),
        ("/api/v1/scorecard/", {}),
    ]
    for url, data in posts:
        assert auditor.post(url, data).status_code == 403, url
    # Reading is fine, and so is verifying a file against the published hash.
    assert auditor.get("/audit/").status_code == 200
    assert auditor.post("/notices/verify/", {}).status_code == 200
    assert world.appeal_a.__class__.objects.get(pk=world.appeal_a.pk).status == "pending"


def test_denied_accesses_are_audited_in_one_place(world):
    head = as_user(world.users["dept_head"])
    before = AuditLog.objects.filter(action="access_denied").count()
    assert head.get("/imports/").status_code == 403
    assert head.get(f"/scorecard/incidents/{world.incident_b.pk}/").status_code == 404  # another city's
    assert head.get("/scorecard/incidents/987654321/").status_code == 404  # does not exist: not a denial
    assert head.get(f"/api/v1/incidents/{world.incident_b.pk}/").status_code == 404
    denied = list(AuditLog.objects.filter(action="access_denied").order_by("id")[before:])
    assert [d.summary for d in denied] == [
        "403 GET /imports/",
        f"404 GET /scorecard/incidents/{world.incident_b.pk}/ (out of scope)",
        f"404 GET /api/v1/incidents/{world.incident_b.pk}/ (out of scope)",
    ]
    assert all(d.user == world.users["dept_head"] and d.ip == "127.0.0.1" for d in denied)


def test_audit_log_page_filters_and_exports(world):
    AuditLog.objects.create(action="login_failed", username="mallory", summary="登录失败：mallory")
    AuditLog.objects.create(action="login", username="m-analyst", summary="登录成功")
    auditor = as_user(world.users["auditor"])
    page = auditor.get("/audit/", {"action": "login_failed"})
    rows = [row.record for row in page.context["table"].paginated_rows]
    assert rows and all(r.action == "login_failed" for r in rows)
    assert "mallory" in page.content.decode()
    csv = auditor.get("/audit/", {"username": "mallory", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "mallory" in csv.content.decode("utf-8-sig")
    # No way to write through the page: POST is not a method it has.
    assert as_user(world.users["admin"]).post("/audit/").status_code == 405
    for role in ("analyst", "dept_head", "leader"):
        assert as_user(world.users[role]).get("/audit/").status_code == 403
