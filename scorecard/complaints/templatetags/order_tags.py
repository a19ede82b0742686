"""``{{ order_no|order_link }}``: every order number on every page links to its detail page."""
from django import template

from scorecard.complaints.links import order_link as _order_link

register = template.Library()


@register.filter
def order_link(order_no):
    return _order_link(order_no)
