"""Logins, logouts, failed logins and lockouts into the audit log; is_staff follows the role."""
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import audit
from .models import User


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(user=user, action="login", summary="登录成功", ip=audit.client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user=user, action="logout", summary="退出登录", ip=audit.client_ip(request))


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password already masked by Django; only the username is kept.
    username = str((credentials or {}).get("username", ""))[:150]
    audit.record(action="login_failed", summary=f"登录失败：{username}"[:300], ip=audit.client_ip(request),
                 user=User.objects.filter(username=username).first(), username=username)


@receiver(user_locked_out, dispatch_uid="accounts.audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(action="locked_out", summary=f"连续登录失败，账号已锁定：{username}"[:300], ip=ip_address,
                 user=User.objects.filter(username=username).first(), username=username or "")


@receiver(pre_save, sender=User, dispatch_uid="accounts.staff_follows_role")
def _staff_follows_role(sender, instance, **kwargs):
    # The admin site is for administrators only; is_staff is derived, never set by hand.
    instance.is_staff = bool(instance.is_superuser or instance.role == User.Role.ADMIN)
