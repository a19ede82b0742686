"""Role checks for views, in one place so that every view says who may use it the same way.

``role_required("analyst")`` lets analysts (and superusers) in; anybody else
logged in gets 403 (and the denial is audited by ``accounts.middleware``);
anonymous users go to the login page. ``no_auditor_writes`` is the blanket rule
"auditors change nothing": any request other than GET/HEAD/OPTIONS by an
auditor is refused.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) in roles


def role_required(*roles: str, write_roles: tuple[str, ...] | None = None):
    """Only users with one of ``roles`` (superusers always). ``write_roles``, if given,
    narrows unsafe methods (POST...) further, e.g. auditors may read a page but not post to it."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            if write_roles is not None and request.method not in SAFE_METHODS \
                    and not has_role(request.user, *write_roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return login_required(wrapped)
    return decorator


def no_auditor_writes(view):
    """Auditors read everything and change nothing: refuse their unsafe requests."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS and getattr(request.user, "role", None) == "auditor" \
                and not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped
