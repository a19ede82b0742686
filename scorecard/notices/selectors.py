"""Reads of the notices app: the snapshot a notice is rendered from, and notice lists.

The snapshot is everything the PDF shows, as plain JSON (no Decimal, no
dates): the renderer is a pure function of it and the snapshot is stored with
the notice, so the published file can be re-derived byte for byte.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from scorecard.complaints.selectors import complaint_profile, hotspot_districts
from scorecard.kpis.models import Rectification, ReportingMonth
from scorecard.kpis.selectors import is_accountable, scorecard_for_month, trace_for_month
from scorecard.months import label

from .models import Notice, notice_number

# 2: the incidents block tells 追责事件 from 隐患预警 and lists only the former (the renderer
# still renders a schema-1 snapshot as it did, so published files re-derive unchanged).
SNAPSHOT_SCHEMA = 2
HOTSPOT_ROWS = 20  # per hotspot list; the count of the whole list is always printed
INCIDENT_ROWS = 60
OVERDUE_ROWS = 60


def _plain(value):
    """JSON round trip: Decimals become floats, tuples lists, so the stored and the
    rendered snapshot are the same value."""
    def default(o):
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        raise TypeError(f"not JSON-serialisable: {type(o).__name__}")

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def hotspot_block(month: dt.date) -> dict:
    out = {}
    for key, rows in hotspot_districts(month).items():
        ranked = sorted(rows, key=lambda r: (-r["complaints"], -r["customers"], r["code"]))
        out[key] = {"count": len(rows), "rows": [
            {k: r[k] for k in ("code", "name", "city", "county", "complaints", "customers")}
            for r in ranked[:HOTSPOT_ROWS]]}
    return out


def _by_department(incidents: list[dict]) -> list:
    counts = Counter(i["department"] for i in incidents)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def incident_block(trace: dict) -> dict:
    """The traced incidents as the notice shows them (domain.md "Hazards and accountability").

    Only 追责事件 (incidents with linked complaints) are listed, most linked complaints
    first; 隐患预警 (no linked complaint) are counted, by department, never listed.
    ``count`` and ``by_department`` cover every incident, as in schema 1.
    """
    incidents = trace.get("incidents", [])
    accountable = [i for i in incidents if is_accountable(i)]
    hazards = [i for i in incidents if not is_accountable(i)]
    rows = [{
        "district": i["district"], "district_name": i.get("district_name") or "", "kind": i["kind"],
        "unit": i["unit"], "department": i["department"], "complaints": len(i.get("complaints") or []),
        "due_on": (i.get("rectification") or {}).get("due_on"),
        "status": (i.get("rectification") or {}).get("status"),
    } for i in accountable]
    rows.sort(key=lambda r: (-r["complaints"], r["district"], r["kind"]))
    return {"count": len(incidents), "by_department": _by_department(incidents),
            "accountable": len(accountable), "accountable_by_department": _by_department(accountable),
            "hazards": len(hazards), "hazards_by_department": _by_department(hazards),
            # Hazards with an item: RuleSettings.rectify_hazards, or work begun before they lost their links.
            "hazards_rectified": sum(1 for i in hazards if i.get("rectification")),
            "rows": rows[:INCIDENT_ROWS]}


def overdue_block(month: dt.date, issued_on: dt.date) -> dict:
    """Rectification items of incidents before ``month`` still not done when the notice is issued.

    Overdue = status ≠ done and due date before the notice date (domain.md:
    "last month's rectification items that are overdue"; items of earlier
    months that are still open are listed too — they are overdue all the more).
    """
    qs = (Rectification.objects.filter(incident__month__lt=month, due_on__lt=issued_on)
          .exclude(status=Rectification.Status.DONE)
          .select_related("incident", "city", "department").order_by("due_on", "incident__district_id", "pk"))
    count = qs.count()
    rows = [{
        "month": label(r.incident.month), "district": r.incident.district_id, "kind": r.incident.kind,
        "unit": r.city.name, "department": r.department.name, "due_on": r.due_on.isoformat(),
        "days_overdue": (issued_on - r.due_on).days, "status": r.status,
    } for r in qs[:OVERDUE_ROWS]]
    return {"count": count, "rows": rows}


def build_snapshot(notice: Notice, *, issued_on: dt.date) -> dict:
    """All figures of the notice's month, frozen ones for a published month."""
    month = notice.month
    frozen = ReportingMonth.objects.filter(month=month, published_at__isnull=False).first()
    if frozen is not None:
        card, trace = frozen.scorecard, frozen.trace
    else:
        card = scorecard_for_month(month)  # re-traces the month first
        trace = trace_for_month(month, retrace=False)
    snapshot = {
        "schema": SNAPSHOT_SCHEMA,
        "month": label(month),
        "title": notice.title,
        "number": notice_number(month),
        "version": notice.version,
        "issuer": settings.SCORECARD_ISSUER,
        "issued_on": issued_on.isoformat(),
        "correction": None,
        "profile": complaint_profile(month),
        "hotspots": hotspot_block(month),
        "scorecard": card,
        "incidents": incident_block(trace),
        "overdue": overdue_block(month, issued_on),
    }
    if notice.corrects_id:
        snapshot["correction"] = {"corrects_version": notice.corrects.version,
                                  "corrects_sha256": notice.corrects.sha256, "note": notice.correction_note}
    return _plain(snapshot)


def figures_digest(snapshot: dict) -> str:
    """What must not move between a draft and its publication: the ranking and the incidents."""
    return json.dumps({"scorecard": snapshot["scorecard"], "incidents": snapshot["incidents"]},
                      sort_keys=True, ensure_ascii=False)


# --- lists for the portal -------------------------------------------------------------------------

def notices_for_month(month: dt.date):
    return Notice.objects.filter(month=month).select_related("requested_by", "published_by", "corrects")


def latest_notices():
    return Notice.objects.select_related("requested_by", "published_by", "corrects").order_by("-month", "-version")


def published_versions():
    return Notice.objects.filter(status__in=Notice.FINAL)


def working_notice(month: dt.date) -> Notice | None:
    return Notice.objects.filter(month=month, status__in=Notice.WORKING).first()


def latest_published(month: dt.date) -> Notice | None:
    return Notice.objects.filter(month=month, status=Notice.Status.PUBLISHED).order_by("-version").first()


def published_months():
    return ReportingMonth.objects.filter(published_at__isnull=False, scorecard__isnull=False).order_by("-month")


def find_by_sha256(digest: str):
    return Notice.objects.filter(Q(status__in=Notice.FINAL), sha256=digest.lower()).order_by("month", "version")
