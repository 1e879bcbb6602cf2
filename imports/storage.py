"""Where uploads wait between an import's preview and its confirmation, and how the import reads
and writes them: only through Django's storage API (``open``, ``save``, ``delete``), so the
storage may be the server's own directory (the default) or an S3-compatible bucket
(``STORAGE_BACKEND=s3``, docs/deployment.md) that every web and worker process shares.

The default is a file storage whose location is ``settings.IMPORT_UPLOAD_DIR``, read on each use
(so a changed setting applies at once), and which must be the server's own directory, closed to
others. The Excel reader needs a local file: :func:`local_copy` copies a stored file into a
temporary one for the time of a read, and :func:`save_local` stores a file written locally."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import Storage, storages

from core.storage import PrivateStorage

CHUNK = 1 << 20


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


class UploadStorage(PrivateStorage):
    """A private file storage in :func:`upload_dir`: nothing in it is served."""

    refusal = "uploads waiting for an import are not served"

    def directory(self) -> Path:
        return upload_dir()


def import_uploads() -> Storage:
    """The storage of ``ImportBatch`` files (``STORAGES["imports"]`` in the settings)."""
    return storages["imports"]


@contextlib.contextmanager
def local_copy(name: str, storage: Storage | None = None, *, suffix: str = "") -> Iterator[Path]:
    """A temporary local file holding the stored file ``name``, removed on leaving (whatever
    happens). The copy is made through ``storage.open`` even for a file storage, so a bucket and
    the server's directory take the same path through the code."""
    storage = storage or import_uploads()
    with tempfile.TemporaryDirectory(prefix="povertyplan-read-") as folder:
        path = Path(folder) / f"stored{suffix}"
        with storage.open(name, "rb") as stored, path.open("wb") as out:
            shutil.copyfileobj(stored, out, CHUNK)
        yield path


@contextlib.contextmanager
def scratch_file(suffix: str = "") -> Iterator[Path]:
    """A path in a fresh temporary folder (the file is not created), removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="povertyplan-write-") as folder:
        yield Path(folder) / f"scratch{suffix}"


def save_local(name: str, path: Path, storage: Storage | None = None) -> str:
    """Store the local file ``path`` as ``name`` (replacing a file of that name) and return the
    name the storage gave it."""
    storage = storage or import_uploads()
    if storage.exists(name):
        storage.delete(name)
    with path.open("rb") as local:
        return storage.save(name, File(local, name=name))
