"""Where uploads wait between an import's preview and its confirmation: a file storage whose
location is ``settings.IMPORT_UPLOAD_DIR``, read on each use (so a changed setting applies at
once), and which must be the server's own directory, closed to others."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, storages


def upload_dir() -> Path:
    """The server's own directory for uploads waiting for confirmation and their readings: it
    must belong to this process's user and be closed to others (a directory made beforehand by
    someone else under the system's temporary directory is refused)."""
    default = Path(tempfile.gettempdir()) / "povertyplan-imports"
    path = Path(settings.IMPORT_UPLOAD_DIR or default)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_uid != os.getuid():
        raise ImproperlyConfigured(f"{path} belongs to another user; set IMPORT_UPLOAD_DIR.")
    if found.st_mode & 0o077:
        path.chmod(0o700)
    return path


class UploadStorage(FileSystemStorage):
    """``FileSystemStorage`` in :func:`upload_dir`, files readable by the server alone. Nothing
    in it is served: it has no URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(upload_dir())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("uploads waiting for an import are not served")


def import_uploads():
    """The storage of ``ImportBatch`` files (``STORAGES["imports"]`` in the settings)."""
    return storages["imports"]
