from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Dự án, tiểu dự án")

    def ready(self) -> None:
        from . import plan, reports  # noqa: F401  (register the "projects" and "plan" reports)
