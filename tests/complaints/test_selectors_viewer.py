"""scorecard.complaints.selectors: the reads of the order list and the appeal form scope themselves to the
viewer (the two-city world of the access tests: city A is the users' unit, city B another)."""
import pytest
from django.http import Http404

from scorecard.accounts import scoping
from scorecard.complaints import selectors
from scorecard.complaints.models import Customer
from tests.fixtures.world import MONTH


def _listed(user, **kw):
    return {o.order_no for o in selectors.order_list(viewer=user, **kw)}


def test_it_lists_a_department_head_only_their_departments_complaints_of_their_city(world):
    assert _listed(world.users["dept_head"]) == {"O-A-YJ"}
    assert _listed(world.head_b) == {"O-B-YJ"}
    assert _listed(world.users["leader"]) == {"O-A-YJ", "O-A-YX"}
    assert _listed(world.users["analyst"]) == {"O-A-YJ", "O-A-YX", "O-B-YJ"}


def test_it_keeps_the_scope_with_every_business_type(world):
    assert _listed(world.users["leader"], complaints_only=False) == {"O-A-YJ", "O-A-YX"}


def test_it_404s_a_complaint_of_another_city(world):
    head = world.users["dept_head"]
    assert selectors.complaint_for_viewer(pk=world.order_a.pk, viewer=head) == world.order_a
    with pytest.raises(scoping.ScopeDenied):
        selectors.complaint_for_viewer(pk=world.order_b.pk, viewer=head)
    with pytest.raises(Http404) as missing:
        selectors.complaint_for_viewer(pk=world.order_b.pk + 1000, viewer=world.users["analyst"])
    assert not isinstance(missing.value, scoping.ScopeDenied)


def test_it_tells_whether_a_complaint_is_in_the_viewers_order_lists(world):
    head = world.users["dept_head"]
    assert selectors.in_order_lists(world.order_a, viewer=head)
    assert not selectors.in_order_lists(world.order_a_yx, viewer=head)  # 营销's complaint, same city
    assert selectors.in_order_lists(world.order_a_yx, viewer=world.users["leader"])


def test_it_shows_a_customer_only_to_viewers_with_their_orders(world):
    head, analyst = world.users["dept_head"], world.users["analyst"]
    assert selectors.customer_for_viewer(customer_no="CA1", viewer=head).customer_no == "CA1"
    assert selectors.customer_for_viewer(customer_no="CB1", viewer=head) is None  # city B's customer
    assert selectors.customer_for_viewer(customer_no="CA2", viewer=head) is None  # 营销's complaint
    assert selectors.customer_for_viewer(customer_no="CB1", viewer=analyst).customer_no == "CB1"
    assert selectors.customer_for_viewer(customer_no="nobody", viewer=analyst) is None
    # Within a listing: a customer of the scope but not of the list shown is not shown either.
    listing = selectors.order_list(viewer=world.users["leader"]).filter(order_no="O-A-YX")
    assert selectors.customer_for_viewer(customer_no="CA1", viewer=world.users["leader"], orders=listing) is None


def test_it_narrows_a_department_heads_customer_lists_to_their_departments_customers(world):
    Customer.objects.filter(customer_no__in=["CA1", "CA2", "CB1"]).update(sensitive=True)

    def sensitive(user):
        lists = selectors.customer_lists(MONTH, None, viewer=user)
        return {r["customer_id"] for r in lists["sensitive_customers"]}

    assert sensitive(world.users["dept_head"]) == {"CA1"}
    assert sensitive(world.users["analyst"]) == {"CA1", "CA2", "CB1"}
    assert set(selectors.customer_lists(MONTH, None, viewer=world.users["analyst"])) == {
        "repeat_demands", "sensitive_customers"}
