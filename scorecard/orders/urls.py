from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    # The search results (the top bar's box) at the prefix itself, so no order number can shadow them.
    path("", views.search, name="search"),
    # Order numbers may contain "/" (path converter): /orders/GD/2026/0001/ is order "GD/2026/0001".
    path("<path:order_no>/", views.detail, name="detail"),
]
