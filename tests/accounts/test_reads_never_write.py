"""Reads never write: every GET of the URL conf, as every role, leaves every table as it was.

The walk is the access matrix's (every URL, each of its cases), so a new page is covered the
day it gets its access rule. What a read may leave behind: the session, django-axes' access
records, and audit entries of reads (a download, a denied access) — nothing else.
"""
import pytest
from django.apps import apps
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from scorecard.accounts.models import AuditLog

from tests.fixtures.world import ROLES
from .test_access_matrix import RULES, url_names

pytestmark = pytest.mark.django_db

# Written by reading, on purpose: who was logged in, and the trail of what was read.
ALLOWED = {"sessions.Session", "axes.AccessLog", "axes.AccessAttempt", "axes.AccessFailureLog",
           "accounts.AuditLog"}
READ_AUDITS = {"notice.download", "notice.snapshot", "access_denied"}


def table_state() -> dict[str, tuple[int, object]]:
    """(row count, highest primary key) of every model's table but the allowed ones."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in ALLOWED or model._meta.proxy or not model._meta.managed:
            continue
        qs = model._default_manager.all()
        state[label] = (qs.count(), qs.aggregate(m=Max("pk"))["m"])
    return state


def test_no_get_of_any_page_export_or_api_call_changes_a_row(world):
    names = {n for n, _ in url_names()}
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anonymous":
            clients[role].force_login(world.users[role])  # logging in writes; done before the snapshot
    audits_before = AuditLog.objects.aggregate(m=Max("pk"))["m"] or 0
    before = table_state()
    walked = 0
    for name, cases in RULES.items():
        if name not in names:
            continue
        for case in cases:
            if case.method != "get":
                continue
            url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
            query = case.query(world) if callable(case.query) else case.query
            for role in ROLES:
                clients[role].get(url + (f"?{query}" if query else ""))
                walked += 1
    after = table_state()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert not changed, f"GET requests changed these tables (rows, max id) before → after: {changed}"
    new_audits = set(AuditLog.objects.filter(pk__gt=audits_before).values_list("action", flat=True))
    assert new_audits <= READ_AUDITS, f"a read recorded a change: {new_audits - READ_AUDITS}"
    assert walked > 300  # the walk really covered the URL conf


def test_the_walk_sees_a_write_if_a_page_wrote(world):
    # The detector itself: a trace (the write that pages used to do on a first read) moves a table.
    import datetime as dt

    from scorecard.kpis.services import trace_month

    before = table_state()
    trace_month(month=dt.date(2024, 8, 1))
    after = table_state()
    assert before != after
