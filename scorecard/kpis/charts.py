"""The department page's 12-month trend as text (issue #17, WCAG 1.1.1): the chart's ``aria-label``
states its main figures, derived from the same rows the chart draws (``selectors.department_trend``)."""
from django.utils.translation import gettext as _


def describe_trend(trend: list[dict]) -> str:
    if not trend:
        return _("没有趋势数据")
    total = sum(t["complaints"] for t in trend)
    peak = max(trend, key=lambda t: (t["complaints"], t["month"]))
    last = trend[-1]
    rate = "—" if last["satisfaction_rate"] is None else f"{float(last['satisfaction_rate']):.2f}%"
    return _("近12个月趋势（%(first)s 至 %(last)s）：投诉共 %(total)s 件，最多为 %(peak)s 的 %(peak_n)s 件；"
             "%(last)s 投诉 %(last_n)s 件，满意率 %(rate)s") % {
        "first": trend[0]["month"], "last": last["month"], "total": total, "peak": peak["month"],
        "peak_n": peak["complaints"], "last_n": last["complaints"], "rate": rate}
