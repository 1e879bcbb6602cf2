from django.urls import path

from . import views

urlpatterns = [
    path("", views.two_factor_setup, name="two_factor_setup"),
    path("verify/", views.two_factor_verify, name="two_factor_verify"),
    path("codes/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("disable/", views.two_factor_disable, name="two_factor_disable"),
]
