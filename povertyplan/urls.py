from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from accounts.access import public, requires
from accounts.middleware import UNVERIFIED, two_factor_allows
from areas.scoping import SELF
from jobs import health
from jobs import views as job_views

# Open to a session that has the password but not yet the second factor.
_unverified_ok = two_factor_allows(UNVERIFIED)

# A user's own background jobs: routed here because ``jobs`` sits beside ``accounts`` in the
# layers and may not import its ``requires``; each view shows only the user's own jobs (404).
_own = requires(SELF)
job_patterns = (
    [
        path("", _own(job_views.job_list), name="list"),
        path("<int:pk>/", _own(job_views.job_detail), name="detail"),
        path("<int:pk>/progress/", _own(job_views.job_progress), name="progress"),
        path("<int:pk>/download/", _own(job_views.job_download), name="download"),
        path("<int:pk>/retry/", _own(job_views.job_retry), name="retry"),
    ],
    "jobs",
)

# Every view declares its action (accounts.access.requires / public), Django's own views here too.
urlpatterns = [
    # For load balancers and monitors: no login, no data (jobs/health.py).
    path("healthz", public(health.healthz), name="healthz"),
    path("i18n/setlang/", _unverified_ok(public(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
    path("login/", _unverified_ok(public(auth_views.LoginView.as_view())), name="login"),
    path("logout/", _unverified_ok(requires(SELF)(auth_views.LogoutView.as_view())), name="logout"),
    path("account/two-factor/", include("accounts.urls")),
    path(
        "account/password/",
        requires(SELF)(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "account/password/done/",
        requires(SELF)(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("", include("households.urls")),
    path("imports/", include("imports.urls")),
    path("cycles/", include("review.cycle_urls")),
    path("review/", include("review.urls")),
    path("exits/", include("exits.urls")),
    path("reports/", include("reports.urls")),
    # the plan keeps its address under the programme pages it is written from
    path("projects/plan/", include("plan.urls")),
    path("projects/", include("projects.urls")),
    path("budget/", include("budget.urls")),
    path("jobs/", include(job_patterns)),
]
