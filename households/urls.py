from django.urls import path

from . import bulk, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("households/", views.household_list_view, name="household_list"),
    path("households/villages/", views.village_options, name="household_village_options"),
    path("households/selected/export/", bulk.export_selected, name="household_bulk_export"),
    path("households/new/", views.household_edit, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/review/<int:cycle_pk>/", views.review_entry, name="review_entry"),
    path(
        "households/<int:pk>/review/<int:cycle_pk>/preview/",
        views.review_preview,
        name="review_preview",
    ),
]
