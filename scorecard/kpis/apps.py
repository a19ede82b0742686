from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "scorecard.kpis"
    label = "kpis"
    verbose_name = _("归因与考核")
