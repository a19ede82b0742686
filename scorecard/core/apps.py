from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "scorecard.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        # Models are loaded only now: freshness looks the figure models up by label and hooks their signals.
        from . import freshness

        freshness.connect()
