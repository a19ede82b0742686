"""scorecard.kpis.risk_reasons: a reason's code and figures written in the active language when shown, the
figures through core.numbers; the Chinese words of lists stored before reasons were structured shown as
they are."""
import re

import pytest
from django.utils import translation

from scorecard.kpis import risk, risk_reasons

CJK = re.compile(r"[\u4e00-\u9fff]")


def words(reason, language):
    with translation.override(language):
        return risk_reasons.text(reason)


@pytest.mark.parametrize("reason, zh, en", [
    ({"code": "load_rising", "value": 96.2}, "近3月负载率上升至96%", "Load rate rising to 96 % over the last 3 months"),
    # Whole percent rounded half-up (core.numbers), not Python's half-even.
    ({"code": "load_max", "value": 112.5}, "近3月最大负载率113%", "Maximum load rate 113 % over the last 3 months"),
    ({"code": "voltage_min", "value": 190}, "近3月最低电压190.0V", "Lowest voltage 190.0 V over the last 3 months"),
    ({"code": "voltage_max", "value": 235.46}, "近3月最高电压235.5V", "Highest voltage 235.5 V over the last 3 months"),
    ({"code": "outages", "kind": "fault", "days": 60, "count": 3}, "近60天故障停电3次",
     "Fault outages in the last 60 days: 3"),
    ({"code": "outages", "kind": "temporary", "days": 90, "count": 1}, "近90天临时停电1次",
     "Temporary outages in the last 90 days: 1"),
    ({"code": "complaints", "months": 1, "customers": 2, "count": 5}, "上月2户投诉5次",
     "Complaints last month: 5, from 2 customer(s)"),
    # Counts with thousands separators, like every count the product prints.
    ({"code": "complaints", "months": 12, "customers": 1020, "count": 1390}, "近12月1,020户投诉1,390次",
     "Complaints over the last 12 months: 1,390, from 1,020 customer(s)"),
    ({"code": "last_year", "customers": 3}, "去年同月3户投诉", "Same month last year: complaints from 3 customer(s)"),
    ({"code": "season_customers", "season": "summer", "value": 2}, "迎峰度夏：去年同月投诉客户比上月多2户",
     "Summer peak: last year, 2 more customer(s) complained in this month than in the month before"),
    ({"code": "season_load", "season": "winter", "value": 7.6}, "迎峰度冬：去年同月负载率比上月升8个百分点",
     "Winter peak: last year the load rate rose 8 percentage points into this month"),
    ({"code": "season", "season": "summer"}, "迎峰度夏期间", "Summer peak season"),
    ({"code": "projects_due", "count": 2}, "2项工程计划本月底前投运、尚未投运",
     "Projects due by month end, not yet commissioned: 2"),
    ({"code": "projects_commissioned", "count": 1}, "近60天投运1项工程", "Projects commissioned in the last 60 days: 1"),
    ({"code": "incidents", "count": 4}, "近3月供电瓶颈事件4起", "Bottleneck incidents over the last 3 months: 4"),
    ({"code": "rectifications", "count": 1}, "1项整改逾期未完成", "Overdue rectifications: 1"),
    ({"code": "size", "value": 1200}, "用户数1,200户", "Customers of the district: 1,200"),
])
def test_each_reason_in_chinese_and_in_english(reason, zh, en):
    assert words(reason, "zh-hans") == zh
    assert words(reason, "en") == en


def test_every_reason_the_model_can_give_has_its_words_in_both_languages():
    # Each group's reason from figures that make it speak, in every variant: the load rising or at its
    # maximum, outages in 60 or only in 90 days, each season with last year's customer or load step or neither.
    row = {f: 1 for f in risk.FEATURES} | {"load_max_3m": 99.0, "load_last": 98.0, "load_trend_3m": 3.0,
                                          "vmin_3m": 188.0, "vmax_3m": 240.0}
    variants = [row | {"load_trend_3m": -1.0} | {f"outages_60d_{kind}": 0 for kind in risk_reasons.OUTAGE_KINDS}]
    variants += [row | {"summer": int(season == "summer"), "winter": int(season == "winter"),
                        "last_year_customer_step": customers, "last_year_load_step": load}
                 for season in risk_reasons.SEASONS for customers, load in ((2, 0), (0, 5.0), (0, 0))]
    reasons = [reason(r) for r in variants for reason in risk.REASONS.values()]
    assert None not in reasons
    seen = set()
    for reason in reasons:
        zh, en = words(reason, "zh-hans"), words(reason, "en")
        assert CJK.search(zh) and not CJK.search(en), (reason, en)
        seen.add(risk_reasons._key(reason))
    assert seen == set(risk_reasons.MESSAGES), set(risk_reasons.MESSAGES) - seen


def test_words_stored_before_reasons_were_structured_are_shown_as_they_are():
    old = ["近3月负载率上升至96%", "去年同月3户投诉"]
    assert [words(r, "en") for r in old] == old
    with translation.override("en"):
        assert risk_reasons.joined(old + [{"code": "season", "season": "winter"}]) == (
            "近3月负载率上升至96%; 去年同月3户投诉; Winter peak season")
    with translation.override("zh-hans"):
        assert risk_reasons.joined(old) == "近3月负载率上升至96%；去年同月3户投诉"
    assert risk_reasons.texts(None) == [] and risk_reasons.joined([]) == ""
