"""The ground floor's one table: the data version that keys every cached read-out."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter bumped by every change that can move a figure (one row).

    Computed read-outs of unpublished months are cached under the current
    version, so a page view costs one indexed read while nothing changed, and
    "always computed from current data" still holds the moment anything does.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")
        db_table = "kpis_dataversion"  # the table kept its name when the model moved down from kpis
