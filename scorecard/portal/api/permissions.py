from rest_framework.permissions import BasePermission

from scorecard.core.roles import can_read


class ReadOnlyAuthenticated(BasePermission):
    """The API only reads: an authenticated, active user (``can_read``). The views define ``get``
    alone, so any other method answers 405 with ``Allow`` (DRF), not a misleading 403 (issue #17)."""

    def has_permission(self, request, view):
        return can_read(request.user)
