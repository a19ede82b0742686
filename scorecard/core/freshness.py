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

Warm-up (the first visitor never computes): after a change of data (import, trace, appeal
decision, publication) the kpis service calls ``schedule_warm_up``; on commit it marks the new
version as *warming* in the cache and sends the ``kpis.warm_read_outs`` task, which computes the
read-outs the pages use under the new version and then marks it *ready*. The rule readers follow
(``read_versions``):

- the version they compute and cache under is always the current one (``current()``);
- they first look under the *ready* version instead, and only then, when a warm-up of the current
  version is pending (warming ≥ current > ready): pages keep serving the previous version, marked
  「数据更新中」, until the task is done;
- otherwise (no warm-up was sent — a single-row edit, no broker, a test without a worker —, or the
  pending mark expired after ``WARM_GRACE_SECONDS`` because no worker took the task) they read and
  compute the current version, as before: stale figures are never served for long, nor at all
  without a warm-up under way.

Both marks live in the cache next to the read-outs, so "ready" always means "warmed in this
cache": with the embedded per-process cache, a worker's warm-up cannot help a web process and
its marks are not seen there either. Reads never write the database; the marks are cache entries.
"""
import contextvars
import hashlib
import logging
import time
import uuid
from contextlib import contextmanager
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from .models import DataVersion
from .tasks import BROKER_ERRORS, task

logger = logging.getLogger(__name__)

# Models whose rows move a scorecard, trace or profile figure.
FIGURE_MODELS = [
    "grid.OrgUnit", "grid.Department", "grid.Feeder", "grid.District", "grid.LoadReading", "grid.Outage",
    "grid.GridProject", "grid.DistrictManagerAssignment", "grid.DistrictFreeze",
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


READY_KEY = "scorecard:version:ready"
WARMING_KEY = "scorecard:version:warming"
# How long pages may serve the previous version while a warm-up is pending: the warm-up takes a few
# seconds on the 1M-order province; after this no worker is coming and readers compute themselves.
WARM_GRACE_SECONDS = 120
_warming_up = contextvars.ContextVar("scorecard_warming_up", default=False)


def read_versions() -> tuple[int, int]:
    """(current version, version to look under first): see the rule in the module docstring."""
    version = current()
    if _warming_up.get():
        return version, version
    marks = cache.get_many([READY_KEY, WARMING_KEY])
    ready, warming = marks.get(READY_KEY), marks.get(WARMING_KEY)
    if ready is not None and warming is not None and ready < version <= warming:
        return version, ready
    return version, version


def updating() -> bool:
    """A newer data version is being warmed up and pages still show the previous one (「数据更新中」)."""
    version, shown = read_versions()
    return shown != version


def cached(name: str, *parts, compute, timeout: int = 24 * 3600):
    """compute() once per data version, by one caller at a time (single flight, see above);
    never cache inside a transaction that may roll back."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    version, shown = read_versions()
    suffix = ":".join(str(p) for p in parts)
    if shown != version:
        value = cache.get(f"scorecard:{name}:{shown}:{suffix}", _MISSING)
        if value is not _MISSING:
            return value
    return single_flight(f"scorecard:{name}:{version}:{suffix}", compute, timeout=timeout)


def schedule_warm_up(months) -> None:
    """Once the current transaction commits, mark its version warming and send the warm-up task."""
    labels = sorted({m.replace(day=1).isoformat() for m in months})

    def send():
        version = current()
        cache.set(WARMING_KEY, max(version, cache.get(WARMING_KEY) or 0), timeout=WARM_GRACE_SECONDS)
        try:
            task("kpis.warm_read_outs").send_now(labels, version)
        except BROKER_ERRORS as exc:
            logger.warning("could not enqueue the warm-up of version %s: %s", version, exc)
            cache.delete(WARMING_KEY)  # nobody will warm it: readers compute the current version

    transaction.on_commit(send)


@contextmanager
def warming_up():
    """Inside, read-outs are computed (and cached) under the current version, never read from the ready one."""
    token = _warming_up.set(True)
    try:
        yield current()
    finally:
        _warming_up.reset(token)


def mark_ready(version: int) -> None:
    """The read-outs of ``version`` are in the cache: pages may read it (never moves backwards)."""
    if version > (cache.get(READY_KEY) or -1):
        cache.set(READY_KEY, version, timeout=None)


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
