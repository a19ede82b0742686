"""Cache the expensive read-outs of unpublished months, keyed by the data version.

Writers bump the version: single-row saves and deletes of the models that feed
the figures do it through the signals below (the admin, the services, the test
factories alike); set-based writes that send no signals (the importers' bulk
upserts) call ``bump()`` themselves.

Single flight: when a read-out is missing, the first caller takes a "computing" key with
``cache.add`` (atomic on every backend we run: the embedded local-memory cache of one process
and Redis across workers) and computes; the others poll the cache for its result, for at most
``WAIT_SECONDS``, instead of computing the same thing at once. If the holder fails (exception,
killed worker), its key is deleted or expires after ``LOCK_SECONDS`` and a waiter takes over;
a waiter that runs out of patience computes itself, so a page is never refused.
"""
import hashlib
import time
import uuid
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from .models import DataVersion

# Models whose rows move a scorecard, trace or profile figure.
FIGURE_MODELS = [
    "grid.OrgUnit", "grid.Department", "grid.Feeder", "grid.District", "grid.LoadReading", "grid.Outage",
    "grid.GridProject",
    "complaints.BusinessType", "complaints.Category", "complaints.SubCategory", "complaints.Detail",
    "complaints.Customer", "complaints.WorkOrder", "complaints.ProfileFreeze",
    "kpis.RuleSettings", "kpis.DefaultAttribution", "kpis.KpiDefinition", "kpis.WorkingDayOverride",
    "kpis.WorkCalendar", "kpis.CalendarYear", "kpis.Rectification", "kpis.AttributionOverride", "kpis.Appeal", "kpis.ReportingMonth",
    "kpis.Verification", "kpis.DeductionKind", "kpis.Deduction",
]


def current() -> int:
    return DataVersion.objects.values_list("version", flat=True).first() or 0


def bump() -> None:
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})


# The longest a read-out takes on the 1M-order province is ~1.1 s (docs/benchmarks.md): a holder that
# keeps its key for two minutes has died; a waiter gives up after 30 s and computes itself.
LOCK_SECONDS = 120
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.02
_MISSING = object()  # a read-out may legitimately be None or empty: tell "not cached" apart


def cached(name: str, *parts, compute, timeout: int = 24 * 3600):
    """compute() once per data version, by one caller at a time (single flight, see above);
    never cache inside a transaction that may roll back."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    key = f"scorecard:{name}:{current()}:" + ":".join(str(p) for p in parts)
    return single_flight(key, compute, timeout=timeout)


def single_flight(key: str, compute, *, timeout: int):
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value
    lock = f"{key}:computing"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        token = uuid.uuid4().hex
        if cache.add(lock, token, timeout=LOCK_SECONDS):
            try:
                value = compute()
                cache.set(key, value, timeout=timeout)
            finally:
                if cache.get(lock) == token:  # not a successor's key (ours may have expired)
                    cache.delete(lock)
            return value
        if time.monotonic() >= deadline:
            return compute()  # the holder is too slow: serve this visitor rather than keep them waiting
        time.sleep(POLL_SECONDS)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value


FRAGMENT_TIMEOUT = 3600  # rendered HTML is big and query strings many: keep it an hour, not a day


def fragment(request, name: str, *parts, viewer: str, compute):
    """A rendered part of a page (HTML, or a small dict of it), computed once per data version and view.

    The key holds everything the part may depend on: the data version, the page ``name`` and
    ``parts`` (path arguments, today's appeal window...), the ``viewer`` (the caller passes ``accounts.scoping.viewer_key``:
    role and every field of the scope, so that no unit ever sees another unit's rows), the language,
    and the whole query string (sort, page and filter links repeat it). Parts must not contain
    per-user tokens (``{% csrf_token %}``) or per-user counters: those stay outside.
    """
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    view = "\x1f".join([viewer, translation.get_language() or "", request.path, query,
                        *(str(p) for p in parts)])
    return cached(f"fragment:{name}", hashlib.sha256(view.encode()).hexdigest(), compute=compute,
                  timeout=FRAGMENT_TIMEOUT)


def _on_change(sender, **kwargs):
    if not kwargs.get("raw"):
        bump()


def connect() -> None:
    for label in FIGURE_MODELS:
        model = apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"freshness-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"freshness-delete-{label}")
