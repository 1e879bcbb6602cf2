from django.urls import path

from . import views

app_name = "exits"

urlpatterns = [
    path("", views.pathway_list, name="list"),
    path("<int:household_pk>/<int:year>/", views.pathway_household, name="household"),
]
