"""The full error list of an import job as a table, for the CSV export (scorecard.core.exports)."""
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class ImportErrorTable(tables.Table):
    row = tables.Column(verbose_name=_("行号"))
    column = tables.Column(verbose_name=_("列"))
    reason = tables.Column(verbose_name=_("原因"))

    class Meta:
        orderable = False
