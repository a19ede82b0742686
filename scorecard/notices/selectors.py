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
from django.http import Http404
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext

from scorecard.complaints.selectors import complaint_profile, hotspot_districts, month_complaints
from scorecard.core import roles
from scorecard.core.months import label, shift
from scorecard.core.numbers import COUNT, SCORE, display
from scorecard.kpis.models import KpiDefinition, LateData, Rectification, ReportingMonth, RuleSettings
from scorecard.kpis.selectors import (
    is_accountable,
    score_explanation,
    scorecard_for_month,
    trace_for_month,
)
from scorecard.kpis.warning_selectors import notice_risk_block, notice_warning_block

from .models import Notice, NoticeSettings, notice_number

# 2: the incidents block tells 追责事件 from 隐患预警 and lists only the former.
# 3: the official-document layout (#14): ``document`` (主送, 工作要求, 落款, 版记), ``trend``,
#    ``score_rules`` and ``load_profile``. Older snapshots render as they did (renderer_v2),
#    so published files re-derive unchanged.
#    Later, without a new number: ``warnings`` and ``risks`` (预警与主动服务, #18); a schema-3 snapshot
#    stored before them has neither and renders without the section, byte for byte as it was.
SNAPSHOT_SCHEMA = 3
TREND_MONTHS = 12
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


def document_block(notice: Notice) -> dict:
    """The document's text that is not a figure: NoticeSettings and the notice's 工作要求."""
    return NoticeSettings.current().document(requirements=notice.requirements)


def trend_block(month: dt.date, months: int = TREND_MONTHS) -> list[dict]:
    """Complaints (受理口径) of the ``months`` months ending with ``month``: a published month
    counts its frozen rows (month_complaints reads the freeze), so its figure never moves."""
    return [{"month": label(m), "total": month_complaints(m).count()}
            for m in (shift(month, -i) for i in range(months - 1, -1, -1))]


def score_rules_block(card: dict | None = None) -> dict:
    """What the appendix explains the score with: the active KPI definitions of each level, the
    points of each band and the missing-data rule (as the scorecard was computed with them), and
    the worked example: kpis' own explanation (``score_explanation``, the department page's) of the
    first-ranked city company, stored so the renderer stays a pure function of the snapshot."""
    rules = RuleSettings.current()
    models: dict[str, list] = {KpiDefinition.Level.UNIT: [], KpiDefinition.Level.DEPARTMENT: []}
    for d in KpiDefinition.objects.filter(active=True).order_by("level", "sort_order", "pk"):
        models[d.level].append(d)
    defs = {str(level): [{"code": d.code, "name": d.name, "polarity": d.polarity, "weight": d.weight,
                          "band_a": d.band_a, "band_b": d.band_b, "band_c": d.band_c, "band_d": d.band_d}
                         for d in rows] for level, rows in models.items()}
    out = {"band_points": dict(KpiDefinition.BAND_POINTS), "nothing_to_rate_band": rules.nothing_to_rate_band,
           "missing_data_band": rules.missing_data_band, "definitions": defs, "examples": {}}
    units = (card or {}).get("units") or []
    if units and models[KpiDefinition.Level.UNIT]:
        with translation.override("zh-hans"):  # the notice is Chinese whoever renders it
            e = score_explanation(units[0], models[KpiDefinition.Level.UNIT], rules=rules)
        out["examples"]["unit"] = {
            "unit": units[0]["unit"],
            "lines": [{k: line[k] for k in ("code", "name", "value", "value_text", "band", "points", "weight",
                                            "weighted")} | {"by_rule": bool(line["by_rule"])} for line in e["lines"]],
            **{k: e[k] for k in ("total_weight", "weighted_sum", "kpi_score", "deduction_points", "score",
                                 "definitions_changed")}}
    return out


def load_profile_block(month: dt.date) -> dict | None:
    """Hourly load of the month, for the 「与用电负荷高峰基本吻合」 sentence. The grid data has only
    a monthly maximum load per 台区 (grid.LoadReading), no hourly load, so there is none: the notice
    names the complaint peak hours only. A future hourly load import returns {"hourly": [24 values]}."""
    return None


def publish_warnings(notice: Notice) -> list[str]:
    """What the analyst is told before and after publishing (publication is not refused)."""
    warnings = []
    if not notice.requirements.strip():
        warnings.append(gettext("本期通报未填写工作要求，发布的通报将不含“工作要求”一节。"))
    return warnings


def build_snapshot(notice: Notice, *, issued_on: dt.date, draft: bool = True) -> dict:
    """All figures of the notice's month: the frozen ones for a published month, current data
    (as last traced) otherwise. ``draft`` puts the 征求意见稿 mark on every page; the published
    file is rendered from the same figures with ``draft=False`` and the publication date."""
    month = notice.month
    document = document_block(notice)
    card = scorecard_for_month(month)
    snapshot = {
        "schema": SNAPSHOT_SCHEMA,
        "month": label(month),
        "title": notice.title,
        "number": notice_number(month),
        "version": notice.version,
        "issuer": document["issuer"],
        "issued_on": issued_on.isoformat(),
        "draft": draft,
        "correction": None,
        "profile": complaint_profile(month),
        "hotspots": hotspot_block(month),
        "scorecard": card,
        "incidents": incident_block(trace_for_month(month)),
        "overdue": overdue_block(month, issued_on),
        "document": document,
        "trend": trend_block(month),
        "score_rules": score_rules_block(card),
        "load_profile": load_profile_block(month),
        # 预警与主动服务 (#18): the month's 预警工单 and the stored risk list of the month the notice is issued in.
        "warnings": notice_warning_block(month),
        "risks": notice_risk_block(shift(month, 1)),
    }
    snapshot = _plain(snapshot)
    if notice.corrects_id:
        previous = notice.corrects
        snapshot["correction"] = {
            "corrects_version": previous.version, "corrects_sha256": previous.sha256,
            "note": notice.correction_note,
            "late": [{"kind": x.kind, "source": x.source, "new": x.rows_new, "changed": x.rows_changed,
                      "imported_on": timezone.localdate(x.imported_at).isoformat()}
                     for x in LateData.objects.filter(month=month, included_in_version__isnull=True)
                     .order_by("imported_at", "pk")],
            "changes": snapshot_changes(previous.snapshot or {}, snapshot),
        }
    return snapshot


def snapshot_changes(before: dict, after: dict) -> list[dict]:
    """The figures that differ between two versions' snapshots, as a correction states them."""
    out = []

    def add(figure, old, new, fmt=lambda v: display(v, COUNT)):
        if old != new:
            out.append({"figure": figure, "before": fmt(old), "after": fmt(new)})

    bp, ap = before.get("profile") or {}, after.get("profile") or {}
    add("受理投诉总数", bp.get("total"), ap.get("total"))
    old_cats = {c["name"]: c["count"] for c in bp.get("categories", [])}
    for c in ap.get("categories", []):
        add(f"{c['name']}类投诉", old_cats.get(c["name"], 0), c["count"])
    old_units = {u["unit"]: u for u in (before.get("scorecard") or {}).get("units", [])}
    for u in (after.get("scorecard") or {}).get("units", []):
        o = old_units.get(u["unit"], {})
        add(f"{u['unit']}投诉量", o.get("complaints"), u["complaints"])
        add(f"{u['unit']}得分", o.get("score"), u["score"], fmt=lambda v: display(v, SCORE))
        add(f"{u['unit']}排名", o.get("rank"), u["rank"], fmt=lambda v: "—" if v is None else f"第{v}名")
    add("追责事件数", (before.get("incidents") or {}).get("count"), (after.get("incidents") or {}).get("count"))
    return out


def figures_digest(snapshot: dict) -> str:
    """What must not move between a draft and its publication: the ranking and the incidents."""
    return json.dumps({"scorecard": snapshot["scorecard"], "incidents": snapshot["incidents"]},
                      sort_keys=True, ensure_ascii=False)


# --- lists for the portal -------------------------------------------------------------------------

def notices_for_month(month: dt.date):
    return Notice.objects.filter(month=month).select_related("requested_by", "published_by", "corrects")


def latest_notices():
    return Notice.objects.select_related("requested_by", "published_by", "corrects").order_by("-month", "-version")


def notice_list(*, viewer, limit: int = 60) -> list[Notice]:
    """The latest ``limit`` notices the viewer may see, newest first: every version for those who see
    drafts, else the published and superseded ones and the drafts ``roles.can_read_draft`` allows."""
    notices = list(latest_notices()[:limit])
    if roles.can_see_drafts(viewer):
        return notices
    return [n for n in notices if n.is_final or roles.can_read_draft(viewer, n)]


def notice_for_viewer(*, pk, viewer) -> Notice:
    """One notice; Http404 if there is none or it is a draft the viewer may not read (for them it does
    not exist, as in ``notice_list``)."""
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None or not (notice.is_final or roles.can_read_draft(viewer, notice)):
        raise Http404
    return notice


def published_versions():
    return Notice.objects.filter(status__in=Notice.FINAL)


def working_notice(month: dt.date) -> Notice | None:
    return Notice.objects.filter(month=month, status__in=Notice.WORKING).first()


def latest_published(month: dt.date) -> Notice | None:
    return Notice.objects.filter(month=month, status=Notice.Status.PUBLISHED).order_by("-version").first()


def published_months():
    return ReportingMonth.objects.published().filter(scorecard__isnull=False).order_by("-month")


def find_by_sha256(digest: str):
    return Notice.objects.filter(Q(status__in=Notice.FINAL), sha256=digest.lower()).order_by("month", "version")


def cycle_months(default: dt.date, *, count: int = 3) -> list[dt.date]:
    """The months whose cycle the notices page shows: the default month (last month), the
    months still open in the cycle, and the latest published ones, newest first."""
    months = {default, shift(default, 1)} | set(
        ReportingMonth.objects.unpublished().values_list("month", flat=True)[:6])
    months |= set(ReportingMonth.objects.published().order_by("-month")
                  .values_list("month", flat=True)[:count])
    return sorted(months, reverse=True)[:6]
