from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    """Exit pathways (plan section V.8): what each poor or near-poor household lacks to change
    class, the support that addresses it at what cost, the households the commune plans to lift in
    a year with their helpers, the follow-up visits, and whether the planned households escaped."""

    name = "exits"
    verbose_name = _("Lộ trình thoát nghèo")
