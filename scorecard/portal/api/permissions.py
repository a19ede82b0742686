from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyAuthenticated(BasePermission):
    """The API only reads: an authenticated, active user, and GET/HEAD/OPTIONS only."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and request.method in SAFE_METHODS)
