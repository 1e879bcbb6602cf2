"""The Celery application of the worker tier: ``celery -A povertyplan worker``.

Its settings are Django's ``CELERY_*`` settings (povertyplan/settings.py). The only task is
``jobs.tasks.run_job``; what a job does is found in the ``jobs`` registry, and its state lives in
its ``Job`` row, never in Celery (no result backend)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")

app = Celery("povertyplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
