from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """The work-order detail page and the search (issue #14): reads over complaints and kpis, no models."""

    name = "scorecard.orders"
    label = "orders"
    verbose_name = _("工单")
