"""A file storage for the server's private files (uploads waiting for an import, job results):
its directory is read on each use, so that a changed setting applies at once; its files and
folders are readable by the server alone; and it has no URL, because what it holds is handed
out only by views that check who asks."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Subclasses say where (:meth:`directory`) and why nothing is served (``refusal``)."""

    refusal = "these files are not served"

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def directory(self) -> Path:
        raise NotImplementedError

    @property
    def base_location(self) -> str:
        return str(self.directory())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(self.refusal)
