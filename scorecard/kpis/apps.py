from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "scorecard.kpis"
    label = "kpis"
    verbose_name = _("归因与考核")

    def ready(self):
        from . import expressions, freshness, signals  # noqa: F401  (register SQLite MEDIAN and the calendar signal)

        freshness.connect()
