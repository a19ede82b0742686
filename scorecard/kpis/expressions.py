"""Query expressions shared by attribution, KPIs and the SQL they run on.

Each works on PostgreSQL and SQLite: the KPIs are aggregated in the database
on both (the embedded default and production must give the same figures).
"""
import datetime as dt
import statistics

from django.db.backends.signals import connection_created
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncTime
from django.dispatch import receiver

from scorecard.complaints.models import BusinessType, WorkOrder
from scorecard.core.months import LOCAL_TZ, last_day

from .models import WorkCalendar


class DurationSeconds(Func):
    """end - start in seconds, as a float (NULL if either is NULL)."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"EXTRACT(EPOCH FROM ({end[0]} - {start[0]}))", end[1] + start[1]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"((julianday({end[0]}) - julianday({start[0]})) * 86400.0)", end[1] + start[1]


class Median(Aggregate):
    """The median: percentile_cont on PostgreSQL, a registered aggregate on SQLite."""

    function = "MEDIAN"
    name = "Median"
    output_field = FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra):
        # PostgreSQL's ordered-set aggregate takes FILTER after WITHIN GROUP, which is where
        # Aggregate.as_sql appends it (filter_template wraps the whole template). The template is
        # set on a copy, not passed: with a filter, Aggregate.as_sql passes template= itself, and a
        # second one raised "got multiple values for keyword argument 'template'".
        clone = self.copy()
        clone.template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        return clone.as_sql(compiler, connection, **extra)


class _SQLiteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("MEDIAN", 1, _SQLiteMedian)


def is_repeat(days: int) -> Exists:
    """True when the customer filed another complaint in the `days` days before this one."""
    window_start = ExpressionWrapper(OuterRef("accepted_at") - dt.timedelta(days=days), output_field=DateTimeField())

    return Exists(
        WorkOrder.objects.filter(
            is_complaint=True,
            customer_id=OuterRef("customer_id"),
            accepted_at__lt=OuterRef("accepted_at"),
            accepted_at__gte=window_start,
        )
    )


def with_deadline(queryset):
    """Annotate work orders with the SLA deadline, computed in SQL from WorkCalendar.

    ``deadline_date`` is the Nth working day after the local acceptance date
    (N = the business type's SLA); a complaint is on time if closed before
    that date, or on it no later than the acceptance clock time — up to and
    including 24:00 of that day when it was accepted on a non-working day.
    """
    tz = LOCAL_TZ
    day = WorkCalendar.objects.filter(date=OuterRef("acc_date"))
    return queryset.annotate(
        acc_date=TruncDate("accepted_at", tzinfo=tz),
        acc_seq=Subquery(day.values("seq")[:1], output_field=IntegerField()),
        acc_working=Subquery(day.values("is_working_day")[:1], output_field=BooleanField()),
        deadline_date=Subquery(
            WorkCalendar.objects.filter(
                is_working_day=True, seq=OuterRef("acc_seq") + OuterRef("business_type__sla_working_days")
            ).values("date")[:1]
        ),
        closed_date=TruncDate("closed_at", tzinfo=tz),
        # The date a close counts for under the 24:00 rule: 00:00:00 of the next day *is* 24:00 of the
        # deadline day ("no later than the deadline"), one microsecond earlier maps it onto that day.
        closed_date_24=TruncDate(ExpressionWrapper(F("closed_at") - dt.timedelta(microseconds=1),
                                                   output_field=DateTimeField()), tzinfo=tz),
    )


class OnTime(Func):
    """Whether a with_deadline() + clock_annotations() row was closed on time (see ``on_time_q``).

    Sources: closed_at, accepted_at, the business type's SLA (working days), and the portable
    condition. On PostgreSQL it is one timestamp comparison — closed (local) ≤ the deadline day at
    the acceptance clock time, or at 24:00 when accepted on a non-working day — whose right-hand
    side is one scalar subquery joining the acceptance day's calendar row to the deadline's. The
    portable condition names the deadline three times and the working-day flag twice, each a
    correlated look-up, and PostgreSQL evaluates a subquery at every place it is written: that made
    the month's scorecard 1.5x its hand-written SQL (issue #16). Three separate look-ups per
    complaint (acceptance day, working flag, deadline) left it at 1.46x on the 1M province; this
    one subquery, 1.26x (bench/scorecard.py, 2026-12-03).

    ``window`` (first, last local day), when the caller knows the days the acceptances fall in (a
    month: ``on_time_q(month=…)``), is a hint that lets PostgreSQL skip the subquery: the window's
    calendar is read once per statement into three small arrays (each day's seq and working flag;
    the working days by seq, up to the last day's seq plus the longest SLA), and a complaint's limit
    is three subscripts. The correlated subquery cannot run in a parallel worker and costs two index
    probes per complaint in the leader's aggregate: on the 1M province's month the scorecard's
    statement went from about 195 to 160 ms, the same rows (issue #16). Whatever the arrays do not
    hold — a day outside the window, a day or deadline missing from the calendar — is NULL there,
    and COALESCE then takes the subquery for that complaint: the hint changes the speed, never the
    answer (``tests/kpis/test_expressions.py`` pins both, and that the subquery does not run).
    SQLite keeps the portable condition; both suites test both against the same cases.
    """

    output_field = BooleanField()
    conditional = True
    arity = 4

    def __init__(self, *expressions, window: tuple[dt.date, dt.date] | None = None, **extra):
        super().__init__(*expressions, **extra)
        self.window = window

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[3])

    def as_postgresql(self, compiler, connection, **extra):
        (closed, p1), (accepted, p2), (sla, p3) = (compiler.compile(e) for e in self.source_expressions[:3])
        zone = str(LOCAL_TZ)
        calendar = connection.ops.quote_name(WorkCalendar._meta.db_table)
        day, clock = f"({accepted} AT TIME ZONE '{zone}')::date", f"({accepted} AT TIME ZONE '{zone}')::time"
        # NULL when the calendar does not reach the deadline: then, as with the portable form,
        # the comparison is NULL and the complaint is not counted on time.
        limit = (f"(SELECT c2.date + CASE WHEN c1.is_working_day THEN {clock} "
                 f"ELSE TIME '24:00' END FROM {calendar} c1 JOIN {calendar} c2 "
                 f"ON c2.is_working_day AND c2.seq = c1.seq + {sla} WHERE c1.date = {day})")
        params = [*p2, *p3, *p2]  # each placeholder's parameters in the order they appear in the SQL
        if self.window is not None:
            first, last = self.window
            business_types = connection.ops.quote_name(BusinessType._meta.db_table)
            # Uncorrelated: each is an InitPlan, run once per statement. Each element is an index
            # look-up of its own (a join to the calendar read the whole table three times: 5 ms).
            days = "generate_series(%s::date, %s::date, interval '1 day') g(d)"
            seqs = f"(SELECT array_agg((SELECT c.seq FROM {calendar} c WHERE c.date = g.d::date) ORDER BY g.d) FROM {days})"
            working = (f"(SELECT array_agg((SELECT c.is_working_day FROM {calendar} c WHERE c.date = g.d::date) "
                       f"ORDER BY g.d) FROM {days})")
            first_seq = f"(SELECT seq FROM {calendar} WHERE date = %s)"
            deadlines = (f"(SELECT array_agg((SELECT c.date FROM {calendar} c WHERE c.is_working_day AND c.seq = g.k) "
                         f"ORDER BY g.k) FROM generate_series({first_seq}, "
                         f"(SELECT seq FROM {calendar} WHERE date = %s) "
                         f"+ (SELECT max(sla_working_days) FROM {business_types})) g(k))")
            index = f"({day} - %s::date + 1)"
            fast = (f"({deadlines}[{seqs}[{index}] + {sla} - {first_seq} + 1] "
                    f"+ CASE WHEN {working}[{index}] THEN {clock} ELSE TIME '24:00' END)")
            fast_params = [first, last,  # deadlines: the first day's seq, then the last day's
                           first, last, *p2, first,  # seqs[index]
                           *p3, first,  # + sla - first_seq
                           first, last, *p2, first,  # working[index]
                           *p2]  # the clock
            limit, params = f"COALESCE({fast}, {limit})", [*fast_params, *params]
        sql = f"({closed} IS NOT NULL AND ({closed} AT TIME ZONE '{zone}') <= {limit})"
        return sql, (*p1, *p1, *params)


def on_time_q(*, month: dt.date | None = None) -> Q:
    """Condition over a with_deadline() + clock_annotations() queryset; open complaints are never on time.
    ``month``: the month the rows were accepted in, when known — a hint (see ``OnTime``)."""
    # Accepted on a working day: by the acceptance clock time on the deadline day.
    by_clock = Q(acc_working=True) & (Q(closed_date__lt=F("deadline_date")) | (
        Q(closed_date=F("deadline_date")) & Q(closed_clock__lte=F("acc_clock"))))
    # Accepted on a non-working day: by 24:00 of the deadline day, that instant included.
    by_midnight = Q(acc_working=False) & Q(closed_date_24__lte=F("deadline_date"))
    portable = ExpressionWrapper(Q(closed_at__isnull=False) & (by_clock | by_midnight), output_field=BooleanField())
    return Q(OnTime(F("closed_at"), F("accepted_at"), F("business_type__sla_working_days"), portable,
                    window=(month, last_day(month)) if month else None))


def clock_annotations():
    tz = LOCAL_TZ
    return {"acc_clock": TruncTime("accepted_at", tzinfo=tz), "closed_clock": TruncTime("closed_at", tzinfo=tz)}


def acknowledged_in_time_q(hours: int) -> Q:
    base = Coalesce(F("dispatched_at"), F("accepted_at"))
    return Q(acknowledged_at__isnull=False) & Q(acknowledged_at__lte=base + dt.timedelta(hours=hours))


SATISFIED = ["满意", "基本满意"]
CALLED_BACK = ["满意", "基本满意", "不满意"]
# The facts of a complaint that the KPIs count (``fact_conditions``) and publication freezes.
FACTS = ("repeat", "closed", "on_time", "satisfied", "callback", "ack_known", "ack_in_time")


def with_fact_inputs(queryset, rules):
    """``queryset`` (work orders) with what ``fact_conditions`` reads: the SLA deadline, the clocks, ``repeat``."""
    return with_deadline(queryset).annotate(**clock_annotations(), repeat=is_repeat(rules.repeat_days))


def fact_conditions(rules, *, month: dt.date | None = None) -> dict[str, Q]:
    """Each of ``FACTS`` as a condition over a ``with_fact_inputs`` queryset: the live KPIs count them and
    publication freezes them (``frozen_facts``), so a published month's figures are the live ones of
    the moment it was published — one definition for both. ``month``: a hint, see ``OnTime``."""
    return {"repeat": Q(repeat=True), "closed": Q(closed_at__isnull=False), "on_time": on_time_q(month=month),
            "satisfied": Q(satisfaction__in=SATISFIED), "callback": Q(satisfaction__in=CALLED_BACK),
            "ack_known": Q(acknowledged_at__isnull=False), "ack_in_time": acknowledged_in_time_q(rules.ack_hours)}


def frozen_facts(queryset, rules, *, month: dt.date | None = None):
    """``queryset`` (work orders) annotated ``fact_<name>`` (a boolean per ``FACTS``) and
    ``fact_resolution_seconds`` (NULL while open): the values SnapshotAttribution freezes.
    ``month``: the month the rows were accepted in — a hint (see ``OnTime``)."""
    flags = {f"fact_{name}": Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
             for name, condition in fact_conditions(rules, month=month).items()}
    return with_fact_inputs(queryset, rules).annotate(
        **flags, fact_resolution_seconds=DurationSeconds("closed_at", "accepted_at"))


def rule_case() -> Case:
    """Which rule decided the attribution, in the order of domain.md (an accepted appeal first)."""
    return Case(
        When(override__isnull=False, then=Value("appeal")),
        When(responsible_dept__isnull=False, then=Value("explicit")),
        When(incident_link__isnull=False, then=Value("traced")),
        default=Value("default"),
    )


def _verified(field: str, value) -> Q:
    """The complaint's effective ``field`` equals ``value``: the analyst's Verification if there is
    one (it takes precedence over the export), else what the work-order export said."""
    return (Q(verification__isnull=False) & Q(**{f"verification__{field}": value})) | (
        Q(verification__isnull=True) & Q(**{field: value}))


def exclusion_case(rules) -> Case:
    """Why a complaint is left out of the 考核口径 (an Exclusion code), "" when it counts.

    受理口径 counts every accepted complaint (the profile); 考核口径 (the scorecard KPIs) leaves out
    what RuleSettings says: 不属实, then 无责, then 降级为意见 — the first that applies names it."""
    whens = []
    if rules.exclude_not_valid:
        whens.append(When(_verified("valid", "不属实"), then=Value("not_valid")))
    if rules.exclude_not_at_fault:
        whens.append(When(_verified("at_fault", "无责"), then=Value("not_at_fault")))
    if rules.exclude_downgraded:
        whens.append(When(_verified("downgraded", True), then=Value("downgraded")))
    return Case(*whens, default=Value(""), output_field=CharField()) if whens else Value("", output_field=CharField())
