"""The admin site is for administrators only (role admin, or superuser).

Django's default lets in any active ``is_staff`` user; here the role decides
(``is_staff`` is derived from it anyway, see ``accounts.signals``). A logged-in
user without the role gets 403 (audited) on every admin URL instead of the
admin's own login form, so there is no second login page to probe.
"""
from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from scorecard.core.roles import is_administrator


class ScorecardAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return is_administrator(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)
        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        return super().login(request, extra_context)
