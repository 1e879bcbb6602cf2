from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.report_view, name="report"),
]
