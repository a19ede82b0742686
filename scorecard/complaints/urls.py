from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.analysis, name="profile"),
    path("orders/", views.order_list, name="orders"),
    # path: a customer number may contain 「/」 (the importer accepts it; issue #15).
    path("customers/<path:customer_no>/sensitive/", views.customer_sensitive, name="sensitive"),
]
