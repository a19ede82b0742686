from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "scorecard.kpis"
    label = "kpis"
    verbose_name = _("归因与考核")

    def ready(self):
        # Imported once the models are loaded: they register SQLite's MEDIAN, the signal receivers
        # and the attribution rule by which accounts' scoping shows a department head their complaints.
        from scorecard.accounts import scoping  # app loading: models are ready only now

        from . import expressions, signals  # noqa: F401  (app loading, as above)
        from .attribution import department_complaints  # (app loading, as above)

        scoping.register_department_orders(department_complaints)
