from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.analysis, name="profile"),
    path("orders/", views.order_list, name="orders"),
    # The data of the searchable pickers (unit tree, 线路 by name), scoped to the viewer.
    path("units.json", views.unit_options, name="units"),
    path("feeders.json", views.feeder_options, name="feeders"),
    # path: a customer number may contain 「/」 (the importer accepts it; issue #15).
    path("customers/<path:customer_no>/sensitive/", views.customer_sensitive, name="sensitive"),
]
