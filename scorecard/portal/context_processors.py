"""Template context for every page: the look-back of each 「重复」 (issue #14: two meanings, nothing said).

The complaint profile's 重复诉求 looks back ``complaints.selectors.REPEAT_DEMAND_DAYS`` (90) days; the
repeat-rate KPI ``RuleSettings.repeat_days`` (30 by default). Pages name the days from here, never
as typed text; the portal is the one layer that sees both. Lazy: a page that names neither reads
nothing.
"""
from django.utils.functional import SimpleLazyObject

from scorecard.complaints.selectors import REPEAT_DEMAND_DAYS
from scorecard.kpis.repeats import repeat_days


def lookbacks(request):
    return {"lookback": SimpleLazyObject(lambda: {"repeat_demand_days": REPEAT_DEMAND_DAYS,
                                                  "repeat_days": repeat_days()})}
