"""Where job results are kept: a file storage in ``settings.JOBS_RESULT_DIR`` (default
``MEDIA_ROOT/jobs``), read on each use so that a changed setting applies at once. Nothing in it
is served by URL: a result is downloaded only through the owner's view (``jobs:download``).
Another storage (an S3 bucket through django-storages) may take its place in
``STORAGES["jobs"]``; the code only calls ``save``, ``open`` and ``delete``."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


def result_dir() -> Path:
    return Path(settings.JOBS_RESULT_DIR or Path(settings.MEDIA_ROOT) / "jobs")


class ResultStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(result_dir())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("job results are downloaded through their owner's view only")


def job_results():
    """The storage of job results (``STORAGES["jobs"]``)."""
    return storages["jobs"]
