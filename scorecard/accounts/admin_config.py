"""The app config that swaps Django's admin site for ``accounts.admin_site.ScorecardAdminSite``.

A module of its own: INSTALLED_APPS imports it before the models are loaded."""
from django.contrib.admin.apps import AdminConfig


class ScorecardAdminConfig(AdminConfig):
    default_site = "scorecard.accounts.admin_site.ScorecardAdminSite"
