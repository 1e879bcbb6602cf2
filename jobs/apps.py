from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Việc chạy nền")

    def ready(self) -> None:
        # Every app's ``jobs`` module registers its handlers (``jobs.registry.register``), as
        # ``reports`` modules register builders: this app imports no feature app.
        autodiscover_modules("jobs")
