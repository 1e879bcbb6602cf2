"""Backups: the whole database and the uploaded files in one archive, and their restore.

One backup is one uncompressed ``.tar`` (mode 0600: it holds the registry's personal data):

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite, a copy made
  with the online backup API, so the site keeps running);
- ``files/<root>/...``: every file under the folders of uploads (``settings.MEDIA_ROOT``, Django's
  storage, and ``settings.IMPORT_UPLOAD_DIR``, imports waiting for confirmation), when those
  storages are folders on this server. A storage kept elsewhere (an S3-compatible bucket,
  ``STORAGE_BACKEND=s3``) is not copied: the manifest names it under ``external``, a restore
  leaves it as it is, and the bucket is kept by its own versioning or replication
  (docs/deployment.md, "Files, cache and sessions");
- ``manifest.json``, written last: the database engine, the applied migrations, the time, the
  row count of every table (read in the same snapshot as the dump), and the size and SHA-256 of
  every other member.

A restore refuses an archive of another engine or of migrations this code does not have,
checks every checksum before it changes anything, restores the database (``pg_restore --clean
--if-exists --no-owner --single-transaction``, cancelled and rolled back after
``settings.BACKUP_RESTORE_LOCK_TIMEOUT`` seconds if a running server holds a table; or the backup
API in the other direction), puts the folders back as they were, and then counts the rows of
every table again against the manifest. Nothing here imports a project app (``core``), so
every table is handled alike.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
ARCHIVE_PATTERN = "povertyplan-*.tar"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


@dataclass
class Restored:
    manifest: dict
    files: dict[str, int] = field(default_factory=dict)
    # Storages kept elsewhere (a bucket) that the restore left as they are, and files of the
    # archive for them that were not put back.
    external: dict[str, int] = field(default_factory=dict)
    tables: int = 0
    missing_migrations: list[str] = field(default_factory=list)


# The storages (``settings.STORAGES``) whose files a backup holds, by the name they have in it.
FILE_STORAGES = {"media": "default", "imports": "imports"}


def file_roots() -> dict[str, Path]:
    """The folders of uploaded files that a backup holds, by the name they have in it: those of
    the storages kept in a folder of this server (``FileSystemStorage`` and its subclasses)."""
    roots = {}
    for name, alias in FILE_STORAGES.items():
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            roots[name] = Path(storage.location)
    return roots


def external_storages() -> dict[str, str]:
    """The storages of :data:`FILE_STORAGES` kept elsewhere (a bucket), by name: their class."""
    return {
        name: f"{type(storage).__module__}.{type(storage).__qualname__}"
        for name, alias in FILE_STORAGES.items()
        if not isinstance(storage := storages[alias], FileSystemStorage)
    }


# --- the database ---------------------------------------------------------------------------


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Không sao lưu được cơ sở dữ liệu loại “{vendor}”.")
    return vendor


def row_counts(connection) -> dict[str, int]:
    """Every table's row count, read through ``connection`` (any DB-API connection whose tables
    Django's introspection of ``connections[using]`` can list)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        db.close()


def applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def other_sessions(using: str = "default") -> int:
    """How many other sessions are connected to the PostgreSQL database (a web server or a
    worker that a restore would wait for); 0 on SQLite, which cannot tell."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _pg_program(name: str) -> str:
    folder = settings.BACKUP_PG_BIN_DIR
    program = str(Path(folder) / name) if folder else shutil.which(name)
    if not program or not Path(program).exists():
        raise BackupError(
            f"Không tìm thấy {name}. Cài gói postgresql-client cùng phiên bản với máy chủ, "
            "hoặc đặt BACKUP_PG_BIN_DIR."
        )
    return program


def _pg_check_version(program: str, connection) -> None:
    """pg_dump refuses a server newer than itself; say so before it starts, in plain words."""
    found = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", found.stdout)
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if not match or int(match.group(1)) < server:
        raise BackupError(
            f"{program} ({found.stdout.strip() or '?'}) cũ hơn máy chủ PostgreSQL {server}. "
            "Cài bản client mới hơn, hoặc đặt BACKUP_PG_BIN_DIR."
        )


def _pg_args(connection) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore from settings.DATABASES (the test database
    while tests run), the password through the environment, never on the command line."""
    conf = connection.settings_dict
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if conf.get("OPTIONS", {}).get(option):
            env[variable] = str(conf["OPTIONS"][option])
    return args + ["--no-password", "--dbname", str(conf["NAME"])], env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} thất bại: {done.stderr.strip()[-2000:]}")


def _dump_postgresql(using: str, target: Path) -> dict[str, int]:
    """pg_dump in the snapshot in which the rows are counted, so the manifest's counts are
    exactly the dump's."""
    connection = connections[using]
    program = _pg_program("pg_dump")
    _pg_check_version(program, connection)
    args, env = _pg_args(connection)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts(connection)
        command = [program, "--format=custom", f"--snapshot={snapshot}", *args]
        _run([*command, "--file", str(target)], env)
    return counts


def _dump_sqlite(using: str, target: Path) -> dict[str, int]:
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return _sqlite_counts(target)


def _restore_postgresql(using: str, dump: Path) -> None:
    """pg_restore in one transaction. The dump sets ``lock_timeout = 0`` itself, so a table held
    by a running web server or worker would make it wait for ever: this process watches it and
    cancels it (the transaction rolls back, nothing changes) once a statement has waited for a
    lock ``settings.BACKUP_RESTORE_LOCK_TIMEOUT`` seconds."""
    connection = connections[using]
    program = _pg_program("pg_restore")
    args, env = _pg_args(connection)
    env["PGAPPNAME"] = f"povertyplan-restore-{secrets.token_hex(4)}"
    limit = int(settings.BACKUP_RESTORE_LOCK_TIMEOUT)
    connections.close_all()
    command = [program, "--clean", "--if-exists", "--no-owner", "--single-transaction", *args]
    blocked = None
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [*command, str(dump)], env=env, stdout=subprocess.DEVNULL, stderr=errors, text=True
        )
        try:
            while process.poll() is None:
                time.sleep(0.2)
                blocked = blocked or _cancel_if_blocked(connection, env["PGAPPNAME"], limit)
        finally:
            if process.poll() is None:  # interrupted: the server rolls its transaction back
                process.kill()
                process.wait()
            connection.close()
        errors.seek(0)
        stderr = errors.read().strip()
    if blocked:
        raise BackupError(
            f"Đã dừng khôi phục sau {limit} giây chờ: “{blocked}” chờ một bảng mà kết nối khác "
            "đang giữ (máy chủ web, worker?). Không thay đổi gì; hãy dừng chúng rồi chạy lại."
        )
    if process.returncode != 0:
        raise BackupError(f"pg_restore thất bại: {stderr[-2000:]}")


def _cancel_if_blocked(connection, application: str, seconds: int) -> str | None:
    """Cancel the restore's statement if it has waited for a lock ``seconds``; return it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, LEFT(query, 80) FROM pg_stat_activity "
            "WHERE application_name = %s AND wait_event_type = 'Lock' "
            "AND now() - query_start > make_interval(secs => %s)",
            [application, seconds],
        )
        found = cursor.fetchone()
        if found is None:
            return None
        cursor.execute("SELECT pg_cancel_backend(%s)", [found[0]])
    return found[1]


def _restore_sqlite(using: str, copy: Path) -> None:
    connection = connections[using]
    name = str(connection.settings_dict["NAME"])
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 20)
    # Django keeps an in-memory test database open whatever close() is asked; a file database
    # is closed here and written by a connection of its own.
    connection.close()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name, uri=name.startswith("file:"), timeout=timeout)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- the archive ----------------------------------------------------------------------------


class _Hashing:
    """Reads exactly ``size`` bytes of a file for tarfile, hashing what it hands over."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    with path.open("rb") as raw:
        info = archive.gettarinfo(fileobj=raw, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _Hashing(raw)
        archive.addfile(info, reader)
    return {"name": name, "size": info.size, "sha256": reader.sha.hexdigest()}


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def archive_name(vendor: str, when: datetime.datetime) -> str:
    return f"povertyplan-{vendor}-{when:%Y%m%d-%H%M%S}.tar"


def backup_create(*, output: Path, using: str = "default") -> tuple[Path, dict]:
    """Write one archive into the folder ``output`` (or to the file ``output`` when it ends in
    ``.tar``) and return its path and manifest. A half-written archive is named ``.partial``."""
    vendor = _vendor(using)
    when = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    path = output if output.suffix == ".tar" else output / archive_name(vendor, when)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"Tệp {path} đã có; không ghi đè.")
    partial = path.with_name(path.name + ".partial")
    # The dump is written beside the archive: /tmp may be a small in-memory file system.
    with tempfile.TemporaryDirectory(prefix=".povertyplan-backup-", dir=path.parent) as folder:
        dump = Path(folder) / DUMP_NAMES[vendor]
        dumper = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
        counts = dumper(using, dump)
        manifest = {
            "format": FORMAT,
            "engine": vendor,
            "created": when.isoformat(),
            "database": str(connections[using].settings_dict["NAME"]),
            "django": django.get_version(),
            "migrations": applied_migrations(using),
            "tables": counts,
            "roots": {name: str(root) for name, root in file_roots().items()},
            "external": external_storages(),
            "parts": [],
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
                manifest["parts"].append(_add(archive, dump, dump.name))
                for name, root in file_roots().items():
                    for file in _files(root):
                        relative = file.relative_to(root).as_posix()
                        manifest["parts"].append(_add(archive, file, f"files/{name}/{relative}"))
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(when.timestamp())
                archive.addfile(info, io.BytesIO(data))
            partial.rename(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return path, manifest


def manifest_read(path: Path) -> dict:
    try:
        with tarfile.open(path, mode="r:") as archive:
            member = archive.getmember(MANIFEST)
            return json.loads(archive.extractfile(member).read().decode())
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise BackupError(f"{path} không phải bản sao lưu đọc được ({error}).") from error


def _safe_part(name: str, vendor: str) -> tuple[str, PurePosixPath] | None:
    """(root name, relative path) of a file part, None for the database; refuses any name that
    could write outside its folder."""
    if name == DUMP_NAMES[vendor]:
        return None
    path = PurePosixPath(name)
    parts = path.parts
    if (
        len(parts) < 3
        or parts[0] != "files"
        or parts[1] not in FILE_STORAGES
        or path.is_absolute()
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise BackupError(f"Bản sao lưu có mục không hợp lệ: “{name}”.")
    return parts[1], PurePosixPath(*parts[2:])


def restore_check(path: Path, *, using: str = "default") -> dict:
    """The archive's manifest if it can be restored here; BackupError otherwise."""
    manifest = manifest_read(path)
    vendor = _vendor(using)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu định dạng {manifest.get('format')} không được hỗ trợ.")
    if manifest.get("engine") != vendor:
        raise BackupError(
            f"Bản sao lưu của {manifest.get('engine')} không khôi phục được vào {vendor}."
        )
    unknown = sorted(set(manifest.get("migrations", [])) - known_migrations())
    if unknown:
        raise BackupError(
            "Bản sao lưu của phiên bản phần mềm mới hơn (có migration mà mã này không có: "
            + ", ".join(unknown[:5])
            + (" …" if len(unknown) > 5 else "")
            + ")."
        )
    names = [part["name"] for part in manifest.get("parts", [])]
    if DUMP_NAMES[vendor] not in names:
        raise BackupError("Bản sao lưu không có cơ sở dữ liệu.")
    for name in names:
        _safe_part(name, vendor)
    return manifest


def _extract(path: Path, manifest: dict, folder: Path) -> None:
    """Every part into ``folder``, each checked against its size and SHA-256."""
    expected = {part["name"]: part for part in manifest["parts"]}
    seen = set()
    with tarfile.open(path, mode="r:") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            part = expected.get(member.name)
            if part is None or not member.isfile():
                raise BackupError(f"Bản sao lưu có mục không có trong danh mục: “{member.name}”.")
            target = folder / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256()
            with archive.extractfile(member) as source, target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    sha.update(chunk)
                    out.write(chunk)
            if sha.hexdigest() != part["sha256"] or member.size != part["size"]:
                raise BackupError(f"Sai mã kiểm tra (SHA-256) của “{member.name}”: tệp đã hỏng.")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"Bản sao lưu thiếu: {', '.join(missing[:5])}.")


def _replace_folder(root: Path, staged: Path | None) -> int:
    """Make ``root`` hold exactly the staged files (none when the archive had none)."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if staged is None or not staged.is_dir():
        return 0
    for child in staged.iterdir():
        shutil.move(str(child), str(root / child.name))
    return len(_files(root))


def backup_restore(
    path: Path,
    *,
    using: str = "default",
    confirm: Callable[[dict], bool] = lambda manifest: True,
) -> Restored:
    """Restore the archive at ``path`` over the configured database and upload folders, after
    ``confirm(manifest)``; every check that can fail runs before anything is changed."""
    manifest = restore_check(path, using=using)
    vendor = manifest["engine"]
    with tempfile.TemporaryDirectory(prefix="povertyplan-restore-") as folder:
        staged = Path(folder)
        _extract(path, manifest, staged)
        if not confirm(manifest):
            raise BackupError("Đã hủy; không thay đổi gì.")
        dump = staged / DUMP_NAMES[vendor]
        if vendor == "postgresql":
            _restore_postgresql(using, dump)
        else:
            _restore_sqlite(using, dump)
        result = Restored(manifest=manifest)
        roots = file_roots()
        for name, root in roots.items():
            result.files[name] = _replace_folder(root, staged / "files" / name)
        for name in FILE_STORAGES.keys() - roots.keys():
            result.external[name] = len(_files(staged / "files" / name))
    counts = row_counts(connections[using])
    differ = sorted(
        table for table, rows in manifest["tables"].items() if counts.get(table) != rows
    )
    if differ:
        raise BackupError(
            "Sau khi khôi phục, số dòng khác với bản sao lưu ở các bảng: " + ", ".join(differ)
        )
    result.tables = len(manifest["tables"])
    result.missing_migrations = sorted(known_migrations() - set(manifest["migrations"]))
    return result


def backups_prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest archives in ``folder`` (by their name's timestamp,
    which sorts as time); return what was removed."""
    archives = sorted(folder.glob(ARCHIVE_PATTERN), key=lambda p: p.name[-19:])
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    return removed
