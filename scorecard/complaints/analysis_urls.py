from django.urls import path

from . import analysis_views

app_name = "analysis"
urlpatterns = [
    path("", analysis_views.analysis, name="profile"),
    path("orders/", analysis_views.order_list, name="orders"),
    path("customers/<str:customer_no>/sensitive/", analysis_views.customer_sensitive, name="sensitive"),
]
