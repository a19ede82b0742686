"""Links to a work order's detail page (``/orders/<order_no>/``, served by scorecard.orders).

One home for the link so that every table and template writes it the same way; the URL is reversed
by name, which imports nothing from the app above."""
from django.urls import reverse
from django.utils.html import format_html


def order_url(order_no: str) -> str:
    return reverse("orders:detail", args=[order_no])


def order_link(order_no) -> str:
    """An ``<a>`` to the order (escaped); an empty string for no order number."""
    if not order_no:
        return ""
    return format_html('<a class="order-link nowrap" href="{}">{}</a>', order_url(str(order_no)), order_no)
