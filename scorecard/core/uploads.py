"""Request-body limits of the upload views, checked before any byte of the body is read (issue #15).

Django reads a multipart body whole (to temporary files) as soon as anything touches
``request.POST`` — the CSRF check does, before the view — so a size check in a form runs after a
120 MB upload has been received. ``@upload_limit("import")`` marks a view with its limit
(settings.SCORECARD_UPLOAD_LIMITS, bytes); ``BodySizeMiddleware``, placed before the CSRF
middleware, answers 413 to a body whose Content-Length is above it (411 without one) and leaves
the body unread. The proxy in front caps every body too (docs/operations.md).
"""
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

UNSAFE = ("POST", "PUT", "PATCH")
# The form around the file (other fields, multipart boundaries): a file just under its limit still
# reaches the form's own check.
FORM_SLACK = 64 * 1024


def limit_bytes(kind: str) -> int:
    return settings.SCORECARD_UPLOAD_LIMITS[kind]


def upload_limit(kind: str):
    """Mark a view as an upload view with the limit ``kind`` (a key of SCORECARD_UPLOAD_LIMITS)."""
    limit_bytes(kind)  # an unknown kind fails at import time, not on the first upload

    def mark(view):
        view.upload_limit = kind
        return view

    return mark


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


class BodySizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        kind = getattr(view_func, "upload_limit", None)
        if kind is None or request.method not in UNSAFE:
            return None
        limit = limit_bytes(kind)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or "")
        except ValueError:
            return HttpResponse(_("上传请求缺少 Content-Length"), status=411, content_type="text/plain; charset=utf-8")
        if length > limit + FORM_SLACK:
            return HttpResponse(_("上传的文件过大：%(size)s MB，上限为 %(limit)s MB") % {
                "size": _mb(length), "limit": _mb(limit)}, status=413, content_type="text/plain; charset=utf-8")
        return None
