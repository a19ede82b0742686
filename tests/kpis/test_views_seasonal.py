"""The seasonal risk list page (issue #18): a read of the stored entries only, scoped by role, filtered,
sorted and paged in the database (more than 900 rows: none dropped); an analyst may ask a worker for a
list, everyone else is refused."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.grid.models import District, LoadReading, OrgUnit
from scorecard.kpis import services
from scorecard.kpis.models import SeasonalRiskList
from tests.fixtures.factories import city, dept, district, project, reading

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")
URL = "/scorecard/risk/seasonal/"
N_BULK = 950   # 长沙's 台区 beyond the hand-made ones: more than the 900 the page used to keep


@pytest.fixture
def world():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    wc = OrgUnit.objects.create(name="望城县供电公司", level="county", parent=cs)
    ny = OrgUnit.objects.create(name="宁乡县供电公司", level="county", parent=cs)
    # Hand-made: A overload with a project in time, B heavy load with a late one, C low voltage without one
    # (all in 望城), N overload in 宁乡, Z overload in 株洲.
    a, b, c, n = (district(code, cs) for code in ("TQA", "TQB", "TQC", "TQN"))
    z = district("TQZ", zz)
    District.objects.filter(code__in=["TQA", "TQB", "TQC"]).update(county=wc)
    District.objects.filter(code="TQN").update(county=ny)
    reading(a, "2024-07", load=130)
    reading(b, "2024-07", load=85)
    reading(c, "2024-07", load=40, vmin=185)
    reading(n, "2024-07", load=125)
    reading(z, "2024-07", load=128)
    project(a, planned="2025-05-20")
    project(b, planned="2025-07-01")
    # The bulk: 长沙 台区 without a county, heavy load 90.00 … 99.49 (below A, N, Z; above B), ranked after them.
    District.objects.bulk_create([District(code=f"TQX{i:04d}", name=f"X{i}台区", city=cs, customers=100)
                                  for i in range(N_BULK)])
    LoadReading.objects.bulk_create([LoadReading(district_id=f"TQX{i:04d}", month=dt.date(2024, 7, 1),
                                                 max_load_pct=99.49 - i * 0.01, min_voltage=215, max_voltage=228)
                                     for i in range(N_BULK)])
    yj = dept("运检")
    users = {
        "analyst": User.objects.create_user("sv-analyst", password="pw", role="analyst"),
        "auditor": User.objects.create_user("sv-auditor", password="pw", role="auditor"),
        "head": User.objects.create_user("sv-head", password="pw", role="dept_head", org_unit=cs, department=yj),
        "county": User.objects.create_user("sv-county", password="pw", role="leader", org_unit=wc),
        "ny": User.objects.create_user("sv-ny", password="pw", role="leader", org_unit=ny),
        "zz": User.objects.create_user("sv-zz", password="pw", role="leader", org_unit=zz),
    }
    return {"cs": cs, "zz_city": zz, "wc": wc, "ny": ny, **users}


@pytest.fixture
def stored(world):
    services.compute_seasonal_list(season="summer", year=2025)
    return world


def _get(client, user, query=""):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(URL + ("?" + query if query else ""))
    # The session's own refresh (database sessions on PostgreSQL) is not a write of the page's.
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]]
    assert resp.status_code == 200 and writes == []
    return resp.content.decode()


def _total(html) -> int:
    return int(re.search(r"共 ([\d,]+) 个台区", html).group(1).replace(",", ""))


def _codes(html) -> list[str]:
    if 'id="seasonal-table"' not in html:
        return []
    table = html[html.index('id="seasonal-table"'):]
    return re.findall(r"<td >(TQ[A-Z0-9]+)<br>", table)


def test_each_role_sees_its_own_districts_and_a_get_writes_nothing(client, stored):
    html = _get(client, stored["analyst"], "list=2025-summer")
    assert _total(html) == N_BULK + 5 and _codes(html)[:3] == ["TQA", "TQZ", "TQN"]
    assert _total(_get(client, stored["auditor"])) == N_BULK + 5
    # A department head: their city company's 台区 (a risk is a 台区's, not yet a department's), not 株洲's.
    assert _total(_get(client, stored["head"])) == N_BULK + 4
    assert _codes(_get(client, stored["head"], "district=TQZ")) == []
    assert _codes(_get(client, stored["head"], "district=TQX0949")) == ["TQX0949"]
    # A county leader: their county's three; the other county's leader only theirs; 株洲 only 株洲's.
    assert sorted(_codes(_get(client, stored["county"]))) == ["TQA", "TQB", "TQC"]
    assert _codes(_get(client, stored["ny"])) == ["TQN"]
    assert _codes(_get(client, stored["zz"])) == ["TQZ"]
    # Nobody but analysts sees the compute button.
    assert 'id="seasonal-compute"' not in _get(client, stored["zz"])
    assert 'id="seasonal-compute"' in _get(client, stored["analyst"])
    assert 'id="seasonal-compute"' not in _get(client, stored["head"])


def test_without_a_list_the_page_says_so(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        html = _get(client, world["analyst"])
    assert "尚未计算迎峰风险清单" in html and callbacks == [] and not SeasonalRiskList.objects.exists()


def test_filters(client, stored):
    analyst = stored["analyst"]
    assert _codes(_get(client, analyst, f"county={stored['wc'].pk}&sort=district")) == ["TQA", "TQB", "TQC"]
    assert _codes(_get(client, analyst, f"city={stored['zz_city'].pk}")) == ["TQZ"]
    assert _total(_get(client, analyst, f"city={stored['cs'].pk}")) == N_BULK + 4
    assert _codes(_get(client, analyst, "risk=overload")) == ["TQA", "TQZ", "TQN"]
    assert _codes(_get(client, analyst, "risk=low_voltage")) == ["TQC"]
    assert _total(_get(client, analyst, "risk=heavy_load")) == N_BULK + 1
    assert _codes(_get(client, analyst, "project=in_time")) == ["TQA"]
    assert _codes(_get(client, analyst, "project=late")) == ["TQB"]
    assert _total(_get(client, analyst, "project=none")) == N_BULK + 3
    assert _codes(_get(client, analyst, "district=TQX0949")) == ["TQX0949"]
    assert _codes(_get(client, analyst, f"county={stored['wc'].pk}&risk=heavy_load&project=late")) == ["TQB"]
    # The project's details and status are on the row.
    html = _get(client, analyst, "project=in_time")
    assert "项目按期投运" in html and "计划2025-05-20 · 及时" in html
    # A county leader may not widen the list to another county or city: the choice is refused, nothing shown.
    assert _total(_get(client, stored["county"], f"county={stored['ny'].pk}")) == 0
    assert _total(_get(client, stored["county"], f"city={stored['zz_city'].pk}")) == 0


def test_paging_and_sorting_keep_every_row_beyond_900(client, stored):
    analyst = stored["analyst"]
    total = N_BULK + 5
    pages = -(-total // 50)
    last = _get(client, analyst, f"page={pages}")
    assert _codes(last)[-3:] == ["TQX0949", "TQB", "TQC"] and len(_codes(last)) == total - 50 * (pages - 1)
    # Every row is on exactly one page.
    seen = [code for page in range(1, pages + 1) for code in _codes(_get(client, analyst, f"page={page}"))]
    assert len(seen) == len(set(seen)) == total
    html = _get(client, analyst, "sort=-expected_peak")
    assert _codes(html)[:3] == ["TQA", "TQZ", "TQN"]
    html = _get(client, analyst, "sort=expected_peak")
    assert _codes(html)[0] == "TQC"                     # no load risk, 40 %: lowest expected peak
    assert _codes(_get(client, analyst, "sort=-district"))[0] == "TQZ"
    # The figures print by their kind: rates with 2 decimals, the voltage with one.
    html = _get(client, analyst, "risk=low_voltage")
    assert "185.0" in html and "40.00" in html
    # A low-voltage-only row (no load risk) still names its risk; overload and its project on A's row.
    assert '<td ><span class="nowrap">低电压</span></td>' in html
    html = _get(client, analyst, "district=TQA")
    assert '<td ><span class="nowrap">过载</span></td>' in html and "项目按期投运" in html
    assert "计划2025-05-20 · 及时" in html


def test_only_an_analyst_may_enqueue_the_computation(client, world, django_capture_on_commit_callbacks):
    for role in ("head", "county", "auditor", "zz"):
        client.force_login(world[role])
        with django_capture_on_commit_callbacks() as callbacks:
            assert client.post(URL + "compute/", {"season": "summer", "year": "2025"}).status_code == 403
        assert callbacks == []
    client.force_login(world["analyst"])
    assert client.get(URL + "compute/").status_code == 405
    assert client.post(URL + "compute/", {"season": "spring", "year": "2025"}).status_code == 400
    assert client.post(URL + "compute/", {"season": "summer", "year": "25x"}).status_code == 400
    with django_capture_on_commit_callbacks() as callbacks:   # sent on commit, not run here
        resp = client.post(URL + "compute/", {"season": "winter", "year": "2025"})
    assert resp.status_code == 302 and resp["Location"] == URL + "?list=2025-winter"
    assert len(callbacks) == 1 and not SeasonalRiskList.objects.exists()
    # What the worker then runs: the task the beat job sends, with the season and year asked for.
    from scorecard.kpis import tasks
    assert tasks.compute_seasonal_list.run("winter", 2025, "requested by sv-analyst") == "2025-winter"


def _exported(client, user, query):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(URL + "?" + query)
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]]
    assert resp.status_code == 200 and writes == []
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return resp, body


def test_the_export_is_the_pages_rows_every_page_of_them_in_the_viewers_scope(client, stored):
    import csv
    import io

    resp, body = _exported(client, stored["analyst"], "list=2025-summer&export=csv")
    assert 'filename="seasonal-2025-summer.csv"' in resp["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排名", "台区", "供电所"]
    assert len(rows) - 1 == N_BULK + 5  # not one page of 50: every row
    assert [r[1] for r in rows[1:4]] == ["TQA", "TQZ", "TQN"] and rows[-1][1] == "TQC"
    assert {r[1]: r[5] for r in rows[1:]}["TQC"] == "低电压"  # the risk as words (the page shows badges)
    # The filters and the sort of the page apply; a county leader's file holds their county's 台区 only.
    _, body = _exported(client, stored["analyst"], f"county={stored['wc'].pk}&sort=district&export=csv")
    assert [r[1] for r in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:] == ["TQA", "TQB", "TQC"]
    _, body = _exported(client, stored["county"], "export=csv")
    assert sorted(r[1] for r in list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]) == ["TQA", "TQB", "TQC"]
    _, body = _exported(client, stored["zz"], "export=xlsx")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["TQZ"]
    # The page links the export with its filters (and not the page number).
    html = _get(client, stored["analyst"], f"county={stored['wc'].pk}&page=1")
    assert f'href="?county={stored["wc"].pk}&amp;export=csv"' in html


def test_an_export_without_a_list_is_the_page_that_says_so(client, world):
    assert "尚未计算迎峰风险清单" in _get(client, world["analyst"], "export=csv")
