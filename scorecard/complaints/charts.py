"""The analysis page's charts as text (issue #17, WCAG 1.1.1): each ECharts canvas is an image
whose ``aria-label`` states its main figures, derived from the same figures the chart draws.
Pure functions of the page's figures; the words are translated (the page's language is part of
its cache key)."""
from django.utils.translation import gettext as _


def _share(share) -> str:
    return f"{float(share):.2f}"


def describe(figures: dict) -> dict[str, str]:
    """{"categories", "subcategories", "hourly"} → one sentence each."""
    total = figures["total"]
    if not total:
        empty = _("%(month)s 没有投诉，图表为空") % {"month": figures["month"]}
        return {"categories": empty, "subcategories": empty, "hourly": empty}
    item, sep = _("%(name)s %(count)s 件（%(share)s%%）"), _("、")  # the list separator: ", " in English
    categories = sep.join(item % {"name": c["name"], "count": c["count"], "share": _share(c["share"])}
                          for c in figures["categories"])
    top = figures["subcategories"][:12]
    subcategories = sep.join(item % {"name": s["name"], "count": s["count"], "share": _share(s["share"])}
                             for s in top)
    hourly = figures["hourly"]
    peaks = sep.join(_("%(h)s时 %(count)s 件") % {"h": h, "count": hourly[h]} for h in figures["peak_hours"][:3])
    quiet = min(range(24), key=lambda h: (hourly[h], h))
    return {
        "categories": _("一级分类占比，共 %(total)s 件：%(items)s") % {"total": total, "items": categories},
        "subcategories": _("二级分类前 %(n)s 位：%(items)s") % {"n": len(top), "items": subcategories},
        "hourly": _("24小时受理分布，共 %(total)s 件；高峰：%(peaks)s；最少：%(h)s时 %(count)s 件") % {
            "total": total, "peaks": peaks or "—", "h": quiet, "count": hourly[quiet]},
    }
