"""Permission checks for views, in one place so that every view says who may use it the same way.

``role_required(can_import)`` lets in the active users the predicate (``scorecard.core.roles``)
admits; anybody else logged in gets 403 (and the denial is audited by ``accounts.middleware``);
anonymous users go to the login page. ``no_auditor_writes`` is the blanket rule
"auditors change nothing": any request other than GET/HEAD/OPTIONS by an
auditor is refused.
"""
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from scorecard.core.roles import is_read_only

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

Predicate = Callable[[object], bool]


def _allows(predicate: Predicate, user) -> bool:
    return bool(user.is_authenticated and user.is_active and predicate(user))


def role_required(predicate: Predicate, *, write: Predicate | None = None):
    """Only active users whom ``predicate`` admits. ``write``, if given, narrows unsafe methods
    (POST...) further, e.g. auditors may read a page but not post to it."""
    if not callable(predicate) or not (write is None or callable(write)):
        # At import, not at the first request: role names are no longer accepted (issue #12).
        raise TypeError("role_required takes predicates of scorecard.core.roles, not role names")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _allows(predicate, request.user):
                raise PermissionDenied
            if write is not None and request.method not in SAFE_METHODS and not _allows(write, request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return login_required(wrapped)
    return decorator


def no_auditor_writes(view):
    """Auditors read everything and change nothing: refuse their unsafe requests."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS and is_read_only(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped
