"""The words of a risk list's reasons (issue #18), written when they are shown, in the viewer's language.

A reason is stored as its code and its numbers (``{"code": "load_rising", "value": 96.2}``, kpis.risk
builds them from the 台区's own feature values), never as words: the page, the table export and the
warning order render it through gettext with the language active at that moment (「近3月负载率上升至96%」,
"Load rate rising to 96 % over the last 3 months"), numbers through core.numbers. ``early_warning
--json`` prints the words (Chinese unless asked otherwise); the notice's snapshot keeps the Chinese
words it was made with, so a notice renders the same whenever it is rendered.

Lists stored before reasons were structured hold Chinese words (plain strings): they are shown as they
were written (``text`` accepts both), in every language, until the month's list is recomputed.

No numpy here: the pages that only show a stored list do not pay for the model's imports.
"""
from django.utils.translation import gettext_lazy as _

from scorecard.core.numbers import COUNT, LOAD, VOLTAGE, display

SEASONS = ("summer", "winter")
OUTAGE_KINDS = ("fault", "planned", "temporary")

# code → words; a code with variants (outage kind and window, complaint window, season) by (code, variant).
MESSAGES = {
    "load_rising": _("近3月负载率上升至%(value)s%%"),
    "load_max": _("近3月最大负载率%(value)s%%"),
    "voltage_min": _("近3月最低电压%(value)sV"),
    "voltage_max": _("近3月最高电压%(value)sV"),
    ("outages", "fault", 60): _("近60天故障停电%(count)s次"),
    ("outages", "fault", 90): _("近90天故障停电%(count)s次"),
    ("outages", "planned", 60): _("近60天计划停电%(count)s次"),
    ("outages", "planned", 90): _("近90天计划停电%(count)s次"),
    ("outages", "temporary", 60): _("近60天临时停电%(count)s次"),
    ("outages", "temporary", 90): _("近90天临时停电%(count)s次"),
    ("complaints", 1): _("上月%(customers)s户投诉%(count)s次"),
    ("complaints", 3): _("近3月%(customers)s户投诉%(count)s次"),
    ("complaints", 12): _("近12月%(customers)s户投诉%(count)s次"),
    "last_year": _("去年同月%(customers)s户投诉"),
    ("season_customers", "summer"): _("迎峰度夏：去年同月投诉客户比上月多%(value)s户"),
    ("season_customers", "winter"): _("迎峰度冬：去年同月投诉客户比上月多%(value)s户"),
    ("season_load", "summer"): _("迎峰度夏：去年同月负载率比上月升%(value)s个百分点"),
    ("season_load", "winter"): _("迎峰度冬：去年同月负载率比上月升%(value)s个百分点"),
    ("season", "summer"): _("迎峰度夏期间"),
    ("season", "winter"): _("迎峰度冬期间"),
    "projects_due": _("%(count)s项工程计划本月底前投运、尚未投运"),
    "projects_commissioned": _("近60天投运%(count)s项工程"),
    "incidents": _("近3月供电瓶颈事件%(count)s起"),
    "rectifications": _("%(count)s项整改逾期未完成"),
    "size": _("用户数%(value)s户"),
}
# How each number of a reason prints (core.numbers kinds): load rates and steps in whole percent
# (points), voltages to 0.1 V, everything else a count.
_KINDS = {"load_rising": LOAD, "load_max": LOAD, "season_load": LOAD, "voltage_min": VOLTAGE,
          "voltage_max": VOLTAGE}


def _key(reason: dict):
    code = reason["code"]
    if code == "outages":
        return code, reason["kind"], reason["days"]
    if code == "complaints":
        return code, reason["months"]
    if code in ("season_customers", "season_load", "season"):
        return code, reason["season"]
    return code


def text(reason: dict | str) -> str:
    """The words of one reason in the active language; a stored string (a list computed before
    reasons were structured) as it is."""
    if isinstance(reason, str):
        return reason
    kind = _KINDS.get(reason["code"], COUNT)
    numbers = {k: display(reason[k], kind) for k in ("value", "count", "customers") if k in reason}
    return str(MESSAGES[_key(reason)]) % numbers


def texts(reasons) -> list[str]:
    """``text`` of each reason of a stored list (``None`` or empty: none)."""
    return [text(r) for r in reasons or []]


def joined(reasons) -> str:
    """The reasons in one cell, as the list, the export and the warning order print them."""
    return str(_("；")).join(texts(reasons))
