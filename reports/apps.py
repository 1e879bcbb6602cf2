from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        # Every app's ``reports`` module or package registers its builders, as ``admin`` modules
        # register with the admin site: the engine never imports a feature app.
        autodiscover_modules("reports")
        from . import reconciliation  # noqa: F401  (the engine's own report, over all others)
