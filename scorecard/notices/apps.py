from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "scorecard.notices"
    label = "notices"
    verbose_name = _("月度通报")

    def ready(self):
        from . import signals  # noqa: F401  (regenerate the draft after an accepted appeal)
