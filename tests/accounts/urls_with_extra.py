"""The project's URL conf plus two URLs the access matrix has no rule for (see test_access_matrix)."""
from django.http import HttpResponse
from django.urls import path

from scorecard.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns,
               path("brand-new/", lambda request: HttpResponse("x"), name="brand_new"),
               path("unnamed/", lambda request: HttpResponse("x"))]
