"""The monthly notice (月度通报): one row per version of a month's PDF.

A row exists before its PDF: the request commits the row, then the Celery task
renders it by primary key. States:

    pending → rendering → draft → published → superseded
                 ↘ failed (the error is kept and shown; a new request reuses the row)

At most one *working* row (pending / rendering / draft / failed) exists per
month — a second "generate" while one runs returns the running row instead
of starting a second render. Published and superseded rows are immutable: their
file is never rewritten nor deleted; a correction is a new version whose
``corrects`` names the version it replaces.
"""
from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def notice_storage():
    """The storage of notice files (a callable, so tests that move MEDIA_ROOT are followed)."""
    return storages["notices"]


class Notice(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RENDERING = "rendering", _("生成中")
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被更正")
        FAILED = "failed", _("生成失败")

    WORKING = (Status.PENDING, Status.RENDERING, Status.DRAFT, Status.FAILED)
    RUNNING = (Status.PENDING, Status.RENDERING)
    FINAL = (Status.PUBLISHED, Status.SUPERSEDED)

    month = models.DateField(_("月份"), db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    number = models.CharField(_("文号"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    # Progress while rendering (0–100) and what the worker is doing, for the portal.
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=60, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    # A name in the "notices" storage (settings.STORAGES); written only by services._write_file.
    file = models.FileField(_("文件"), max_length=300, blank=True, storage=notice_storage)
    size = models.PositiveIntegerField(_("大小(字节)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    # The exact input of the renderer, so anyone can re-derive the file and its hash.
    snapshot = models.JSONField(_("数据快照"), null=True, blank=True, editable=False)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections", verbose_name=_("更正的版本"))
    correction_note = models.TextField(_("更正说明"), blank=True)
    # 工作要求: the analyst's paragraphs (one per line), written on the notices page before
    # publication (services.set_requirements); a correction starts from the version it corrects.
    requirements = models.TextField(_("工作要求"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    # When the request last went to the broker (NULL: not yet sent, e.g. broker down).
    enqueued_at = models.DateTimeField(_("提交队列时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始生成时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="notice_month_version_unique"),
            # One working row per month: concurrent requests collide here instead
            # of rendering two drafts.
            models.UniqueConstraint(fields=["month"], condition=Q(status__in=["pending", "rendering", "draft",
                                                                              "failed"]),
                                    name="notice_one_working_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="notice_month_first_day"),
            models.CheckConstraint(condition=~Q(status__in=["draft", "published", "superseded"])
                                   | (~Q(file="") & ~Q(sha256="")), name="notice_rendered_has_file"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} v{self.version} {self.get_status_display()}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_month_draft(self) -> bool:
        """The month's draft (初稿, 征求意见稿) put to the departments for appeals, not a correction draft."""
        return self.status == self.Status.DRAFT and not self.corrects_id

    @property
    def has_pdf(self) -> bool:
        """A rendered file to download: a draft, the published version or a superseded one."""
        return bool(self.file) and self.status in (self.Status.DRAFT, *self.FINAL)

    @property
    def title(self) -> str:
        return f"{self.month.year}年{self.month.month}月95598客户投诉管控通报"

    @property
    def filename(self) -> str:
        # A draft's download says so in its name too: it must never pass for the published file.
        suffix = "-征求意见稿" if self.status == self.Status.DRAFT else ""
        return f"95598投诉管控通报-{self.month:%Y-%m}-v{self.version}{suffix}.pdf"


class NoticeSettings(models.Model):
    """The fixed parts of the notice as an official document (GB/T 9704): 发文机关标志 and 署名,
    主送机关, 抄送, 印发机关 and the contact line. One row, edited in the admin (audited); until
    it is saved the defaults apply (reads never write)."""

    issuer = models.CharField(_("发文机关署名"), max_length=100, blank=True,
                              help_text=_("落款处的发文机关；留空则使用 SCORECARD_ISSUER 设置"))
    mark = models.CharField(_("发文机关标志"), max_length=100, blank=True,
                            help_text=_("版头的红色文字；留空则同发文机关署名"))
    recipients = models.CharField(_("主送机关"), max_length=300, default="各地市供电公司，省公司各专业部门")
    copy_to = models.CharField(_("抄送机关"), max_length=300, blank=True, help_text=_("版记中的抄送；留空则不印抄送行"))
    distributor = models.CharField(_("印发机关"), max_length=100, blank=True, help_text=_("版记中的印发机关；留空则同发文机关署名"))
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True,
                               help_text=_("印在落款下的附注，如：联系人：王敏，电话：0731-85550000"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通报公文设置")
        verbose_name_plural = _("通报公文设置")

    def __str__(self):
        return str(_("通报公文设置"))

    @classmethod
    def current(cls) -> "NoticeSettings":
        return cls.objects.order_by("pk").first() or cls()

    def document(self, *, requirements: str = "") -> dict:
        """The snapshot's ``document`` block: what the renderer prints besides the figures."""
        issuer = self.issuer.strip() or settings.SCORECARD_ISSUER
        return {"issuer": issuer, "mark": self.mark.strip() or issuer, "recipients": self.recipients.strip(),
                "copy_to": self.copy_to.strip(), "distributor": self.distributor.strip() or issuer,
                "contact": self.contact.strip(), "requirements": requirements.strip()}


def notice_number(month) -> str:
    """〔2018〕第3期 for March 2018: one notice a month, numbered by its month.

    Numbering by month (not by a running sequence) keeps the number stable when
    a month's notice is re-generated or corrected; corrections keep the number
    and differ by version.
    """
    return f"〔{month.year}〕第{month.month}期"
