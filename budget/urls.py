from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="budget_overview"),
    path("lines/new/", views.line_edit, name="budget_line_create"),
    path("lines/<int:pk>/", views.line_detail, name="budget_line_detail"),
    path("lines/<int:pk>/edit/", views.line_edit, name="budget_line_edit"),
    path(
        "lines/<int:pk>/disbursements/new/",
        views.disbursement_create,
        name="disbursement_create",
    ),
    path("disbursements/<int:pk>/delete/", views.disbursement_delete, name="disbursement_delete"),
    path("totals/new/", views.stated_total_create, name="stated_total_create"),
]
