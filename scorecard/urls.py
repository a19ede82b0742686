from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from scorecard.accounts import export_views, notification_views

from scorecard.accounts import views as account_views

from scorecard.portal import views
from scorecard.portal.api import views as api_views


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages that link none (the admin, the API docs)."""

    permanent = False  # the hashed name changes with the file

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", account_views.audit_log, name="audit_log"),
    path("api/v1/", include("scorecard.portal.api.urls")),
    # Any other path under /api/ (ending in a slash: CommonMiddleware's APPEND_SLASH redirect comes
    # first) is the API's JSON 404, not the site's HTML page (issue #17).
    re_path(r"^api/(.*/)?$", api_views.not_found, name="api_not_found"),
    path("accounts/profile/", notification_views.profile, name="profile"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notification_read, name="notifications_read"),
    path("exports/", export_views.export_start, name="export_start"),
    path("exports/<int:pk>/", export_views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("imports/", include("scorecard.imports.urls")),
    path("analysis/", include("scorecard.complaints.urls")),
    path("scorecard/", include("scorecard.kpis.urls")),
    path("notices/", include("scorecard.notices.urls")),
    path("orders/", include("scorecard.orders.urls")),
    path("admin/", admin.site.urls),
]
