from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app uses and that imports no app (design.md): no models of its own."""

    name = "core"
    verbose_name = _("Dùng chung")
