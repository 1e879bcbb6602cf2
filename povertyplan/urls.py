from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from reports import views as report_views

urlpatterns = [
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", report_views.dashboard, name="dashboard"),
    path("households/", include("households.urls")),
    path("imports/", include("households.import_urls")),
    path("reports/", include("reports.urls")),
    path("projects/", include("projects.urls")),
    path("budget/", include("budget.urls")),
]
