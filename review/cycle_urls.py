"""A review cycle's pages, at /cycles/ (their address and names from before the ``review`` app)."""

from django.urls import path

from . import queue_views, views

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("<int:pk>/queue/", queue_views.cycle_queue, name="cycle_queue"),
    path(
        "<int:pk>/queue/<int:village_pk>/",
        queue_views.cycle_queue_village,
        name="cycle_queue_village",
    ),
    path("<int:pk>/advance/", views.cycle_advance, name="cycle_advance"),
    path("<int:pk>/meetings/<int:village_pk>/", views.cycle_meeting, name="cycle_meeting"),
    path("<int:pk>/posting/", views.cycle_posting, name="cycle_posting"),
    path("<int:pk>/complaints/", views.cycle_complaint_add, name="cycle_complaint_add"),
    path(
        "<int:pk>/complaints/<int:complaint_pk>/resolve/",
        views.cycle_complaint_resolve,
        name="cycle_complaint_resolve",
    ),
    # the decision (a periodic review), the close (an ad-hoc one)
    path("<int:pk>/finalise/", views.cycle_finalise, name="cycle_finalise"),
    path("<int:pk>/reopen/", views.cycle_reopen, name="cycle_reopen"),
    path("<int:pk>/exemptions/", views.cycle_exemption_add, name="cycle_exemption_add"),
    path(
        "<int:pk>/exemptions/<int:exemption_pk>/remove/",
        views.cycle_exemption_remove,
        name="cycle_exemption_remove",
    ),
]
