"""The drill-down's exports (#18): the children and the 台区经理 ranking as CSV and XLSX, scoped like the page,
the same figures, and where they come from in every row."""
import pytest

from scorecard.core.exports import read_rows
from scorecard.kpis import services

from tests.kpis.test_selectors_drilldown import OCT, world  # noqa: F401  (the hand-made county world)

pytestmark = pytest.mark.django_db


def download(client, unit, query):
    resp = client.get(f"/scorecard/units/{unit.pk}/?month=2024-10&{query}")
    assert resp.status_code == 200, resp.status_code
    fmt = "xlsx" if "xlsx" in query else "csv"
    return resp, read_rows(b"".join(resp.streaming_content) if resp.streaming else resp.content, fmt)


def test_the_children_and_the_managers_export_as_on_the_page(world, client):  # noqa: F811
    client.force_login(world["users"]["analyst"])
    resp, rows = download(client, world["cs"], "export=csv")
    assert f'filename="drill-{world["cs"].pk}-county-2024-10.csv"' in resp["Content-Disposition"]
    assert rows[0][:5] == ["排名", "县级单位", "受理口径投诉量", "考核口径投诉量", "用户数"]  # no 台区经理 for counties
    assert rows[0][-1] == "数据口径"
    assert [r[:6] for r in rows[1:]] == [["1", "宁乡市供电公司", "1", "1", "2000", "5.0"],
                                         ["2", "望城区供电公司", "5", "5", "2000", "25.0"]]
    assert {r[-1] for r in rows[1:]} == {"未发布，按当前数据计算"}

    resp, rows = download(client, world["s1"], "export=xlsx")
    assert rows[0][:3] == ["排名", "台区", "台区经理"]
    assert [r[:6] for r in rows[1:]] == [[1, "T2台区", "张伟（GW001）", 1, 1, 600], [2, "T1台区", "张伟（GW001）", 2, 2, 400]]

    resp, rows = download(client, world["cs"], "table=managers&export=xlsx")
    assert f"drill-{world['cs'].pk}-managers-2024-10.xlsx" in resp["Content-Disposition"]
    assert [r[:5] for r in rows[1:]] == [[1, "王芳（GW003）", 2, 1000, 20.0], [2, "张伟（GW001）", 3, 1000, 30.0]]


def test_a_published_months_export_says_it_is_frozen(world, client):  # noqa: F811
    services.publish_month(month=OCT, user=world["users"]["analyst"])
    client.force_login(world["users"]["analyst"])
    _resp, rows = download(client, world["a"], "table=managers&export=csv")
    assert {r[-1] for r in rows[1:]} == {"已发布，按发布时冻结的数据"}


def test_a_county_user_exports_only_their_county(world, client):  # noqa: F811
    client.force_login(world["users"]["county_b"])
    _resp, rows = download(client, world["b"], "export=csv")
    assert [r[1] for r in rows[1:]] == ["（未关联）"]  # 宁乡's one complaint has no station
    for other in ("a", "s1", "cs"):
        for query in ("export=csv", "table=managers&export=xlsx"):
            assert client.get(f"/scorecard/units/{world[other].pk}/?month=2024-10&{query}").status_code == 404
