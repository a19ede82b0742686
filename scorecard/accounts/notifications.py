"""Telling users what needs them: in-app notifications (the bell) and e-mail.

``notify`` is the one writer. The event functions below are what the services
call, one line each at their hook point; they word the message in the site's
default language (the recipients read Chinese, whatever language the user who
caused the event browses in) and pick the recipients.

E-mail goes through Django's mail framework (console backend in the demo, SMTP
by settings), only to users with an address who have not switched it off, and
only after the surrounding transaction commits: a rolled-back decision must not
have told anyone anything. A failing mail server never fails the action.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification, User

logger = logging.getLogger(__name__)

# Rectification items this many days before their due date get a "due soon" reminder.


def notify(*, users: Iterable[User], kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one notification per (distinct, active) user and e-mail those who want it."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}.values()
    rows = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title[:200], body=body, url=url[:300]) for u in recipients])
    addresses = [u.email for u in recipients if u.email_notifications and u.email]
    if addresses:
        transaction.on_commit(lambda: _send(addresses, title, body, url))
    return rows


def _absolute(url: str) -> str:
    base = getattr(settings, "SCORECARD_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def _send(addresses: list[str], title: str, body: str, url: str) -> None:
    subject = f"[{_site_name()}] {title}"
    text = body + (f"\n\n{_absolute(url)}" if url else "") + "\n\n" + _footer()
    try:
        # One message per address: recipients must not see each other's addresses.
        connection = get_connection()
        connection.send_messages([EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses])
    except Exception:  # noqa: BLE001 - the in-app notification exists; mail is best effort
        logger.exception("notification e-mail to %d recipient(s) failed", len(addresses))


def _site_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("95598投诉管控考核平台")


def _footer() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("此邮件由系统自动发送。如不需要邮件通知，可在“个人设置”中关闭。")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those in ``ids``)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- recipients -------------------------------------------------------------------------------------

def _analysts():
    return User.objects.filter(is_active=True, role=User.Role.ANALYST)


def department_heads():
    return User.objects.filter(is_active=True, role=User.Role.DEPARTMENT_HEAD)


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- events (one call each from the services) ---------------------------------------------------------

def _subject(appeal) -> str:
    return (_("工单 %(no)s") if appeal.work_order_id else _("扣分事件 %(no)s")) % {"no": appeal.subject}


def _asks(appeal) -> str:
    """What the appeal asks for, in a clause of the notification."""
    if appeal.kind == "department":
        return _("建议改由 %(to)s 负责") % {"to": appeal.to_department.name}
    return {"not_at_fault": _("请求认定为无责"), "not_valid": _("请求认定为不属实"),
            "deduction": _("请求撤销考核扣分")}[appeal.kind]


def _outcome(appeal, accepted: bool) -> str:
    if appeal.kind == "department":
        return (_("该投诉改由 %(to)s 负责。") % {"to": appeal.to_department.name} if accepted
                else _("该投诉仍由 %(from)s 负责。") % {"from": appeal.from_department.name})
    if appeal.kind == "deduction":
        return _("该扣分事件已撤销。") if accepted else _("该扣分事件维持。")
    if accepted:
        return _("该投诉已认定为无责，不计入考核口径。") if appeal.kind == "not_at_fault" else \
            _("该投诉已认定为不属实，不计入考核口径。")
    return _("该投诉的核实结果维持不变。")


def appeal_filed(appeal) -> None:
    """A department head filed an appeal: the analysts who decide appeals."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(appeal)
        title = _("新的归因申诉：%(subject)s") if appeal.kind == "department" else _("新的申诉：%(subject)s")
        notify(users=list(_analysts()), kind=Notification.Kind.APPEAL_FILED,
               title=title % {"subject": subject},
               body=_("%(unit)s·%(from)s 对 %(subject)s 提出申诉，%(asks)s。理由：%(reason)s") % {
                   "unit": appeal.city.name, "from": appeal.from_department.name, "subject": subject,
                   "asks": _asks(appeal), "reason": appeal.reason},
               url=reverse("kpis:appeal", args=[appeal.pk]))


def appeal_decided(appeal) -> None:
    """An analyst accepted or rejected an appeal: the department head who filed it."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(appeal)
        accepted = appeal.status == "accepted"
        if appeal.status == "closed":  # the month was published early with the appeal undecided
            title = _("申诉未处理即关闭：%(subject)s") % {"subject": subject}
        else:
            title = (_("申诉已采纳：%(subject)s") if accepted else _("申诉已驳回：%(subject)s")) % {"subject": subject}
        notify(users=[appeal.filed_by], kind=Notification.Kind.APPEAL_DECIDED, title=title,
               body=_outcome(appeal, accepted) + _("处理意见：%(reason)s") % {"reason": appeal.decision_reason},
               url=reverse("kpis:appeal", args=[appeal.pk]))


def appeal_window_opened(reporting_month) -> None:
    """The month's first draft notice exists: department heads may now appeal."""
    month = reporting_month.month.strftime("%Y-%m")
    with translation.override(settings.LANGUAGE_CODE):
        notify(users=list(department_heads()), kind=Notification.Kind.APPEAL_WINDOW,
               title=_("%(month)s 通报草稿已生成，申诉期开放") % {"month": month},
               body=_("请核对本部门 %(month)s 的考核结果和归属投诉；如对归因有异议，请在 %(deadline)s 前提出申诉。") % {
                   "month": month, "deadline": _local(reporting_month.appeal_deadline)},
               url=reverse("kpis:scorecard") + f"?month={month}")


def draft_updated(notice) -> None:
    """An accepted appeal moved a complaint and the draft was rendered again: department heads."""
    month = notice.month.strftime("%Y-%m")
    with translation.override(settings.LANGUAGE_CODE):
        notify(users=list(department_heads()), kind=Notification.Kind.DRAFT_UPDATED,
               title=_("%(month)s 通报草稿已按申诉处理结果更新") % {"month": month},
               body=_("申诉采纳后投诉归属已调整，%(month)s 通报草稿（第%(version)s版）已重新生成，请核对本部门的考核结果。") % {
                   "month": month, "version": notice.version},
               url=reverse("notices:list") + f"?month={month}")


def notice_published(notice) -> None:
    """A notice was published (first version or a correction): department heads."""
    month = notice.month.strftime("%Y-%m")
    with translation.override(settings.LANGUAGE_CODE):
        notify(users=list(department_heads()), kind=Notification.Kind.NOTICE_PUBLISHED,
               title=_("%(number)s 已发布") % {"number": notice.number},
               body=_("%(month)s 月度通报（第%(version)s版）已发布，考核结果已冻结。") % {
                   "month": month, "version": notice.version},
               url=reverse("notices:rankings") + f"?month={month}")
