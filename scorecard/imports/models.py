"""An import as the web sees it: the upload, its status and its outcome."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One file import: a row first, then the work (web uploads run in Celery)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("数据类型"), max_length=20)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # What the file's header told (header row, skipped title rows, ignored columns, columns
    # found by alias, warnings for absent columns a figure needs): ImportResult.notes().
    notes = models.JSONField(_("表头说明"), default=dict, blank=True)
    # The web import is a dry run first: the analyst confirms it, and the real import of the
    # same stored file is a second job pointing at the check it confirms.
    confirms = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="confirmations", verbose_name=_("确认的校验任务"))
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        db_table = "complaints_importjob"  # the table kept its name when imports left complaints


# Kinds an alias may be limited to; "" = every kind that has the column (台区编号 is in four).
ALIAS_KINDS = [("", _("所有类型")), ("workorders", _("95598工单")), ("districts", _("台区")),
               ("loads", _("台区负载电压月数据")), ("outages", _("停电记录")), ("projects", _("电网项目")),
               ("taxonomy", _("分类目录")), ("events", _("考核扣分事件")),
               ("calendar", _("节假日安排"))]


class HeaderAlias(models.Model):
    """Another name a source system gives a column: 归档时间 is 办结时间. Import profiles are data,
    so a new export layout needs an administrator, not a release."""

    kind = models.CharField(_("数据类型"), max_length=20, choices=ALIAS_KINDS, blank=True)
    header = models.CharField(_("标准列名"), max_length=40, help_text=_("接口文档中的列名，如 办结时间"))
    alias = models.CharField(_("别名"), max_length=40, help_text=_("源系统导出文件中的列名，如 归档时间"))

    class Meta:
        verbose_name = _("列名别名")
        verbose_name_plural = _("列名别名")
        ordering = ["kind", "header", "alias"]
        constraints = [models.UniqueConstraint(fields=["kind", "alias"], name="header_alias_unique")]

    def __str__(self):
        return f"{self.alias} → {self.header}"

    def clean(self):
        # .profiles reads the importers' column lists, whose modules import every model: a cycle at load.
        from .profiles import canonical_headers

        headers = canonical_headers(self.kind)
        if self.header not in headers:
            raise ValidationError({"header": _("“%(h)s”不是该数据类型的列（可选：%(all)s）") % {
                "h": self.header, "all": "、".join(sorted(headers))}})
        if self.alias in headers:
            raise ValidationError({"alias": _("“%(a)s”本身就是标准列名") % {"a": self.alias}})


class ValueAlias(models.Model):
    """Another spelling of a value in one column: 非常满意 is 满意, 运维检修部 is 运检.
    ``value`` "" turns the alias into a blank (未回访: no callback)."""

    kind = models.CharField(_("数据类型"), max_length=20, choices=ALIAS_KINDS, blank=True)
    header = models.CharField(_("标准列名"), max_length=40)
    alias = models.CharField(_("源值"), max_length=100)
    value = models.CharField(_("标准值"), max_length=100, blank=True, help_text=_("留空表示视为空白"))

    class Meta:
        verbose_name = _("取值别名")
        verbose_name_plural = _("取值别名")
        ordering = ["kind", "header", "value", "alias"]
        constraints = [models.UniqueConstraint(fields=["kind", "header", "alias"], name="value_alias_unique")]

    def __str__(self):
        return f"{self.header}：{self.alias} → {self.value or '（空白）'}"

    def clean(self):
        # .profiles reads the importers' column lists, whose modules import every model: a cycle at load.
        from .profiles import canonical_headers

        headers = canonical_headers(self.kind)
        if self.header not in headers:
            raise ValidationError({"header": _("“%(h)s”不是该数据类型的列（可选：%(all)s）") % {
                "h": self.header, "all": "、".join(sorted(headers))}})
        if self.alias == self.value:
            raise ValidationError({"alias": _("源值与标准值相同")})
