from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_document, name="plan_document"),
    path("pdf/", views.plan_pdf, name="plan_pdf"),
    path("details/", views.plan_details_edit, name="plan_details_edit"),
    path("confirm/", views.plan_confirm, name="plan_confirm"),
    path("texts/<slug:key>/", views.plan_text_edit, name="plan_text_edit"),
]
