"""/imports/: upload → preview → confirm, the .xlsx templates and the exports."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/<str:kind>/", views.upload, name="upload"),
    path("<str:token>/", views.batch_page, name="batch"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/retry/", views.retry, name="retry"),
    path("<str:token>/cancel/", views.cancel, name="cancel"),
    path("<str:token>/status/", views.status, name="status"),
    path("<str:token>/rejected/", views.rejected, name="rejected"),
    path(
        "template/households/<int:commune_pk>/",
        views.household_template,
        name="household_template",
    ),
    path("template/results/<int:cycle_pk>/", views.assessment_template, name="assessment_template"),
    path("export/households/", views.export_households, name="export_households"),
    path("export/results/<int:cycle_pk>/", views.export_results, name="export_results"),
    path(
        "export/results/<int:cycle_pk>/poor/",
        views.export_results,
        {"household_class": "poor"},
        name="export_poor",
    ),
    path(
        "export/results/<int:cycle_pk>/near-poor/",
        views.export_results,
        {"household_class": "near_poor"},
        name="export_near_poor",
    ),
]
