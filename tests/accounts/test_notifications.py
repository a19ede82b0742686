"""Notifications: who is told what, in-app and by e-mail, and only once per reminder."""
import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scorecard.accounts import notifications
from scorecard.accounts.models import Notification, User
from scorecard.kpis import reminders, services
from scorecard.kpis.models import Rectification
from tests.fixtures.factories import city, dept, district, local, order, reading

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)


@pytest.fixture
def world():
    cs = city("国网长沙供电公司")
    zz = city("国网株洲供电公司")
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)  # overload, no project → 发展 incident + rectification
    # …because it explains a complaint (追责事件): a 隐患预警 would open no item.
    order(accepted="2024-07-04 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电", district_obj=d,
          order_no="O-TQ1")
    complaint = order(accepted="2024-07-05 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电",
                      order_no="O-1")  # → 运检 by the default table
    head = User.objects.create_user("yunjian", password="x", role="dept_head", org_unit=cs, department=dept("运检"),
                                    email="yunjian@example.com")
    fazhan = User.objects.create_user("fazhan", password="x", role="dept_head", org_unit=cs,
                                      department=dept("发展"), email="fazhan@example.com")
    fazhan_zz = User.objects.create_user("fazhan_zz", password="x", role="dept_head", org_unit=zz,
                                         department=dept("发展"), email="fz-zz@example.com")
    analyst = User.objects.create_user("analyst", password="x", role="analyst", email="analyst@example.com")
    quiet = User.objects.create_user("analyst2", password="x", role="analyst", email="a2@example.com",
                                     email_notifications=False)
    return {"cs": cs, "order": complaint, "head": head, "fazhan": fazhan, "fazhan_zz": fazhan_zz,
            "analyst": analyst, "quiet": quiet}


def kinds(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_draft_opens_the_window_and_tells_department_heads_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
        services.open_draft(month=MONTH, at=local("2024-08-03 10:00"))  # not the first draft: no second message
    for u in ("head", "fazhan", "fazhan_zz"):
        assert kinds(world[u]) == ["appeal_window"]
    assert kinds(world["analyst"]) == []
    note = Notification.objects.get(user=world["head"])
    assert "2024-07" in note.title and "2024-08-09 10:00" in note.body
    assert sorted(m.to[0] for m in mail.outbox) == ["fazhan@example.com", "fz-zz@example.com", "yunjian@example.com"]


def test_filed_appeal_tells_analysts_and_decision_tells_the_filer(world, django_capture_on_commit_callbacks):
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"),
                                      reason="计划停电未公告", now=local("2024-08-05 09:00"))
    assert kinds(world["analyst"]) == ["appeal_filed"] and kinds(world["quiet"]) == ["appeal_filed"]
    # In-app for both analysts; e-mail only to the one who did not switch it off.
    assert [m.to for m in mail.outbox] == [["analyst@example.com"]]
    assert "O-1" in mail.outbox[0].subject and reverse("kpis:appeal", args=[appeal.pk]) in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(user=world["analyst"], appeal=appeal, accept=False, reason="停电在计划内")
    decided = Notification.objects.get(user=world["head"], kind="appeal_decided")
    assert "驳回" in decided.title and "停电在计划内" in decided.body
    assert decided.url == reverse("kpis:appeal", args=[appeal.pk])
    assert [m.to for m in mail.outbox] == [["yunjian@example.com"]]


def test_no_mail_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_rectification_reminders_once_per_item_and_state(world):
    services.trace_month(month=MONTH)
    rect = Rectification.objects.get()
    assert (rect.city_id, rect.department.name) == (world["cs"].pk, "发展")
    due = rect.due_on
    # Four days before: nothing yet.
    assert reminders.remind_rectifications(today=due - dt.timedelta(days=4)) == 0
    assert reminders.remind_rectifications(today=due - dt.timedelta(days=3)) == 1
    assert reminders.remind_rectifications(today=due - dt.timedelta(days=2)) == 0  # already told
    assert kinds(world["fazhan"]) == ["rectification_due"]
    assert kinds(world["fazhan_zz"]) == [] and kinds(world["head"]) == []  # other city / other department
    assert reminders.remind_rectifications(today=due + dt.timedelta(days=1)) == 1
    assert reminders.remind_rectifications(today=due + dt.timedelta(days=2)) == 0
    assert sorted(kinds(world["fazhan"])) == ["rectification_due", "rectification_overdue"]
    note = Notification.objects.get(user=world["fazhan"], kind="rectification_overdue")
    assert "TQ1" in note.body and note.url == reverse("kpis:incident", args=[rect.incident_id])
    # A finished item is never reminded about.
    rect.status, rect.closed_on = Rectification.Status.DONE, due
    rect.save()
    Notification.objects.all().delete()
    from scorecard.accounts.models import ReminderSent
    ReminderSent.objects.all().delete()
    assert reminders.remind_rectifications(today=due + dt.timedelta(days=5)) == 0


def test_beat_runs_the_reminder_daily_at_eight_shanghai_time():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="accounts.remind_rectifications")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("8", "0", "Asia/Shanghai")
    assert task.enabled


def test_bell_list_mark_read_and_email_preference(world, client, django_capture_on_commit_callbacks):
    notifications.notify(users=[world["head"]], kind="appeal_decided", title="申诉已采纳：工单 O-1",
                         body="该投诉改由 调控 负责。", url=reverse("kpis:appeals"))
    notifications.notify(users=[world["head"]], kind="notice_published", title="〔2024〕第7期 已发布")
    client.force_login(world["head"])
    page = client.get(reverse("home")).content.decode()
    assert 'id="unread-count">2<' in page
    listing = client.get(reverse("notifications")).content.decode()
    assert "申诉已采纳：工单 O-1" in listing and "〔2024〕第7期 已发布" in listing
    first = Notification.objects.get(kind="appeal_decided")
    response = client.post(reverse("notifications_read"), {"id": first.pk, "open": "1"})
    assert response.status_code == 302 and response.url == reverse("kpis:appeals")
    assert notifications.unread_count(world["head"]) == 1
    # Another user's notification cannot be touched.
    other = notifications.notify(users=[world["analyst"]], kind="appeal_filed", title="x")[0]
    assert client.post(reverse("notifications_read"), {"id": other.pk}).status_code == 404
    client.post(reverse("notifications_read"))
    assert notifications.unread_count(world["head"]) == 0
    assert notifications.unread_count(world["analyst"]) == 1

    response = client.post(reverse("profile"), {"email": "new@example.com"})  # checkbox unticked = off
    assert response.status_code == 302
    world["head"].refresh_from_db()
    assert world["head"].email == "new@example.com" and world["head"].email_notifications is False
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[world["head"], world["fazhan"]], kind="appeal_window", title="t")
    assert [m.to for m in mail.outbox] == [["fazhan@example.com"]]  # the head switched e-mail off
