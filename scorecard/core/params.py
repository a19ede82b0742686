"""Request parameters every page, export and API endpoint shares, checked once before any view runs.

A parameter that no view could use answers 400 with a message naming it (issue #15), instead of a
500 deep inside a view or a silently huge answer:

- control characters (CR, LF, NUL and the other C0 ones but tab) in any query parameter: they have
  no business in a filter and used to break exports (a header or a file name built from them);
- ``month`` (pages and /api/v1/): ``YYYY-MM`` within ``core.months``' range (1900–2100), so a year
  10000 never reaches the date maths;
- ``per_page`` (any table prefix, e.g. ``rp-per_page``): a whole number from 1 to ``MAX_PAGE_SIZE``
  (settings.SCORECARD_MAX_PAGE_SIZE) — a bigger list is what the exports are for.
"""
import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .months import parse_month

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class BadParameter(ValueError):
    """A request parameter no view can use: answered 400 with ``str(self)`` (``ParameterMiddleware``)."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def max_page_size() -> int:
    return int(getattr(settings, "SCORECARD_MAX_PAGE_SIZE", 200))


def check_per_page(name: str, value: str) -> int:
    limit = max_page_size()
    try:
        size = int(value)
    except ValueError:
        raise BadParameter(name, _("每页条数应为 1 到 %(max)s 之间的整数（收到 %(value)s）")
                           % {"max": limit, "value": repr(value)}) from None
    if not 1 <= size <= limit:
        raise BadParameter(name, _("每页条数应为 1 到 %(max)s 之间的整数（收到 %(value)s）；更多的行请导出")
                           % {"max": limit, "value": repr(value)})
    return size


def check_query(query) -> None:
    """Raise BadParameter for the first unusable parameter of ``query`` (a QueryDict)."""
    for name, values in query.lists():
        for value in values:
            if _CONTROL.search(name) or _CONTROL.search(value):
                raise BadParameter(_CONTROL.sub("?", name), _("参数含有控制字符（回车、换行或空字符）"))
            if name == "month" and value:
                try:
                    parse_month(value)
                except ValueError as exc:
                    raise BadParameter(name, str(exc)) from None
            if name.endswith("per_page") and value:
                check_per_page(name, value)


class ParameterMiddleware:
    """400 with the message for a ``BadParameter``, raised here for the query string or by any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_query(request.GET)
        except BadParameter as exc:
            return bad_parameter_response(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return bad_parameter_response(request, exception)
        return None


def bad_parameter_response(request, exc: BadParameter):
    if request.path.startswith("/api/"):
        return JsonResponse({exc.name: [exc.message]}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
