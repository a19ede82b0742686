from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "scorecard.grid"
    label = "grid"
    verbose_name = _("组织与电网")
