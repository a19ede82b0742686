from rest_framework.permissions import SAFE_METHODS, BasePermission

from scorecard.core.roles import can_read


class ReadOnlyAuthenticated(BasePermission):
    """The API only reads: an authenticated, active user (``can_read``), and GET/HEAD/OPTIONS only."""

    def has_permission(self, request, view):
        return can_read(request.user) and request.method in SAFE_METHODS
