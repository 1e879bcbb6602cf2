"""Ad-hoc reviews (rà soát thường xuyên), under /review/requests/."""

from django.urls import path

from . import adhoc_views as views

urlpatterns = [
    path("", views.request_list, name="adhoc_list"),
    path("new/<int:household_pk>/", views.request_create, name="adhoc_create"),
    path("<int:pk>/", views.request_detail, name="adhoc_detail"),
    path("<int:pk>/result/", views.request_result_start, name="adhoc_result_start"),
    path("<int:pk>/result/<int:cycle_pk>/", views.request_result, name="adhoc_result"),
    path("<int:pk>/decision/", views.request_decide, name="adhoc_decide"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="adhoc_withdraw"),
]
