"""The complaints app's writes (keyword-only, typed): marks on customers set from the analysis pages.

Imports of work orders are the imports app's (scorecard/imports/services.py).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from scorecard.accounts import audit
from scorecard.core.roles import can_flag_sensitive

from .models import Customer


@transaction.atomic
def set_customer_sensitive(*, customer_no: str, sensitive: bool, note: str = "", by) -> Customer:
    """Flag (or unflag) a customer as sensitive; their new orders are then highlighted in lists.

    Only analysts may do it: the flag changes what every other user sees first.
    """
    if not can_flag_sensitive(by):
        raise PermissionDenied("只有指挥中心分析员可以标记敏感客户")
    customer = Customer.objects.select_for_update().get(customer_no=customer_no)
    before = {"sensitive": customer.sensitive, "note": customer.sensitive_note}
    customer.sensitive = sensitive
    customer.sensitive_note = note.strip()[:200] if sensitive else ""
    customer.save(update_fields=["sensitive", "sensitive_note"])
    audit.record(user=by, action="customer.sensitive" if sensitive else "customer.unsensitive", obj=customer,
                 summary=f"{'标记' if sensitive else '取消'}敏感客户 {customer.customer_no}", before=before,
                 after={"sensitive": customer.sensitive, "note": customer.sensitive_note})
    return customer
