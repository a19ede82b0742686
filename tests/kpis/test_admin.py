"""The kpis admin: the 预警工单 admin shows the workflow read-only (no add, no delete, status and the
assignee's records unchangeable) and audits the two corrections it allows (due date, note)."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from scorecard.accounts.models import AuditLog, User
from scorecard.kpis import risk_reasons, warning_services
from scorecard.kpis.models import WarningOrder
from tests.kpis.test_warning_services import build, issue

pytestmark = pytest.mark.django_db


def test_the_warning_admin_is_read_only_but_for_due_date_and_note_and_audits_them():
    w = build()
    order_ = issue(w, manager_name="王五")
    warning_services.acknowledge_warning(user=w.station_leader, warning=order_)
    warning_services.record_warning_action(user=w.station_leader, warning=order_, kind="patrol", text="夜间巡视")
    c = Client()
    c.force_login(User.objects.create_user("k-admin", password="x", role="admin"))
    base = "/admin/kpis/warningorder/"
    listing = c.get(base).content.decode()
    assert "TQW01" in listing and "处理中" in listing
    assert c.get(base + "add/").status_code == 403
    assert c.post(base + f"{order_.pk}/delete/", {"post": "yes"}).status_code == 403
    page = c.get(base + f"{order_.pk}/change/").content.decode()
    assert "夜间巡视" in page and 'name="due_on"' in page and 'name="status"' not in page
    # The reasons in words, as on the pages (kpis.risk_reasons), never the stored codes.
    words = risk_reasons.joined(order_.reasons)
    assert order_.reasons and words and words in page and '"code"' not in page
    new_due = timezone.localdate() + dt.timedelta(days=20)
    resp = c.post(base + f"{order_.pk}/change/", {
        "due_on": new_due.isoformat(), "note": "延期：等待改造物资", "status": "done", "outcome": "forged",
        "manager_name": "forged", "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "1",
        "actions-MIN_NUM_FORMS": "0", "actions-MAX_NUM_FORMS": "1000"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    order_.refresh_from_db()
    assert (order_.due_on, order_.note) == (new_due, "延期：等待改造物资")
    # The workflow's fields did not move: status, outcome and the copied 台区经理 go through the services.
    assert (order_.status, order_.outcome, order_.manager_name) == ("in_progress", "", "王五")
    assert order_.actions.count() == 1
    log = AuditLog.objects.get(action="config.change", object_id=str(order_.pk))
    assert log.before["due_on"] != log.after["due_on"] == new_due.isoformat()
    assert log.after["note"] == "延期：等待改造物资" and log.username == "k-admin"
    assert WarningOrder.objects.count() == 1
