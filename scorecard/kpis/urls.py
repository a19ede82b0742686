from django.urls import path

from . import views, warning_views

app_name = "kpis"
urlpatterns = [
    path("", views.scorecard_view, name="scorecard"),
    path("unit/<int:city_id>/<slug:dept_code>/", views.department_view, name="department"),
    path("units/<int:unit_id>/", views.drill_view, name="drill"),
    path("incidents/", views.incident_list, name="incidents"),
    path("trace/", views.trace, name="trace"),
    path("cutoff/", views.cutoff, name="cutoff"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("appeals/", views.appeal_inbox, name="appeals"),
    path("appeals/new/<int:order_id>/", views.appeal_create, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("appeals/new/deduction/<int:pk>/", views.deduction_appeal_create, name="deduction_appeal_new"),
    path("verify/<int:order_id>/", views.verify_complaint, name="verify"),
    path("deductions/", views.deduction_list, name="deductions"),
    path("deductions/new/", views.deduction_create, name="deduction_new"),
    # 预警工单 (issue #18): kpis.warning_views
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/new/", warning_views.warning_create, name="warning_create"),
    path("warnings/<int:pk>/", warning_views.warning_detail, name="warning"),
    path("warnings/<int:pk>/acknowledge/", warning_views.warning_acknowledge, name="warning_acknowledge"),
    path("warnings/<int:pk>/action/", warning_views.warning_action, name="warning_action"),
    path("warnings/<int:pk>/close/", warning_views.warning_close, name="warning_close"),
    path("risk/", views.risk_list, name="risk"),
    path("risk/compute/", views.risk_compute, name="risk_compute"),
    path("risk/seasonal/", views.seasonal_list, name="seasonal"),
    path("risk/seasonal/compute/", views.seasonal_compute, name="seasonal_compute"),
    # path: a 台区 code is whatever the import accepted.
    path("risk/district/<path:code>/", views.risk_district, name="risk_district"),
]
