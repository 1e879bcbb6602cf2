from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="projects_overview"),
    path("assignments/new/", views.assignment_edit, name="assignment_create"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path(
        "assignments/<int:pk>/beneficiaries/new/",
        views.beneficiary_create,
        name="beneficiary_create",
    ),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/progress/", views.activity_progress, name="activity_progress"),
    path("beneficiaries/", views.beneficiary_list, name="beneficiary_list"),
    path("beneficiaries/selected/", views.beneficiary_bulk, name="beneficiary_bulk"),
    path("beneficiaries/<int:pk>/delete/", views.beneficiary_delete, name="beneficiary_delete"),
    path("coverage/", views.coverage, name="project_coverage"),
    path("subprojects/<int:pk>/", views.subproject_detail, name="subproject_detail"),
    path("units/", views.units, name="project_units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path(
        "units/<int:pk>/duties/<int:year>/",
        views.responsibility_edit,
        name="responsibility_edit",
    ),
]
