"""Users and what each one may see.

The role decides what a user may do (``scorecard.core.roles``); the scope (an org unit, and for a
department head also a department) decides which data they may see. Scoping
is enforced on the server by ``accounts.scoping`` for every page, export and
download.
"""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scorecard.core.roles import Role


class User(AbstractUser):
    Role = Role  # the choices live in scorecard.core.roles with the predicates; User.Role.ANALYST still reads

    role = models.CharField(_("角色"), max_length=12, choices=Role.choices, default=Role.ANALYST)
    org_unit = models.ForeignKey("grid.OrgUnit", verbose_name=_("所属单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="users")
    department = models.ForeignKey("grid.Department", verbose_name=_("专业部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")
    email_notifications = models.BooleanField(_("接收邮件通知"), default=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A department head is always the head of one department of one unit;
            # without both, scoping could not narrow their view.
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT_HEAD)
                | (Q(org_unit__isnull=False) & Q(department__isnull=False)),
                name="user_dept_head_has_scope",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.LEADER) | Q(org_unit__isnull=False),
                name="user_leader_has_unit",
            ),
        ]


class AuditLog(models.Model):
    """Who did what, when, with the state before and after. Append-only:
    the admin shows it read-only and nothing in the code updates or deletes it."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("用户"))
    username = models.CharField(_("用户名"), max_length=150, blank=True)  # kept if the user is deleted
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("audit log entries are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit log entries are immutable")


class Notification(models.Model):
    """One message to one user: shown in the in-app list (the bell) and, if the
    user wants it, also sent by e-mail (accounts.notifications)."""

    class Kind(models.TextChoices):
        APPEAL_FILED = "appeal_filed", _("收到申诉")
        APPEAL_DECIDED = "appeal_decided", _("申诉已处理")
        APPEAL_WINDOW = "appeal_window", _("申诉期开放")
        DRAFT_UPDATED = "draft_updated", _("通报草稿已更新")
        NOTICE_PUBLISHED = "notice_published", _("通报已发布")
        RECTIFICATION_DUE = "rectification_due", _("整改即将到期")
        RECTIFICATION_OVERDUE = "rectification_overdue", _("整改已逾期")
        WARNING_ASSIGNED = "warning_assigned", _("收到预警工单")
        WARNING_ESCALATED = "warning_escalated", _("预警工单逾期升级")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("用户"))
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        # The bell counts a user's unread rows on every page.
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title


class ReminderSent(models.Model):
    """A reminder already given (e.g. ``rect:42:overdue``), so the daily job tells
    each user once per item and state, however often it runs."""

    key = models.CharField(max_length=80, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")


class ExportJob(models.Model):
    """An export too big to answer in the request (scorecard.accounts.exports): the worker runs the
    same page as the same user and writes the file; its owner downloads it from the status page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exports", verbose_name=_("用户"))
    view_name = models.CharField(_("页面"), max_length=60)
    path = models.CharField(_("路径"), max_length=300)
    query = models.TextField(_("查询参数"))
    language = models.CharField(_("语言"), max_length=10)
    fmt = models.CharField(_("格式"), max_length=4)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.CharField(_("文件"), max_length=300, blank=True)  # under MEDIA_ROOT, served by a view
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台导出")
        verbose_name_plural = _("后台导出")
        ordering = ["-created_at", "-id"]
