from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from scorecard.complaints.selectors import latest_month
from scorecard.core.roles import Role, home_role
from scorecard.core.months import label

from . import selectors as dashboard

HOMES = {Role.ANALYST: dashboard.analyst, Role.DEPARTMENT_HEAD: dashboard.department_head,
         Role.LEADER: dashboard.leader, Role.AUDITOR: dashboard.auditor}


@login_required
def home(request):
    """One home page per role (scorecard.portal.selectors says what each role sees)."""
    user = request.user
    month = latest_month()
    role = home_role(user)
    ctx = HOMES[role](user, month)
    return render(request, "home.html", {"role": role, "Role": Role, "month": month,
                                         "month_label": label(month) if month else "",
                                         "state": dashboard.month_state(month), **ctx})
