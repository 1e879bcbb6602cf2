from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo commune and the synthetic areas: sample data only, built through the services of
    the apps below it, so that no production app carries code that makes sample data."""

    name = "demo"
