from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_document, name="plan_document"),
    path("details/", views.plan_details_edit, name="plan_details_edit"),
    path("texts/<slug:key>/", views.plan_text_edit, name="plan_text_edit"),
]
