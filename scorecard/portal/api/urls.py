from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL, not inline: no 'unsafe-inline'.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
