from django.urls import path

from . import reconcile_page, views

urlpatterns = [
    path("", views.index, name="report_index"),
    path("area/", views.area_view, name="report_area"),
    path("targets/", views.targets_view, name="report_targets"),
    path("reconcile/", reconcile_page.reconcile_view, name="report_reconcile"),
    path("document/", views.document_settings_view, name="report_document_settings"),
    path("<slug:slug>/", views.report_view, name="report"),
    path("<slug:slug>/batch/", views.report_batch, name="report_batch"),
]
