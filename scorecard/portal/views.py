from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from scorecard.kpis.selectors import latest_month
from scorecard.core.months import label

from . import dashboard


@login_required
def home(request):
    """One home page per role (scorecard.portal.dashboard says what each role sees)."""
    user = request.user
    month = latest_month()
    if user.is_analyst or user.role == "admin":
        role, ctx = "analyst", dashboard.analyst(user, month)
    elif user.role == "dept_head":
        role, ctx = "dept_head", dashboard.department_head(user, month)
    elif user.role == "leader":
        role, ctx = "leader", dashboard.leader(user, month)
    else:
        role, ctx = "auditor", dashboard.auditor(user, month)
    return render(request, "home.html", {"role": role, "month": month, "month_label": label(month) if month else "",
                                         "state": dashboard.month_state(month), **ctx})
