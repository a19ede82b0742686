from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "scorecard.complaints"
    label = "complaints"
    verbose_name = _("95598工单")
