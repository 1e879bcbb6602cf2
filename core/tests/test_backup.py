"""Backup and restore: the restore drill on the demo commune, and the archives a restore refuses
before it changes anything.

The drill and the lock test write outside any test transaction (``committed_db``), so that
pg_dump, a separate process, sees their rows and pg_restore can replace the tables; like the demo
tests' fixtures they leave an emptied database with the migrations' reference data put back.
(pytest-django's ``transaction=True`` would do the first part, but its flush recreates the
content types under new ids, which breaks the browser tests' ``serialized_rollback`` after it;
tests with no ``django_db`` mark run after all of those.)

On PostgreSQL the commands dump and restore the test database itself
(``connection.settings_dict`` names it while tests run). On SQLite the test database is Django's
shared in-memory database: the backup API reads it through Django's connection and writes it
back through a connection of its own, which is the same path a file database takes; a second
test runs both commands as separate processes on a SQLite file, as cron would.
"""

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, connections

from core import backup

# Looked up by name: core imports no project app, not even in its tests.
REGISTRY = ("Household", "Member", "Assessment", "Deprivation")


def model(name: str):
    return apps.get_model("households", name)


@pytest.fixture
def folders(settings, tmp_path):
    """Upload folders of this test's own, each with a file in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    (settings.MEDIA_ROOT / "exports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "exports" / "ds-2023.xlsx").write_bytes(b"PK\x03\x04 list")
    settings.IMPORT_UPLOAD_DIR.mkdir()
    (settings.IMPORT_UPLOAD_DIR / "token.xlsx").write_bytes(b"PK\x03\x04 upload")
    return tmp_path


def reference_data() -> None:
    """What the data migrations load (test-only imports: core itself imports no app)."""
    from indicators import standards_data

    standards_data.load(apps)
    import_module("budget.migrations.0003_funding_sources").load(apps, None)


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            reference_data()


def every_table_count() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def registry_checksum() -> str:
    """SHA-256 over every field of every household, member, assessment and deprivation, in
    primary-key order."""
    sha = hashlib.sha256()
    for name in REGISTRY:
        fields = [f.attname for f in model(name)._meta.concrete_fields]
        for values in model(name).objects.order_by("pk").values_list(*fields):
            sha.update(repr(values).encode())
    return sha.hexdigest()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_demo_restored_from_its_backup_has_every_row_and_file_it_had(committed_db, folders):
    call_command("load_demo", stdout=io.StringIO())
    counts, checksum = every_table_count(), registry_checksum()
    files = {name: tree(root) for name, root in backup.file_roots().items()}
    assert counts["households_household"] > 1000
    Household, Member, Deprivation = model("Household"), model("Member"), model("Deprivation")

    out = io.StringIO()
    call_command("backup", "--output", str(folders / "backups"), stdout=out)
    archive = Path(out.getvalue().strip().splitlines()[-1])
    assert f"“{connection.settings_dict['NAME']}”" in out.getvalue()  # the test database
    assert archive.exists() and oct(archive.stat().st_mode)[-3:] == "600"

    # A day's damage: a household edited, members and deprivations deleted, a household added,
    # an upload changed, another deleted and a stray one added.
    first = Household.objects.order_by("pk").first()
    first.head_name = "Tên đã sửa"
    first.save()
    Member.objects.filter(pk__in=Member.objects.order_by("-pk").values("pk")[:7]).delete()
    Deprivation.objects.filter(pk__in=Deprivation.objects.order_by("pk").values("pk")[:5]).delete()
    added = Household.objects.get(pk=first.pk)
    added.pk, added.code = None, "VH-NEW-1"
    added.save()
    media = django_settings.MEDIA_ROOT
    (media / "exports" / "ds-2023.xlsx").write_bytes(b"changed")
    (django_settings.IMPORT_UPLOAD_DIR / "token.xlsx").unlink()
    (media / "stray.txt").write_text("x")
    assert every_table_count() != counts and registry_checksum() != checksum

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)

    assert every_table_count() == counts
    assert registry_checksum() == checksum
    assert {name: tree(root) for name, root in backup.file_roots().items()} == files
    assert Household.objects.get(pk=first.pk).head_name != "Tên đã sửa"
    assert f"{len(counts)} bảng" in out.getvalue() and "khớp" in out.getvalue()


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the SQLite file path; the PostgreSQL run covers pg_dump",
)
def test_backup_and_restore_of_a_sqlite_file_run_as_commands_from_the_shell(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "IMPORT_UPLOAD_DIR": str(tmp_path / "imports"),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def users() -> str:
        return manage(
            "shell", "-v0", "-c", "from accounts.models import User; print(User.objects.count())"
        )

    manage("migrate", "--noinput", "-v0")
    manage("shell", "-c", "from accounts.models import User; User.objects.create(username='a')")
    archive = manage("backup", "--keep", "2").strip().splitlines()[-1]
    manage("shell", "-c", "from accounts.models import User; User.objects.create(username='b')")
    assert users() == "2\n"

    assert "khớp" in manage("restore", archive, "--yes")
    assert users() == "1\n"


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_restore's lock timeout",
)
def test_a_restore_that_a_running_server_blocks_gives_up_and_changes_nothing(
    committed_db, folders, settings
):
    settings.BACKUP_RESTORE_LOCK_TIMEOUT = 1
    Group.objects.create(name="kept")
    out = io.StringIO()
    call_command("backup", "--output", str(folders / "backups"), stdout=out)
    archive = out.getvalue().strip().splitlines()[-1]
    Group.objects.create(name="added")
    server = connections.create_connection("default")  # a web server reading a table
    server.set_autocommit(False)
    with server.cursor() as cursor:
        cursor.execute("LOCK TABLE auth_group IN ACCESS SHARE MODE")
    out = io.StringIO()
    try:
        with pytest.raises(CommandError, match="Không thay đổi gì"):
            call_command("restore", archive, "--yes", stdout=out)
    finally:
        server.rollback()
        server.close()
    # At least the blocking session (a live test server's thread may hold another).
    assert re.search(r"Còn [1-9]\d* kết nối khác", out.getvalue())
    assert sorted(Group.objects.values_list("name", flat=True)) == ["added", "kept"]

    call_command("restore", archive, "--yes", stdout=io.StringIO())
    assert list(Group.objects.values_list("name", flat=True)) == ["kept"]


# --- archives a restore refuses ---------------------------------------------------------------


def fake_archive(path: Path, *, engine=None, parts=None, migrations=(), members=None) -> Path:
    """An archive with the given manifest fields and members ({name: bytes})."""
    engine = engine or connection.vendor
    members = {backup.DUMP_NAMES.get(engine, "database"): b"not a database"} | (members or {})
    if parts is None:
        parts = [
            {"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
            for n, b in members.items()
        ]
    manifest = {
        "format": backup.FORMAT,
        "engine": engine,
        "created": "2026-01-01T00:00:00+00:00",
        "migrations": list(migrations),
        "tables": {},
        "parts": parts,
    }
    with tarfile.open(path, "w") as archive:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def refused(archive: Path, message: str, *options: str) -> None:
    before = every_table_count()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), *options, stdout=io.StringIO())
    assert every_table_count() == before


def test_a_storage_in_a_bucket_is_named_in_the_archive_and_left_as_it_is_by_a_restore(
    committed_db, folders, settings
):
    """Django's in-memory storage stands for a bucket (``STORAGE_BACKEND=s3``): not a folder."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    on_disk, _manifest = backup.backup_create(output=folders / "backups" / "disk.tar")
    memory = "django.core.files.storage.InMemoryStorage"
    settings.STORAGES = {**settings.STORAGES, "imports": {"BACKEND": memory}}
    storages["imports"].save("kept.xlsx", ContentFile(b"in the bucket"))

    path, manifest = backup.backup_create(output=folders / "backups" / "bucket.tar")
    names = {part["name"] for part in manifest["parts"]}
    assert "files/media/exports/ds-2023.xlsx" in names
    assert not any(name.startswith("files/imports/") for name in names)
    assert manifest["external"] == {"imports": "django.core.files.storage.memory.InMemoryStorage"}
    assert set(manifest["roots"]) == {"media"}

    # An archive made while the uploads were in a folder: its upload is not put in the bucket.
    out = io.StringIO()
    call_command("restore", str(on_disk), "--yes", stdout=out)
    assert "Kho imports nằm ngoài máy chủ (bucket): giữ nguyên" in out.getvalue()
    assert "không khôi phục 1 tệp" in out.getvalue()
    assert storages["imports"].open("kept.xlsx").read() == b"in the bucket"
    assert not storages["imports"].exists("token.xlsx")


@pytest.mark.django_db
def test_a_restore_refuses_an_archive_of_another_database_engine(tmp_path, folders):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    refused(fake_archive(tmp_path / "a.tar", engine=other), "không khôi phục được vào", "--yes")


@pytest.mark.django_db
def test_a_restore_refuses_a_damaged_archive_and_changes_nothing(tmp_path, folders):
    name = backup.DUMP_NAMES[connection.vendor]
    damaged = [{"name": name, "size": 14, "sha256": "0" * 64}]
    before = tree(folders / "media")
    refused(fake_archive(tmp_path / "a.tar", parts=damaged), "SHA-256", "--yes")
    assert tree(folders / "media") == before


@pytest.mark.django_db
def test_a_restore_refuses_a_file_that_would_land_outside_its_folder(tmp_path, folders):
    escaping = {"files/media/../../../etc/cron.d/x": b"* * * * * root sh"}
    refused(fake_archive(tmp_path / "a.tar", members=escaping), "không hợp lệ", "--yes")
    assert not (tmp_path / "etc").exists()


@pytest.mark.django_db
def test_a_restore_refuses_the_backup_of_newer_code(tmp_path, folders):
    newer = ["households.9999_from_the_future"]
    refused(fake_archive(tmp_path / "a.tar", migrations=newer), "phiên bản phần mềm mới hơn")


@pytest.mark.django_db
def test_a_restore_without_yes_asks_and_stops_on_any_other_answer(tmp_path, folders, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    refused(fake_archive(tmp_path / "a.tar"), "Đã hủy")
    assert (folders / "imports" / "token.xlsx").exists()


def test_pruning_keeps_the_newest_archives(tmp_path):
    names = [f"povertyplan-sqlite-2026120{d}-020000.tar" for d in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "other.tar").write_bytes(b"")
    removed = backup.backups_prune(tmp_path, 2)
    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "other.tar"])
