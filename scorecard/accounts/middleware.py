"""Request-level rules that must hold for every URL, present and future:

- ``AuditorReadOnlyMiddleware``: auditors change nothing. Any unsafe request
  (POST, PUT, ...) by an auditor is refused with 403, except the few that change
  no data: logging in and out, changing one's own password and e-mail
  preference, marking one's own notifications read, choosing the language and
  verifying a PDF against the published hash.
- ``NoStoreMiddleware``: every answer to a signed-in user (pages, exports, PDF downloads, the API)
  says ``Cache-Control: no-store``: they hold names, phone numbers and unpublished figures that no
  browser or proxy cache may keep.
- ``AccessAuditMiddleware``: every denied access of a logged-in user — a 403,
  or an object outside their scope (``scoping.ScopeDenied``, shown as a 404) —
  is written to the audit log with the path, in this one place.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers

from scorecard.core.roles import is_read_only

from . import audit
from .decorators import SAFE_METHODS
from .scoping import ScopeDenied

# URL names (namespace:name) an auditor may post to: none of them changes product data.
AUDITOR_WRITABLE = frozenset({
    "login", "logout", "password_change", "profile", "notifications_read", "set_language", "notices:verify",
    "export_start",  # a background export of what they may read: a file for them, no product data changed
})


class AuditorReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if request.method in SAFE_METHODS or not is_read_only(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in AUDITOR_WRITABLE:
            return None
        raise PermissionDenied


def record_denied(request, *, status: int, reason: str = "") -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return  # anonymous requests are sent to the login page, not denied
    summary = f"{status} {request.method} {request.get_full_path()}"
    if reason:
        summary += f" ({reason})"
    audit.record(user=user, action="access_denied", summary=summary, ip=audit.client_ip(request))


class AccessAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(request, "_access_denied_recorded", False):
            record_denied(request, status=403)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, ScopeDenied):
            record_denied(request, status=404, reason="out of scope")
            request._access_denied_recorded = True
        return None  # Django turns it into the usual 404 page


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` from settings.CONTENT_SECURITY_POLICY (empty = none).

    Everything is served from our own origin (ECharts and Swagger UI included, no
    CDN), so the policy allows 'self' only; inline scripts and styles are still
    allowed because several pages have small inline ones."""

    def __init__(self, get_response):
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private, max-age=0
        return response
