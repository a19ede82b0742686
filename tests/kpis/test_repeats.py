"""Repeat chains (issue #13): a repeat complaint links to the earlier complaints of its customer within the
look-back (RuleSettings.repeat_days), across month boundaries, with who handled them; scoped."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.complaints.models import WorkOrder
from scorecard.kpis import repeats
from scorecard.kpis.models import RuleSettings
from tests.fixtures.factories import city, dept, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    oct_ = order(accepted="2026-10-25 09:00", city_unit=cs, customer="C-REP", responsible="营销",
                 closed="2026-10-26 10:00", satisfaction="不满意", order_no="GD-OCT")
    nov = order(accepted="2026-11-05 14:00", city_unit=cs, category="供电质量", subcategory="频繁停电",
                customer="C-REP", responsible="运检", order_no="GD-NOV")
    order(accepted="2026-09-20 09:00", city_unit=cs, customer="C-REP", order_no="GD-SEP")  # 46 days before: outside
    order(accepted="2026-10-30 09:00", city_unit=cs, business_type="咨询", customer="C-REP", order_no="GD-ASK")
    order(accepted="2026-11-01 09:00", city_unit=cs, customer="C-OTHER", order_no="GD-OTHER")
    users = {
        "analyst": User.objects.create_user("r-analyst", password="pw", role="analyst"),
        "yj": User.objects.create_user("r-yj", password="pw", role="dept_head", org_unit=cs, department=dept("运检")),
        "leader_zz": User.objects.create_user("r-zz", password="pw", role="leader", org_unit=zz),
    }
    return {"cs": cs, "oct": oct_, "nov": nov, "users": users}


def test_a_repeat_links_to_the_earlier_complaint_across_the_month_boundary(chain):
    result = repeats.repeat_chain(chain["nov"], viewer=chain["users"]["analyst"])
    assert result["days"] == 30 and result["is_repeat"] and result["hidden"] == 0
    assert [(r["order_no"], r["department"], r["city__name"]) for r in result["earlier"]] == [
        ("GD-OCT", "营销", "国网长沙供电公司")]
    assert result["later"] == []
    back = repeats.repeat_chain(chain["oct"], viewer=chain["users"]["analyst"])
    assert not back["is_repeat"] and [r["order_no"] for r in back["later"]] == ["GD-NOV"]
    assert [r["order_no"] for r in back["earlier"]] == []  # GD-SEP: 35 days before October 25


def test_the_look_back_is_the_rule_setting(chain):
    RuleSettings.objects.update(repeat_days=10)  # 2026-10-25 09:00 → 2026-11-05 14:00 is 11 days
    result = repeats.repeat_chain(chain["nov"], viewer=chain["users"]["analyst"])
    assert result["days"] == 10 and not result["is_repeat"] and result["earlier"] == []


def test_annotations_give_the_latest_earlier_complaint_and_its_department(chain):
    rows = {o.order_no: o for o in repeats.with_repeat_of(WorkOrder.objects.filter(is_complaint=True),
                                                          viewer=chain["users"]["analyst"])}
    nov = rows["GD-NOV"]
    assert (nov.repeat_count, nov.repeat_of_no, nov.repeat_of_city_id) == (1, "GD-OCT", chain["cs"].pk)
    assert repeats.department_names()[nov.repeat_of_dept_id] == "营销"
    assert nov.repeat_of_at == chain["oct"].accepted_at
    assert (rows["GD-OCT"].repeat_count, rows["GD-OCT"].repeat_of_no) == (0, None)
    assert rows["GD-OTHER"].repeat_count == 0


def test_the_chain_costs_the_same_queries_whatever_its_length(chain):
    analyst = chain["users"]["analyst"]

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            result = repeats.repeat_chain(chain["nov"], viewer=analyst)
        return len(result["earlier"]), len(ctx)

    short = queries()
    for day in range(7, 25):  # 2026-10-06 08:00 would be 30 days and 6 hours before: outside
        order(accepted=f"2026-10-{day:02d} 08:00", city_unit=chain["cs"], customer="C-REP")
    long = queries()
    assert (short[0], long[0]) == (1, 19) and short[1] == long[1]


def test_a_department_head_sees_that_an_earlier_complaint_exists_not_whose(chain):
    result = repeats.repeat_chain(chain["nov"], viewer=chain["users"]["yj"])  # GD-OCT is 营销's
    assert result["is_repeat"] and result["earlier"] == [] and result["hidden"] == 1
    row = repeats.with_repeat_of(WorkOrder.objects.filter(pk=chain["nov"].pk), viewer=chain["users"]["yj"]).get()
    assert (row.repeat_count, row.repeat_of_no) == (1, None)


def test_the_order_page_shows_the_chain(client, chain):
    client.force_login(chain["users"]["analyst"])
    html = client.get(reverse("orders:detail", args=["GD-NOV"])).content.decode()
    section = html.split('id="repeat-chain"')[1].split("</section>")[0]
    assert reverse("orders:detail", args=["GD-OCT"]) in section and "营销" in section and "2026-10-25" in section
    assert "GD-SEP" not in section and "GD-ASK" not in section
    client.force_login(chain["users"]["yj"])
    section = client.get(reverse("orders:detail", args=["GD-NOV"])).content.decode().split('id="repeat-chain"')[1]
    assert "GD-OCT" not in section.split("</section>")[0] and "不在您的查看范围内" in section


def test_the_department_page_shows_the_chain_and_who_handled_the_earlier_order(client, chain):
    client.force_login(chain["users"]["analyst"])
    url = reverse("kpis:department", args=[chain["cs"].pk, "yj"]) + "?month=2026-11"
    html = client.get(url).content.decode()
    section = html.split('id="dept-complaints"')[1].split("</section>")[0]
    assert reverse("orders:detail", args=["GD-NOV"]) in section
    assert reverse("orders:detail", args=["GD-OCT"]) in section and "2026-10-25 国网长沙供电公司·营销" in section
