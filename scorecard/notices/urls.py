from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("generate/", views.generate, name="generate"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/requirements/", views.requirements, name="requirements"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/snapshot.json", views.snapshot, name="snapshot"),
    path("verify/", views.verify, name="verify"),
    path("rankings/", views.rankings, name="rankings"),
]
