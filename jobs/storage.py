"""Where job results are kept: a file storage in ``settings.JOBS_RESULT_DIR`` (default
``MEDIA_ROOT/jobs``), read on each use so that a changed setting applies at once. Nothing in it
is served by URL: a result is downloaded only through the owner's view (``jobs:download``).
Another storage (an S3 bucket through django-storages) may take its place in
``STORAGES["jobs"]``; the code only calls ``save``, ``open`` and ``delete``."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

from core.storage import PrivateStorage


def result_dir() -> Path:
    return Path(settings.JOBS_RESULT_DIR or Path(settings.MEDIA_ROOT) / "jobs")


class ResultStorage(PrivateStorage):
    refusal = "job results are downloaded through their owner's view only"

    def directory(self) -> Path:
        return result_dir()


def job_results():
    """The storage of job results (``STORAGES["jobs"]``)."""
    return storages["jobs"]
