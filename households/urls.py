from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.household_detail, name="household_detail"),
]
