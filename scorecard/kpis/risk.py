"""Early warning (issue #18): each 台区's probability of becoming a complaint hotspot in month M.

Pure reads. The hotspot is the domain's multi-customer 台区: at least ``MULTI_CUSTOMER_MIN``
distinct customers complained in the month (complaints.selectors, the threshold's one home).

Features of month M read **only data dated before M** (the local midnight of M's first day,
``start``): readings of months < M, outages starting before ``start``, complaints accepted before
it, projects commissioned before it, incidents of months < M and rectification items overdue at it.
The one input dated in M that is read is a grid project's *plan* date ("due by the end of M": a
plan is known before the month it is for); whether such a project has been commissioned is read as
"commissioned before M or not", so a commissioning in M changes nothing. Each group of features is
one SQL statement grouped by 台区 (plain SQL with CASE/COUNT(DISTINCT), the same on SQLite and
PostgreSQL); ``features(month)`` returns them per 台区, missing readings as None.

The model (``predict``): logistic regression and gradient boosting (scikit-learn, fixed seeds),
trained on the ``TRAIN_MONTHS`` months before the month they predict (features of each month,
label: hotspot in it), chosen by the backtest (``backtest``): for each of the ``BACKTEST_MONTHS``
months B before M, both are trained on the months before B, rank the 台区 for B, and are scored
against B's actual hotspots with precision@K and recall@K beside the two baselines an analyst has
without a model: persistence (B−1's hotspots again) and the same month last year (B−12's). Every
number of the backtest therefore reads data before M as well, so the whole list of M does.

Reasons: a prediction's top reasons are the feature groups whose removal (each set to the typical
training value, the median) lowers its probability the most, each a code with the 台区's own values
(``REASONS``), put into words when shown (kpis.risk_reasons, in the viewer's language).
"""
import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from threadpoolctl import threadpool_limits
from django.utils.translation import gettext_lazy as _

from scorecard.complaints.models import WorkOrder
from scorecard.complaints.selectors import MULTI_CUSTOMER_MIN
from scorecard.core import freshness
from scorecard.core.months import bounds, label, last_day, parse_month, shift
from scorecard.grid.models import District, GridProject, LoadReading, Outage
from scorecard.grid.selectors import current_managers

from . import risk_reasons
from .models import Incident, Rectification, RiskList, RuleSettings

SEED = 18
# Native threads (OpenMP, BLAS) the model may fit and predict with. One: gradient boosting's OpenMP
# loops spin-wait at every barrier, and on a server whose 2 cores are shared with the web workers and
# the database a 2-thread fit of 120,000 rows × 33 features took 37 s of CPU and 74 s against 3.9 s and
# 11 s with one thread (docs/benchmarks.md, 2026-12-03); the fitted model is the same either way.
MODEL_THREADS = 1
TRAIN_MONTHS = 6
BACKTEST_MONTHS = 6
KS = (50, 100, 200)
TOP_REASONS = 3
SUMMER = (6, 7, 8, 9)    # 迎峰度夏
WINTER = (12, 1, 2)      # 迎峰度冬

# Every feature, in the model's column order. Counts are counts of rows; load in %, voltage in V.
FEATURES = [
    "load_max_3m", "load_last", "load_trend_3m", "overload_months_3m", "heavy_months_3m", "reading_months_3m",
    "vmin_3m", "vmax_3m", "low_voltage_months_3m", "over_voltage_months_3m",
    "outages_60d_planned", "outages_60d_temporary", "outages_60d_fault",
    "outages_90d_planned", "outages_90d_temporary", "outages_90d_fault",
    "complaints_1m", "customers_1m", "complaints_3m", "customers_3m", "complaints_12m", "customers_12m",
    "last_year_complaints", "last_year_customers",
    "summer", "winter", "last_year_load_step", "last_year_customer_step",
    "projects_commissioned_60d", "projects_due",
    "incidents_3m", "rectifications_overdue", "district_customers",
]
# What a missing reading is replaced by in the model (the feature dict keeps None): no load, nominal voltage.
_FILL = {"load_max_3m": 0.0, "load_last": 0.0, "vmin_3m": 220.0, "vmax_3m": 220.0}
# Counts enter the model as log(1 + n): a 台区 with 40 complaints is not 20 times one with 2.
_LOG = {f for f in FEATURES if f.startswith(("outages_", "complaints_", "customers_", "last_year_c", "projects_",
                                               "incidents_", "rectifications_"))
        and f != "last_year_customer_step"} | {"district_customers"}

# Feature groups a reason speaks of (removed together when its contribution is measured).
GROUPS = {
    "load": ["load_max_3m", "load_last", "load_trend_3m", "overload_months_3m", "heavy_months_3m",
             "reading_months_3m"],
    "low_voltage": ["vmin_3m", "low_voltage_months_3m"],
    "over_voltage": ["vmax_3m", "over_voltage_months_3m"],
    "outage_fault": ["outages_60d_fault", "outages_90d_fault"],
    "outage_planned": ["outages_60d_planned", "outages_90d_planned"],
    "outage_temporary": ["outages_60d_temporary", "outages_90d_temporary"],
    "complaints_1m": ["complaints_1m", "customers_1m"],
    "complaints_3m": ["complaints_3m", "customers_3m"],
    "complaints_12m": ["complaints_12m", "customers_12m"],
    "last_year": ["last_year_complaints", "last_year_customers"],
    "season": ["summer", "winter", "last_year_load_step", "last_year_customer_step"],
    "projects_due": ["projects_due"],
    "projects_commissioned": ["projects_commissioned_60d"],
    "incidents": ["incidents_3m"],
    "rectifications": ["rectifications_overdue"],
    "size": ["district_customers"],
}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _dt(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _num(value) -> float | None:
    return None if value is None else float(value)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _col(model, field_name: str) -> str:
    return _q(model._meta.get_field(field_name).column)


def _table(model) -> str:
    return _q(model._meta.db_table)


# --- features -------------------------------------------------------------------------------------

def _complaint_features(month: dt.date) -> dict[str, dict]:
    """Complaints and distinct complainants in the last 1/3/12 months, the same month last year and the
    month before it (for last year's seasonal step): one scan of the 13 months before M."""
    start = bounds(month)[0]
    m1, m3, m12, m11, m13 = (bounds(shift(month, -n))[0] for n in (1, 3, 12, 11, 13))
    acc, cust, dist = _col(WorkOrder, "accepted_at"), _col(WorkOrder, "customer"), _col(WorkOrder, "district")

    def window(lo: str, hi: str | None = None) -> str:
        return f"{acc} >= %s" + (f" AND {acc} < %s" if hi else "")

    parts, params = [], []
    for lo, hi in ((m1, None), (m3, None), (m12, None), (m12, m11), (m13, m12)):
        cond = window(lo, hi)
        parts.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), COUNT(DISTINCT CASE WHEN {cond} THEN {cust} END)")
        params += [_dt(lo)] + ([_dt(hi)] if hi else [])
        params += [_dt(lo)] + ([_dt(hi)] if hi else [])
    sql = (f"SELECT {dist}, {', '.join(parts)} FROM {_table(WorkOrder)} "
           f"WHERE {_col(WorkOrder, 'is_complaint')} AND {acc} >= %s AND {acc} < %s AND {dist} IS NOT NULL "
           f"GROUP BY {dist}")
    out = {}
    for code, c1, u1, c3, u3, c12, u12, cly, uly, cprev, uprev in _fetch(sql, params + [_dt(m13), _dt(start)]):
        out[code] = {"complaints_1m": c1, "customers_1m": u1, "complaints_3m": c3, "customers_3m": u3,
                     "complaints_12m": c12, "customers_12m": u12, "last_year_complaints": cly,
                     "last_year_customers": uly, "_last_year_prev_customers": uprev}
    return out


def _reading_features(month: dt.date, rs: RuleSettings) -> dict[str, dict]:
    """Load and voltage of the three months before M (max, last, trend = M−1 minus M−3, months over each
    threshold) and the load of the same month last year and the month before it."""
    m1, m3, m12, m13 = (shift(month, -n) for n in (1, 3, 12, 13))
    mo, load = _col(LoadReading, "month"), _col(LoadReading, "max_load_pct")
    vmin, vmax = _col(LoadReading, "min_voltage"), _col(LoadReading, "max_voltage")
    sql = f"""
    SELECT {_col(LoadReading, 'district')},
      MAX(CASE WHEN {mo} >= %s THEN {load} END), MAX(CASE WHEN {mo} = %s THEN {load} END),
      MAX(CASE WHEN {mo} = %s THEN {load} END),
      SUM(CASE WHEN {mo} >= %s AND {load} >= %s THEN 1 ELSE 0 END),
      SUM(CASE WHEN {mo} >= %s AND {load} >= %s AND {load} < %s THEN 1 ELSE 0 END),
      SUM(CASE WHEN {mo} >= %s AND {load} IS NOT NULL THEN 1 ELSE 0 END),
      MIN(CASE WHEN {mo} >= %s THEN {vmin} END), MAX(CASE WHEN {mo} >= %s THEN {vmax} END),
      SUM(CASE WHEN {mo} >= %s AND {vmin} < %s THEN 1 ELSE 0 END),
      SUM(CASE WHEN {mo} >= %s AND {vmax} > %s THEN 1 ELSE 0 END),
      MAX(CASE WHEN {mo} = %s THEN {load} END), MAX(CASE WHEN {mo} = %s THEN {load} END)
    FROM {_table(LoadReading)} WHERE {mo} >= %s AND {mo} < %s
    GROUP BY {_col(LoadReading, 'district')}"""
    over, heavy = _d_num(rs.overload_pct), _d_num(rs.heavy_load_pct)
    low, high = _d_num(rs.low_voltage_v), _d_num(rs.over_voltage_v)
    d3, d1 = _d(m3), _d(m1)
    params = [d3, d1, d3, d3, over, d3, heavy, over, d3, d3, d3, d3, low, d3, high, _d(m12), _d(m13),
              _d(m13), _d(month)]
    out = {}
    for (code, lmax, llast, lfirst, n_over, n_heavy, n_read, vlo, vhi, n_low, n_high, ly, ly_prev) in _fetch(sql, params):
        llast, lfirst, ly, ly_prev = _num(llast), _num(lfirst), _num(ly), _num(ly_prev)
        out[code] = {
            "load_max_3m": _num(lmax), "load_last": llast,
            "load_trend_3m": round(llast - lfirst, 2) if llast is not None and lfirst is not None else 0.0,
            "overload_months_3m": n_over, "heavy_months_3m": n_heavy, "reading_months_3m": n_read,
            "vmin_3m": _num(vlo), "vmax_3m": _num(vhi), "low_voltage_months_3m": n_low,
            "over_voltage_months_3m": n_high,
            "last_year_load_step": round(ly - ly_prev, 2) if ly is not None and ly_prev is not None else 0.0,
        }
    return out


def _d_num(value) -> float:
    return float(value)


def _outage_features(month: dt.date) -> dict[str, dict]:
    """Outages by kind starting in the 60 and 90 days before M, on the 台区 or its whole feeder."""
    start = bounds(month)[0]
    d60, d90 = start - dt.timedelta(days=60), start - dt.timedelta(days=90)
    o, d = _table(Outage), _table(District)
    st, kind = f"o.{_col(Outage, 'start_at')}", f"o.{_col(Outage, 'kind')}"
    odist, ofeed = f"o.{_col(Outage, 'district')}", f"o.{_col(Outage, 'feeder')}"
    select = (f"SELECT d.{_col(District, 'code')}, {kind}, SUM(CASE WHEN {st} >= %s THEN 1 ELSE 0 END), COUNT(*) "
              f"FROM {d} d JOIN {o} o ON {{on}} WHERE {st} >= %s AND {st} < %s "
              f"GROUP BY d.{_col(District, 'code')}, {kind}")
    sql = (select.format(on=f"{odist} = d.{_col(District, 'code')}") + " UNION ALL "
           + select.format(on=f"{odist} IS NULL AND {ofeed} = d.{_col(District, 'feeder')}"))
    params = [_dt(d60), _dt(d90), _dt(start)] * 2
    out: dict[str, dict] = {}
    for code, k, n60, n90 in _fetch(sql, params):
        row = out.setdefault(code, {})
        row[f"outages_60d_{k}"] = row.get(f"outages_60d_{k}", 0) + n60
        row[f"outages_90d_{k}"] = row.get(f"outages_90d_{k}", 0) + n90
    return out


def _project_features(month: dt.date) -> dict[str, dict]:
    """Projects commissioned in the 60 days before M (they relieve the 台区), and projects planned to
    commission by the end of M that were not commissioned before M."""
    d60 = month - dt.timedelta(days=60)
    done, plan = _col(GridProject, "commissioned_on"), _col(GridProject, "planned_on")
    sql = (f"SELECT {_col(GridProject, 'district')}, "
           f"SUM(CASE WHEN {done} >= %s AND {done} < %s THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN {plan} <= %s AND ({done} IS NULL OR {done} >= %s) THEN 1 ELSE 0 END) "
           f"FROM {_table(GridProject)} GROUP BY {_col(GridProject, 'district')}")
    return {code: {"projects_commissioned_60d": c, "projects_due": due}
            for code, c, due in _fetch(sql, [_d(d60), _d(month), _d(last_day(month)), _d(month)])}


def _incident_features(month: dt.date) -> dict[str, dict]:
    """Bottleneck incidents of the three months before M; rectification items overdue at M's start
    (due before M, incident of a month before M, not closed before M)."""
    out: dict[str, dict] = {}
    mo, dist = _col(Incident, "month"), _col(Incident, "district")
    for code, n in _fetch(f"SELECT {dist}, COUNT(*) FROM {_table(Incident)} WHERE {mo} >= %s AND {mo} < %s "
                          f"GROUP BY {dist}", [_d(shift(month, -3)), _d(month)]):
        out.setdefault(code, {})["incidents_3m"] = n
    due, closed = _col(Rectification, "due_on"), _col(Rectification, "closed_on")
    sql = (f"SELECT i.{dist}, COUNT(*) FROM {_table(Rectification)} r JOIN {_table(Incident)} i "
           f"ON i.{_q(Incident._meta.pk.column)} = r.{_col(Rectification, 'incident')} "
           f"WHERE r.{due} < %s AND i.{mo} < %s AND (r.{closed} IS NULL OR r.{closed} >= %s) GROUP BY i.{dist}")
    for code, n in _fetch(sql, [_d(month)] * 3):
        out.setdefault(code, {})["rectifications_overdue"] = n
    return out


def district_rows() -> list[tuple[str, int]]:
    """(code, 用户数) of every 台区, by code: the rows of every feature matrix."""
    return list(District.objects.order_by("code").values_list("code", "customers"))


def features(month: dt.date, districts: list[tuple[str, int]] | None = None) -> dict[str, dict]:
    """{code: {feature: value}} for every 台区 (``FEATURES``; counts 0 when nothing was found, readings
    None when the 台区 has none in the three months)."""
    districts = district_rows() if districts is None else districts
    rs = RuleSettings.current()
    parts = [_complaint_features(month), _reading_features(month, rs), _outage_features(month),
             _project_features(month), _incident_features(month)]
    summer, winter = int(month.month in SUMMER), int(month.month in WINTER)
    out = {}
    for code, customers in districts:
        row = {f: 0 for f in FEATURES}
        row.update({"load_max_3m": None, "load_last": None, "vmin_3m": None, "vmax_3m": None,
                    "load_trend_3m": 0.0, "last_year_load_step": 0.0,
                    "summer": summer, "winter": winter, "district_customers": customers})
        for part in parts:
            row.update(part.get(code, ()))
        row["last_year_customer_step"] = row["last_year_customers"] - row.pop("_last_year_prev_customers", 0)
        out[code] = row
    return out


def matrix(rows: dict[str, dict], codes: list[str]) -> np.ndarray:
    """The model's input: one row per code, ``FEATURES`` columns, missing readings filled, counts log1p."""
    X = np.empty((len(codes), len(FEATURES)), dtype=np.float64)
    for i, code in enumerate(codes):
        r = rows[code]
        X[i] = [_FILL.get(f, 0.0) if r[f] is None else float(r[f]) for f in FEATURES]
    for j, f in enumerate(FEATURES):
        if f in _LOG:
            X[:, j] = np.log1p(np.maximum(X[:, j], 0))
    return X


def hotspots(month: dt.date) -> dict[str, tuple[int, int]]:
    """{code: (distinct customers, complaints)} of the month's multi-customer 台区 (the label)."""
    start, end = bounds(month)
    acc, cust, dist = _col(WorkOrder, "accepted_at"), _col(WorkOrder, "customer"), _col(WorkOrder, "district")
    sql = (f"SELECT {dist}, COUNT(DISTINCT {cust}), COUNT(*) FROM {_table(WorkOrder)} "
           f"WHERE {_col(WorkOrder, 'is_complaint')} AND {acc} >= %s AND {acc} < %s AND {dist} IS NOT NULL "
           f"GROUP BY {dist} HAVING COUNT(DISTINCT {cust}) >= %s")
    return {code: (u, n) for code, u, n in _fetch(sql, [_dt(start), _dt(end), MULTI_CUSTOMER_MIN])}


def first_complaint_month(before: dt.date) -> dt.date | None:
    """The month of the earliest complaint accepted before ``before`` (only data before it is read)."""
    first = (WorkOrder.objects.filter(is_complaint=True, accepted_at__lt=bounds(before)[0])
             .order_by("accepted_at").values_list("accepted_at", flat=True).first())
    if first is None:
        return None
    return parse_month(first)


# --- model ----------------------------------------------------------------------------------------

MODELS = ("logistic_regression", "gradient_boosting")


def _estimator(kind: str):
    # scikit-learn is heavy to import (~0.5 s): only the processes that train pay for it.
    from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: PLC0415  (heavy, see above)
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  (heavy, see above)
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415  (heavy, see above)
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415  (heavy, see above)
    if kind == "logistic_regression":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=SEED))
    return HistGradientBoostingClassifier(max_iter=120, learning_rate=0.1, max_leaf_nodes=15,
                                          l2_regularization=1.0, early_stopping=False, random_state=SEED)


@dataclass
class Fitted:
    kind: str                 # a MODELS entry, or "constant" when training had one class only
    estimator: object = None
    constant: float = 0.0
    baseline: np.ndarray | None = None   # the median training row (for reasons)

    def proba(self, X: np.ndarray) -> np.ndarray:
        if self.estimator is None:
            return np.full(len(X), self.constant)
        with threadpool_limits(limits=MODEL_THREADS):
            return self.estimator.predict_proba(X)[:, 1]


class Data:
    """Features and hotspots per month, each computed once (a backtest reads the same months again)."""

    def __init__(self, districts: list[tuple[str, int]] | None = None):
        self.districts = district_rows() if districts is None else districts
        self.codes = [c for c, _customers in self.districts]
        self._features: dict[dt.date, dict] = {}
        self._X: dict[dt.date, np.ndarray] = {}
        self._hot: dict[dt.date, dict] = {}
        self._digest: dict[tuple[str, dt.date], str] = {}

    def digest(self, part: str, month: dt.date) -> str:
        """SHA-256 of a month's feature matrix (``part`` "X") or hotspot labels ("y"), rows by 台区 code."""
        key = (part, month)
        if key not in self._digest:
            array = self.X(month) if part == "X" else self.y(month)
            h = hashlib.sha256("\n".join(self.codes).encode())
            h.update(np.ascontiguousarray(array).tobytes())
            self._digest[key] = h.hexdigest()
        return self._digest[key]

    def features(self, month: dt.date) -> dict[str, dict]:
        if month not in self._features:
            self._features[month] = features(month, self.districts)
        return self._features[month]

    def X(self, month: dt.date) -> np.ndarray:
        if month not in self._X:
            self._X[month] = matrix(self.features(month), self.codes)
        return self._X[month]

    def y(self, month: dt.date) -> np.ndarray:
        hot = self.hotspots(month)
        return np.array([c in hot for c in self.codes], dtype=np.int8)

    def hotspots(self, month: dt.date) -> dict[str, tuple[int, int]]:
        if month not in self._hot:
            self._hot[month] = hotspots(month)
        return self._hot[month]


def training_months(month: dt.date, first: dt.date | None) -> list[dt.date]:
    """The ``TRAIN_MONTHS`` months before ``month`` that have complaint data (from ``first`` on)."""
    months = [shift(month, -n) for n in range(TRAIN_MONTHS, 0, -1)]
    return [m for m in months if first is not None and m >= first]


def fit(kind: str, data: Data, months: list[dt.date]) -> Fitted:
    """Train ``kind`` on the features of ``months`` labelled by their hotspots."""
    if not months:
        return Fitted("constant", baseline=np.zeros(len(FEATURES)))
    X = np.vstack([data.X(m) for m in months])
    y = np.concatenate([data.y(m) for m in months])
    baseline = np.median(X, axis=0)
    if y.min() == y.max():
        return Fitted("constant", constant=float(y[0]), baseline=baseline)
    estimator = _estimator(kind)  # imports scikit-learn: its OpenMP runtime must be loaded before the limit
    with threadpool_limits(limits=MODEL_THREADS):
        return Fitted(kind, estimator.fit(X, y), baseline=baseline)


def ranking(codes: list[str], proba: np.ndarray) -> list[int]:
    """Row indexes by probability descending, equal probabilities by 台区 code (the rows are by code)."""
    return sorted(range(len(codes)), key=lambda i: (-proba[i], codes[i]))


# --- backtest -------------------------------------------------------------------------------------

def at_k(ranked: list[str], actual: set[str], k: int) -> tuple[float | None, float | None]:
    """(precision@K, recall@K) of a ranked list: hits among its first K / how many of those there are
    (a baseline flags fewer than K 台区 when fewer were hotspots), hits / actual hotspots. None when
    there is nothing to divide by (an empty list, a month without hotspots)."""
    top = ranked[:k]
    hits = sum(1 for c in top if c in actual)
    precision = round(hits / len(top), 4) if top else None
    recall = round(hits / len(actual), 4) if actual else None
    return precision, recall


def lift(model: float | None, *baselines: float | None) -> float | None:
    """Model precision over the better baseline's; None when neither baseline hit anything."""
    best = max((b for b in baselines if b is not None), default=None)
    if model is None or not best:
        return None
    return round(model / best, 4)


def baseline_list(hot: dict[str, tuple[int, int]]) -> list[str]:
    """A month's hotspots as a baseline ranks them: more customers first, then more complaints, then code."""
    return sorted(hot, key=lambda c: (-hot[c][0], -hot[c][1], c))


def backtest_rows(month: dt.date, ranked_by_model: dict[str, list[str]], data: Data) -> list[dict]:
    """The backtest rows of one month B for each K (``ranked_by_model``: kind → 台区 ranked for B)."""
    actual = set(data.hotspots(month))
    persistence = baseline_list(data.hotspots(shift(month, -1)))
    last_year = baseline_list(data.hotspots(shift(month, -12)))
    rows = []
    for k in KS:
        pp, pr = at_k(persistence, actual, k)
        lp, lr = at_k(last_year, actual, k)
        row = {"month": label(month), "k": k, "actual": len(actual)}
        for kind, ranked in ranked_by_model.items():
            mp, mr = at_k(ranked, actual, k)
            row[kind] = {"precision": mp, "recall": mr, "lift": lift(mp, pp, lp)}
        row.update({"persistence_precision": pp, "persistence_recall": pr,
                    "last_year_precision": lp, "last_year_recall": lr})
        rows.append(row)
    return rows


def fold_key(kind: str, data: Data, train: list[dt.date], month: dt.date) -> str:
    """What a backtest fold's ranking depends on, as one digest: the model and its settings, the
    library that fits it, the training months' features and labels, and the ranked month's features
    (its labels are scored afresh each time). Equal keys give the same ranking: the fits are seeded."""
    import sklearn  # noqa: PLC0415  (heavy; only the processes that train pay for it)

    parts = [kind, repr(sorted(_estimator(kind).get_params(deep=True).items(), key=lambda kv: kv[0])),
             ",".join(FEATURES), f"sklearn {sklearn.__version__}", f"seed {SEED}"]
    parts += [f"{m:%Y-%m} {data.digest('X', m)} {data.digest('y', m)}" for m in train]
    parts.append(f"rank {month:%Y-%m} {data.digest('X', month)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def backtest(month: dt.date, data: Data, first: dt.date | None, *,
             known: dict[str, list[str]] | None = None, used: dict[str, list[str]] | None = None) -> list[dict]:
    """For each of the ``BACKTEST_MONTHS`` months before ``month`` (oldest first) with complaint data:
    every model trained on the months before it, ranked, scored beside the baselines.

    A fold whose inputs are byte for byte those of a fold already run (``known``: fold key → its top
    ranked codes, from the lists stored before, ``stored_folds``) takes that fold's ranking instead of
    training again: next month's list re-runs five of this month's six folds on the same data, and the
    fits are most of a list's time (docs/benchmarks.md). ``used`` collects every fold of this backtest.
    """
    known = known or {}
    rows = []
    for n in range(BACKTEST_MONTHS, 0, -1):
        b = shift(month, -n)
        if first is None or b < first:
            continue
        ranked = {}
        train = training_months(b, first)
        for kind in MODELS:
            key = fold_key(kind, data, train, b)
            if key in known:
                ranked[kind] = list(known[key])
            else:
                fitted = fit(kind, data, train)
                proba = fitted.proba(data.X(b))
                # Only the top max(KS) are ever scored (at_k), so that is what a fold keeps.
                ranked[kind] = [data.codes[i] for i in ranking(data.codes, proba)][:max(KS)]
            if used is not None:
                used[key] = ranked[kind]
        rows += backtest_rows(b, ranked, data)
    return rows


def stored_folds() -> dict[str, list[str]]:
    """The backtest folds of every stored risk list (a read): fold key → top ranked codes."""
    folds: dict[str, list[str]] = {}
    for stored in RiskList.objects.order_by("month").values_list("folds", flat=True):
        folds.update(stored or {})
    return folds


def choose(rows: list[dict]) -> str:
    """The model with the higher mean precision@K over the backtest (every month and K); logistic
    regression, the more transparent one, on a tie or without a backtest."""
    def mean(kind):
        values = [r[kind]["precision"] for r in rows if r[kind]["precision"] is not None]
        return sum(values) / len(values) if values else -1.0
    return max(MODELS, key=lambda kind: (mean(kind), kind == "logistic_regression"))


def backtest_table(rows: list[dict], kind: str) -> list[dict]:
    """The backtest as the CLI prints it: the chosen model's columns beside the baselines."""
    return [{"month": r["month"], "k": r["k"], "model_precision": r[kind]["precision"],
             "persistence_precision": r["persistence_precision"], "last_year_precision": r["last_year_precision"],
             "model_recall": r[kind]["recall"], "persistence_recall": r["persistence_recall"],
             "last_year_recall": r["last_year_recall"], "lift": r[kind]["lift"]} for r in rows]


# --- reasons --------------------------------------------------------------------------------------

def _reason_load(r):
    if r["load_max_3m"] is None:
        return None
    if r["load_trend_3m"] > 0:
        return {"code": "load_rising", "value": r["load_last"]}
    return {"code": "load_max", "value": r["load_max_3m"]}


def _reason_outages(kind):
    def reason(r):
        for days in (60, 90):
            if n := r[f"outages_{days}d_{kind}"]:
                return {"code": "outages", "kind": kind, "days": days, "count": n}
        return None
    return reason


def _reason_complaints(months: int):
    def reason(r):
        n, u = r[f"complaints_{months}m"], r[f"customers_{months}m"]
        return {"code": "complaints", "months": months, "customers": u, "count": n} if n else None
    return reason


def _reason_season(r):
    if not (r["summer"] or r["winter"]):
        return None
    season = "summer" if r["summer"] else "winter"
    if r["last_year_customer_step"] > 0:
        return {"code": "season_customers", "season": season, "value": r["last_year_customer_step"]}
    if r["last_year_load_step"] > 0:
        return {"code": "season_load", "season": season, "value": r["last_year_load_step"]}
    return {"code": "season", "season": season}


def _reason_count(code: str, feature: str):
    return lambda r: {"code": code, "count": r[feature]} if r[feature] else None


# Per feature group: its reason from the 台区's own values, as a code and its numbers (kpis.risk_reasons
# writes the words when they are shown, in the viewer's language), or None when the values say nothing.
REASONS = {
    "load": _reason_load,
    "low_voltage": lambda r: {"code": "voltage_min", "value": r["vmin_3m"]} if r["vmin_3m"] is not None else None,
    "over_voltage": lambda r: {"code": "voltage_max", "value": r["vmax_3m"]} if r["vmax_3m"] is not None else None,
    "outage_fault": _reason_outages("fault"),
    "outage_planned": _reason_outages("planned"),
    "outage_temporary": _reason_outages("temporary"),
    "complaints_1m": _reason_complaints(1),
    "complaints_3m": _reason_complaints(3),
    "complaints_12m": _reason_complaints(12),
    "last_year": lambda r: ({"code": "last_year", "customers": r["last_year_customers"]}
                            if r["last_year_complaints"] else None),
    "season": _reason_season,
    "projects_due": _reason_count("projects_due", "projects_due"),
    "projects_commissioned": _reason_count("projects_commissioned", "projects_commissioned_60d"),
    "incidents": _reason_count("incidents", "incidents_3m"),
    "rectifications": _reason_count("rectifications", "rectifications_overdue"),
    "size": lambda r: {"code": "size", "value": r["district_customers"]} if r["district_customers"] else None,
}
# How the reasons page names each feature and its unit (the model's names never reach the screen).
FEATURE_LABELS = {
    "load_max_3m": (_("近3月最大负载率"), "%"), "load_last": (_("上月最大负载率"), "%"),
    "load_trend_3m": (_("近3月负载率变化（上月减3个月前）"), _("个百分点")),
    "overload_months_3m": (_("近3月过载月数"), _("个月")), "heavy_months_3m": (_("近3月重载月数"), _("个月")),
    "reading_months_3m": (_("近3月有负载数据的月数"), _("个月")),
    "vmin_3m": (_("近3月最低电压"), "V"), "low_voltage_months_3m": (_("近3月低电压月数"), _("个月")),
    "vmax_3m": (_("近3月最高电压"), "V"), "over_voltage_months_3m": (_("近3月过电压月数"), _("个月")),
    "outages_60d_fault": (_("近60天故障停电"), _("次")), "outages_90d_fault": (_("近90天故障停电"), _("次")),
    "outages_60d_planned": (_("近60天计划停电"), _("次")), "outages_90d_planned": (_("近90天计划停电"), _("次")),
    "outages_60d_temporary": (_("近60天临时停电"), _("次")),
    "outages_90d_temporary": (_("近90天临时停电"), _("次")),
    "complaints_1m": (_("上月投诉"), ""), "customers_1m": (_("上月投诉客户"), _("户")),
    "complaints_3m": (_("近3月投诉"), ""), "customers_3m": (_("近3月投诉客户"), _("户")),
    "complaints_12m": (_("近12月投诉"), ""), "customers_12m": (_("近12月投诉客户"), _("户")),
    "last_year_complaints": (_("去年同月投诉"), ""), "last_year_customers": (_("去年同月投诉客户"), _("户")),
    "summer": (_("迎峰度夏月份（6—9月）"), ""), "winter": (_("迎峰度冬月份（12—2月）"), ""),
    "last_year_load_step": (_("去年同月负载率比上月变化"), _("个百分点")),
    "last_year_customer_step": (_("去年同月投诉客户比上月变化"), _("户")),
    "projects_due": (_("计划本月底前投运、尚未投运的工程"), ""),
    "projects_commissioned_60d": (_("近60天投运的工程"), ""),
    "incidents_3m": (_("近3月供电瓶颈事件"), ""), "rectifications_overdue": (_("逾期未完成的整改"), ""),
    "district_customers": (_("用户数"), _("户")),
}
GROUP_LABELS = {
    "load": _("负载"), "low_voltage": _("低电压"), "over_voltage": _("过电压"), "outage_fault": _("故障停电"),
    "outage_planned": _("计划停电"), "outage_temporary": _("临时停电"), "complaints_1m": _("上月投诉"),
    "complaints_3m": _("近3月投诉"), "complaints_12m": _("近12月投诉"), "last_year": _("去年同月投诉"),
    "season": _("季节"), "projects_due": _("待投运工程"), "projects_commissioned": _("新投运工程"),
    "incidents": _("供电瓶颈事件"), "rectifications": _("逾期整改"), "size": _("台区规模"),
}
_GROUP_COLUMNS = {g: [FEATURES.index(f) for f in fs] for g, fs in GROUPS.items()}


def contributions(fitted: Fitted, X: np.ndarray) -> dict[str, np.ndarray]:
    """Per feature group: the probability minus the probability with the group set to the median
    training row (how much of the risk that group accounts for, in probability points)."""
    if fitted.estimator is None:
        return {g: np.zeros(len(X)) for g in GROUPS}
    base = fitted.proba(X)
    out = {}
    for group, cols in _GROUP_COLUMNS.items():
        ablated = X.copy()
        ablated[:, cols] = fitted.baseline[cols]
        out[group] = base - fitted.proba(ablated)
    return out


def explained(row: dict, contrib: dict[str, float], limit: int = TOP_REASONS) -> list[dict]:
    """The groups that raise this 台区's probability the most (ties by group order), each as
    ``{"group", "reason", "points"}``: its reason (``REASONS``) and the probability it accounts for (0–1)."""
    order = sorted((g for g in GROUPS if contrib[g] > 1e-4), key=lambda g: (-contrib[g], list(GROUPS).index(g)))
    out = []
    for g in order:
        reason = REASONS[g](row)
        if reason:
            out.append({"group": g, "reason": reason, "points": round(contrib[g], 4)})
        if len(out) == limit:
            break
    return out


# --- the list -------------------------------------------------------------------------------------

@dataclass
class RiskResult:
    month: dt.date
    model: str
    entries: list[dict] = field(default_factory=list)   # by rank: code, probability, reasons (codes), features
    backtest_rows: list[dict] = field(default_factory=list)   # both models and the baselines
    backtest: list[dict] = field(default_factory=list)        # the chosen model's table (CLI shape)
    folds: dict[str, list[str]] = field(default_factory=dict)  # the backtest's folds (fold key → top codes)


def predict(month: dt.date, *, data: Data | None = None, reuse: bool = True) -> RiskResult:
    """The risk list of ``month`` from data dated before it: backtest both models, keep the better,
    train it on the months before ``month``, rank every 台区 with its reasons. ``reuse``: take the
    rankings of backtest folds already stored with the same inputs (False: train every fold; the
    bench's cold case)."""
    data = data or Data()
    first = first_complaint_month(month)
    folds: dict[str, list[str]] = {}
    rows = backtest(month, data, first, known=stored_folds() if reuse else {}, used=folds)
    kind = choose(rows)
    fitted = fit(kind, data, training_months(month, first))
    X = data.X(month)
    proba = fitted.proba(X)
    contrib = contributions(fitted, X)
    feats = data.features(month)
    entries = []
    for rank, i in enumerate(ranking(data.codes, proba), start=1):
        code = data.codes[i]
        why = explained(feats[code], {g: float(c[i]) for g, c in contrib.items()})
        entries.append({"code": code, "rank": rank, "probability": round(float(proba[i]), 4),
                        "reasons": [r["reason"] for r in why], "explanation": why, "features": feats[code]})
    return RiskResult(month, fitted.kind, entries, rows, backtest_table(rows, kind), folds)


# --- the read-out (early_warning --json) ------------------------------------------------------------

def _managers(codes: list[str]) -> dict[str, str | None]:
    """台区经理 by 台区: the one in office today, 「姓名（工号）」 (grid.selectors); every 台区 in one read,
    like the stations (a list of 20,000 codes would exceed SQLite's parameter limit)."""
    return current_managers() if codes else {}


def readout(month: dt.date, *, top: int | None = None) -> dict:
    """The risk list of ``month`` as ``early_warning --json`` prints it (docs/interfaces.md).

    A read: the stored list when it was computed at the current data version, else computed now
    from the same data (nothing is stored; ``compute_risk_list`` stores). Either way the same data
    gives the same list, so the two agree. Reasons are printed as words in the active language
    (the command's ``--language``, Chinese by default).
    """
    month = month.replace(day=1)
    version = freshness.current()
    stored = RiskList.objects.filter(month=month, data_version=version).first()
    if stored is not None:
        model, backtest_ = stored.model, stored.backtest
        entries = [{"code": code, "probability": p, "reasons": r} for code, p, r in
                   stored.entries.order_by("rank").values_list("district_id", "probability", "reasons")[:top]]
    else:
        result = predict(month)
        model, backtest_ = result.model, result.backtest
        entries = [{"code": e["code"], "probability": e["probability"], "reasons": e["reasons"]}
                   for e in result.entries[:top]]
    codes = [e["code"] for e in entries]
    # Every 台区's station in one read (a list of 20,000 codes would exceed SQLite's parameter limit).
    stations = dict(District.objects.values_list("code", "station__name")) if codes else {}
    managers = _managers(codes)
    return {"month": label(month), "data_version": version, "model": model,
            "districts": [{"code": e["code"], "station": stations.get(e["code"]), "manager": managers.get(e["code"]),
                           "probability": e["probability"], "reasons": risk_reasons.texts(e["reasons"])}
                          for e in entries],
            "backtest": backtest_}
