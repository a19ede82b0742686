"""The access-control matrix: every role × every URL of the URL conf (pages, exports,
downloads, API), with the expected status.

The URL list is read from the URL conf, so a new URL without a rule here fails
``test_every_url_has_a_rule`` naming it. Objects of another unit (city B; the
scoped users belong to city A) must answer 404 exactly as ids that do not exist.
"""
from typing import Callable, NamedTuple

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.fixtures.world import ROLES

pytestmark = pytest.mark.django_db

USERS = ROLES[:-1]  # analyst, dept_head, leader, auditor, admin
MISSING = 987654321  # an id no object has


def everyone(status=200, *, anon=302, **override) -> dict:
    return {**{r: status for r in USERS}, "anonymous": anon, **override}


def only(*roles, ok=200, other=403, anon=302, **override) -> dict:
    return {**{r: ok if r in roles else other for r in USERS}, "anonymous": anon, **override}


SCOPED_404 = {"dept_head": 404, "leader": 404}  # city A users asking for city B's objects


class Case(NamedTuple):
    expect: dict
    kwargs: Callable | None = None
    query: str = ""
    method: str = "get"
    data: dict | None = None
    label: str = ""


def C(expect, kwargs=None, query="", method="get", data=None, label=""):
    return Case(expect, kwargs, query, method, data, label)


API = dict(anon=401)
RULES: dict[str, list[Case]] = {
    # --- authentication and the user's own pages -----------------------------------------
    "home": [C(everyone())],
    "favicon": [C(everyone(302, anon=302))],
    "login": [C(everyone(anon=200))],
    "logout": [C(everyone(405, anon=405), label="GET"), C(everyone(302, anon=302), method="post")],
    "password_change": [C(everyone()), C(everyone(200), method="post", data={}, label="invalid form")],
    "password_change_done": [C(everyone())],
    "profile": [C(everyone())],
    "notifications": [C(everyone())],
    "notifications_read": [C(everyone(302), method="post", data={})],
    "audit_log": [C(only("auditor", "admin")), C(only("auditor", "admin"), query="export=csv", label="export")],
    # --- background exports: the owner's only (tests/core/test_exports_large.py follows one through) ----
    "export_start": [C(everyone(404), method="post", data={"path": "/scorecard/trace/", "query": "export=csv"},
                       label="not an export page"), C(everyone(405), label="GET")],
    "export_status": [C(everyone(404), lambda w: {"pk": MISSING})],
    "export_download": [C(everyone(404), lambda w: {"pk": MISSING})],
    "admin:index": [C(only("admin", anon=302))],
    # --- imports: analysts upload; auditors read the list and the jobs, post nothing ---------
    "imports:list": [C(only("analyst", "auditor")), C(only("analyst"), method="post", data={}, label="upload")],
    "imports:detail": [C(only("analyst", "auditor"), lambda w: {"pk": w.job.pk})],
    "imports:status": [C(only("analyst", "auditor"), lambda w: {"pk": w.job.pk})],
    "imports:errors": [C(only("analyst", "auditor"), lambda w: {"pk": w.job.pk})],
    "imports:confirm": [  # the job is no passed check: an analyst is sent back to its page
        C(only("analyst", ok=302), lambda w: {"pk": w.job.pk}, method="post", data={}),
        C(everyone(405, anon=405), lambda w: {"pk": w.job.pk}, label="GET"),
    ],
    # --- analysis: scoped figures, drill-down and exports ------------------------------------
    "analysis:profile": [
        C(everyone(), query="month=2024-07"),
        C(everyone(), query=lambda w: f"month=2024-07&unit={w.a.pk}", label="own city"),
        C(everyone(**SCOPED_404), query=lambda w: f"month=2024-07&unit={w.b.pk}", label="other city"),
        C(everyone(404), query=f"month=2024-07&unit={MISSING}", label="missing unit"),
        C(everyone(), query="month=2024-07&_table=multi&_export=csv", label="hotspot export"),
    ],
    "analysis:orders": [
        C(everyone(), query="month=2024-07"),
        C(everyone(**SCOPED_404), query=lambda w: f"month=2024-07&unit={w.b.pk}", label="other city"),
        C(everyone(), query="month=2024-07&_export=csv", label="export csv"),
        C(everyone(), query="month=2024-07&_export=xlsx", label="export xlsx"),
    ],
    "analysis:sensitive": [
        C(only("analyst", ok=302), lambda w: {"customer_no": "CA1"}, method="post", data={"sensitive": "1"}),
        C(everyone(405, anon=405), lambda w: {"customer_no": "CA1"}, label="GET"),
    ],
    # The pickers' data: every signed-in user, each gets their own units / city companies' feeders.
    "analysis:units": [C(everyone())],
    "analysis:feeders": [C(everyone(), query="q=线")],
    # --- work orders: the detail page (who may list it may open it) and the search ----------------
    "orders:detail": [
        C(everyone(), lambda w: {"order_no": "O-A-YJ"}, label="own"),
        C(everyone(dept_head=404), lambda w: {"order_no": "O-A-YX"}, label="own city, another department"),
        C(everyone(**SCOPED_404), lambda w: {"order_no": "O-B-YJ"}, label="other city"),
        C(everyone(404), lambda w: {"order_no": "NO-SUCH-ORDER"}, label="missing"),
    ],
    "orders:search": [
        C(everyone(), query="q=TQA01"),
        # Another city's order number opens it for whoever may see it (302), not for scoped users; that their
        # results show none of it is tests/orders (the echoed term would be a false marker here).
        # Part of city B's 台区 name (the echoed term itself is no marker of city B's data).
        C(everyone(), query="q=B01台区", label="another city's 台区 name"),
    ],
    # --- scorecard, department, incidents, appeals --------------------------------------------
    "kpis:scorecard": [
        C(everyone(), query="month=2024-07"),
        C(everyone(), query="month=2024-07&table=units&export=csv", label="export units"),
        C(everyone(), query="month=2024-07&table=departments&export=xlsx", label="export departments"),
    ],
    "kpis:department": [
        C(everyone(), lambda w: {"city_id": w.a.pk, "dept_code": "yj"}, "month=2024-07", label="own"),
        C(everyone(dept_head=404), lambda w: {"city_id": w.a.pk, "dept_code": "yx"}, "month=2024-07",
          label="own city, other department"),
        C(everyone(**SCOPED_404), lambda w: {"city_id": w.b.pk, "dept_code": "yj"}, "month=2024-07",
          label="other city"),
        C(everyone(404), lambda w: {"city_id": MISSING, "dept_code": "yj"}, "month=2024-07", label="missing"),
    ],
    # The drill-down below the city (issue #18): a unit of one's own city opens; another city's is a 404.
    "kpis:drill": [
        C(everyone(), lambda w: {"unit_id": w.a.pk}, "month=2024-07", label="own city"),
        C(everyone(**SCOPED_404), lambda w: {"unit_id": w.b.pk}, "month=2024-07", label="other city"),
        C(everyone(404), lambda w: {"unit_id": MISSING}, "month=2024-07", label="missing"),
        C(everyone(), lambda w: {"unit_id": w.a.pk}, "month=2024-07&export=csv", label="export own city"),
        C(everyone(), lambda w: {"unit_id": w.a.pk}, "month=2024-07&table=managers&export=xlsx",
          label="export own city's managers"),
        C(everyone(**SCOPED_404), lambda w: {"unit_id": w.b.pk}, "month=2024-07&export=csv", label="export other city"),
        C(everyone(**SCOPED_404), lambda w: {"unit_id": w.b.pk}, "month=2024-07&table=managers&export=xlsx",
          label="export other city's managers"),
    ],
    "kpis:incidents": [
        C(everyone(), query="month=2024-07"),
        C(everyone(), query="month=2024-07&export=csv", label="export"),
    ],
    "kpis:incident": [
        C(everyone(), lambda w: {"pk": w.incident_a.pk}, label="own"),
        C(everyone(**SCOPED_404), lambda w: {"pk": w.incident_b.pk}, label="other city"),
        C(everyone(404), lambda w: {"pk": MISSING}, label="missing"),
        C(only("analyst", "dept_head"), lambda w: {"pk": w.incident_a.pk}, method="post", data={},
          label="update rectification (invalid form)"),
    ],
    "kpis:appeals": [C(everyone())],
    # --- the monthly cycle: analysts (and administrators) trace and declare the cutoff --------
    "kpis:trace": [
        C(only("analyst", "admin", ok=302), method="post", data={"month": "2024-08"}),
        C(everyone(405), label="GET"),
    ],
    "kpis:cutoff": [
        C(only("analyst", "admin", ok=302), method="post", data={"month": "2024-08"}),
        C(everyone(405), label="GET"),
    ],
    "kpis:appeal_new": [
        C(only("dept_head"), lambda w: {"order_id": w.order_a.pk}, label="own complaint"),
        C(only("dept_head", ok=404), lambda w: {"order_id": w.order_a_yx.pk}, label="own city, other department"),
        C(only(ok=403, leader=404, dept_head=404), lambda w: {"order_id": w.order_b.pk}, label="other city"),
        C(everyone(404), lambda w: {"order_id": MISSING}, label="missing"),
    ],
    "kpis:appeal": [
        C(everyone(), lambda w: {"pk": w.appeal_a.pk}, label="own"),
        C(everyone(**SCOPED_404), lambda w: {"pk": w.appeal_b.pk}, label="other city"),
        C(everyone(404), lambda w: {"pk": MISSING}, label="missing"),
    ],
    "kpis:deduction_appeal_new": [
        C(only("dept_head"), lambda w: {"pk": w.deduction_a.pk}, label="own department"),
        C(only(dept_head=404), lambda w: {"pk": w.deduction_b.pk}, label="other city"),
        C(only(dept_head=404), lambda w: {"pk": MISSING}, label="missing"),
    ],
    "kpis:verify": [  # analysts judge every city's complaints; the others may not even probe ids
        C(only("analyst"), lambda w: {"order_id": w.order_a.pk}, label="a complaint"),
        C(only("analyst"), lambda w: {"order_id": w.order_b.pk}, label="city B"),
        C(only(analyst=404), lambda w: {"order_id": MISSING}, label="missing"),
    ],
    # The risk list (issue #18): everyone reads it within their scope; only analysts ask a worker for one.
    "kpis:risk": [C(everyone(), query="month=2024-07")],
    "kpis:seasonal": [C(everyone())],
    "kpis:seasonal_compute": [
        C(only("analyst", ok=302), method="post", data={"season": "summer", "year": "2025"}),
        C(everyone(405), label="GET"),
    ],
    "kpis:risk_compute": [
        C(only("analyst", ok=302), method="post", data={"month": "2024-07"}),
        C(everyone(405), label="GET"),
    ],
    "kpis:risk_district": [
        C(everyone(), lambda w: {"code": "TQA01"}, "month=2024-07", label="own"),
        C(everyone(**SCOPED_404), lambda w: {"code": "TQB01"}, "month=2024-07", label="other city"),
        C(everyone(404), lambda w: {"code": "NO-SUCH"}, "month=2024-07", label="missing"),
    ],
    "kpis:deductions": [
        C(everyone(), query="month=2024-07"),
        C(everyone(), query="month=2024-07&export=csv", label="export"),
    ],
    "kpis:deduction_new": [
        C(only("analyst", ok=302), method="post", data={}, label="invalid form"),
        C(everyone(405), label="GET"),
    ],
    "kpis:appeal_decide": [
        C(only("analyst", ok=302), lambda w: {"pk": w.appeal_a.pk}, method="post", data={}),
        C(only("analyst", ok=404), lambda w: {"pk": MISSING}, method="post", data={}, label="missing"),
        C(everyone(405, anon=405), lambda w: {"pk": w.appeal_a.pk}, label="GET"),
    ],
    # --- 预警工单 (issue #18): the city A 运检 head is the one world user an order of city A is addressed to ---
    "kpis:warnings": [C(everyone()), C(everyone(), query="status=pending&page=2", label="filtered")],
    "kpis:warning": [
        C(everyone(), lambda w: {"pk": w.warning_a.pk}, label="own"),
        C(everyone(**SCOPED_404), lambda w: {"pk": w.warning_b.pk}, label="other city"),
        C(everyone(404), lambda w: {"pk": MISSING}, label="missing"),
    ],
    "kpis:warning_create": [
        C(only("analyst"), query="district=TQA01&month=2024-08"),
        C(only("analyst"), method="post", data={}, label="invalid form"),
    ],
    **{name: [
        C(only("dept_head", ok=302), lambda w: {"pk": w.warning_a.pk}, method="post", data={}),
        C(only("dept_head", ok=404), lambda w: {"pk": w.warning_b.pk}, method="post", data={}, label="other city"),
        C(everyone(405, anon=405), lambda w: {"pk": w.warning_a.pk}, label="GET"),
    ] for name in ("kpis:warning_acknowledge", "kpis:warning_action", "kpis:warning_close")},
    # --- notices ------------------------------------------------------------------------------
    "notices:list": [C(everyone())],
    "notices:rankings": [C(everyone())],
    "notices:generate": [
        C(only("analyst", "admin", ok=302), method="post", data={"month": ""}),
        C(everyone(405), label="GET"),
    ],
    "notices:status": [
        C(everyone(), lambda w: {"pk": w.published.pk}, label="published"),
        # The month's draft: department heads and leaders read the draft they may appeal against.
        C(everyone(), lambda w: {"pk": w.draft.pk}, label="draft"),
    ],
    "notices:requirements": [  # the draft's 工作要求: those who generate and publish notices
        C(only("analyst", "admin", ok=302), lambda w: {"pk": w.draft.pk}, method="post", data={}),
        C(everyone(405), lambda w: {"pk": w.draft.pk}, label="GET"),
    ],
    "notices:publish": [
        C(only("analyst", "admin", ok=409), lambda w: {"pk": w.draft.pk}, method="post", data={}),
    ],
    "notices:download": [
        C(everyone(), lambda w: {"pk": w.published.pk}, label="published"),
        C(everyone(), lambda w: {"pk": w.draft.pk}, label="draft"),
        C(everyone(404), lambda w: {"pk": MISSING}, label="missing"),
    ],
    "notices:snapshot": [
        C(everyone(), lambda w: {"pk": w.published.pk}, label="published"),
        C(everyone(), lambda w: {"pk": w.draft.pk}, label="draft"),
        C(everyone(404), lambda w: {"pk": MISSING}, label="missing"),
        C(everyone(405, auditor=403), lambda w: {"pk": w.published.pk}, method="post", data={}, label="POST"),
    ],
    "notices:verify": [
        C(only("analyst", "auditor", "admin")),
        C(only("analyst", "auditor", "admin"), method="post", data={}, label="no file"),
    ],
    # --- JSON API -----------------------------------------------------------------------------
    "api:scorecard": [
        C(everyone(**API), query="month=2024-07"),
        C(everyone(405, auditor=403, **API), method="post", data={}, label="write refused"),  # 405: no handler but GET
    ],
    "api:profile": [
        C(everyone(**API), query="month=2024-07"),
        C(everyone(**SCOPED_404, **API), query=lambda w: f"month=2024-07&unit={w.b.pk}", label="other city"),
    ],
    "api:incidents": [C(everyone(**API), query="month=2024-07")],
    "api:incident": [
        C(everyone(**API), lambda w: {"pk": w.incident_a.pk}, label="own"),
        C(everyone(**SCOPED_404, **API), lambda w: {"pk": w.incident_b.pk}, label="other city"),
        C(everyone(404, **API), lambda w: {"pk": MISSING}, label="missing"),
    ],
    "api:index": [C(everyone(**API))],
    "api:schema": [C(everyone(**API))],
    "api:docs": [C(everyone(**API))],
    "api_not_found": [C(everyone(404, anon=404)), C(everyone(404, anon=404, auditor=403), method="post", data={}, label="POST")],  # auditors post nothing
}

# Not product URLs: Django's language switch. The admin's internal URLs are covered by
# admin:index (one site-wide rule, ScorecardAdminSite.admin_view) and test_admin_site_*.
SKIPPED = {"set_language"}
# Redirects that are not to the login page: /favicon.ico → the static file, for anyone.
PUBLIC_REDIRECTS = {"favicon"}


def url_names(patterns=None, namespace=None):
    """(name, route) for every URL pattern, walking included URL confs."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace) or namespace
            yield from ((n, str(p.pattern) + r) for n, r in url_names(p.url_patterns, ns))
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, str(p.pattern)


def _in_admin(name, route):
    return route.startswith("admin/") and name != "admin:index"


def rule_problems() -> list[str]:
    found = [(n, r) for n, r in url_names() if not _in_admin(n, r) and n not in SKIPPED]
    problems = [f"URL pattern {r!r} has no name (name it and add a rule to RULES)" for n, r in found if not n]
    problems += [f"URL {n!r} has no access rule in tests/accounts/test_access_matrix.py RULES"
                 for n in sorted({n for n, _ in found if n and n not in RULES})]
    return problems


def test_every_url_has_a_rule():
    problems = rule_problems()
    assert not problems, "\n".join(problems)


def test_a_new_url_without_a_rule_is_named(settings):
    settings.ROOT_URLCONF = "tests.accounts.urls_with_extra"
    assert rule_problems() == [
        "URL pattern 'unnamed/' has no name (name it and add a rule to RULES)",
        "URL 'brand_new' has no access rule in tests/accounts/test_access_matrix.py RULES",
    ]


def _path(name, case, world):
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
    query = case.query(world) if callable(case.query) else case.query
    return url + (f"?{query}" if query else "")


@pytest.mark.parametrize("name", sorted(RULES))
def test_access_matrix(name, world):
    if name not in {n for n, _ in url_names()}:
        pytest.skip(f"{name} is not in this URL conf")
    wrong = []
    for case in RULES[name]:
        assert set(case.expect) == set(ROLES), f"{name} {case.label}: a status for every role"
        path = _path(name, case, world)
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            resp = getattr(client, case.method)(path, case.data or {})
            want = case.expect[role]
            if resp.status_code != want:
                wrong.append(f"{role:<9} {case.method.upper()} {path} [{case.label}]: {resp.status_code}, want {want}")
            elif role == "anonymous" and want == 302 and name not in PUBLIC_REDIRECTS:
                assert "login" in resp["Location"], f"{path}: anonymous redirected to {resp['Location']}"
    assert not wrong, "\n".join(wrong)
