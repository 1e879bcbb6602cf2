"""Imports reach their files through Django's storage API alone, so a bucket shared by every web
and worker process works as the server's directory does. Django's in-memory storage stands in
for the bucket here, without its local path: like S3's, its ``path()`` raises."""

import os

import pytest
from django.core.files.storage import InMemoryStorage, storages

from households.models import Assessment, Household
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports import batches
from imports.models import ImportBatch
from imports.storage import local_copy, save_local, scratch_file
from imports.tests.test_imports import good_registry, stored, upload
from imports.tests.test_round_trip import sheet_rows, ten_rows
from imports.tests.test_round_trip import upload as upload_results

pytestmark = pytest.mark.django_db


class Bucket(InMemoryStorage):
    """A storage with no local path, as ``storages.backends.s3.S3Storage``."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):  # the in-memory tree's own use of its paths
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


@pytest.fixture
def bucket(settings, tmp_path):
    """The import storage without a local path; the upload directory must stay empty."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {"BACKEND": "imports.tests.test_storage.Bucket"},
    }
    storage = storages["imports"]
    with pytest.raises(NotImplementedError):
        storage.path("x")
    yield storage
    assert not settings.IMPORT_UPLOAD_DIR.exists() or not any(settings.IMPORT_UPLOAD_DIR.iterdir())


@pytest.fixture
def cycle(commune):
    ReviewCycleFactory(commune=commune, year=2023)
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def ten(village_a):
    for n in range(1, 11):
        MemberFactory(household=HouseholdFactory(village=village_a, code=f"T-{n:02d}"))


def stored_names(storage) -> set[str]:
    return set(storage.listdir("")[1])


def test_an_import_is_previewed_and_confirmed_from_a_storage_without_paths(
    client, commune, village_a, officer, bucket
):
    client.force_login(officer)
    preview = upload(client, commune, good_registry())
    assert preview.status_code == 200 and preview.context["report"].counts["new"] == 1
    token = stored(preview)
    assert stored_names(bucket) == {f"{token}.xlsx", f"{token}.reading"}
    batch = ImportBatch.objects.get(token=token)
    assert batch.reading_sha256 and batch.sha256 == batches._sha256(batch.file)

    assert client.post(f"/imports/{token}/confirm/").status_code == 302
    assert Household.objects.get().code == "VH-001"
    assert stored_names(bucket) == set()  # both files gone once written


def test_the_rejected_rows_download_from_a_storage_without_paths(
    client, cycle, ten, officer, bucket
):
    client.force_login(officer)
    token = upload_results(client, cycle, ten_rows()).context["token"]
    done = client.post(f"/imports/{token}/confirm/", {"valid_only": "1"})
    assert done.status_code == 302 and Assessment.objects.filter(cycle=cycle).count() == 8
    assert stored_names(bucket) == {f"{token}.xlsx"}  # kept for the rejected rows
    rejected = client.get(f"/imports/{token}/rejected/")
    _ws, rows = sheet_rows(b"".join(rejected.streaming_content))
    assert [r[0] for r in rows] == ["T-04", "T-07"]


def test_a_preview_again_replaces_its_earlier_reading(client, commune, village_a, officer, bucket):
    client.force_login(officer)
    batch = ImportBatch.objects.get(token=stored(upload(client, commune, good_registry())))
    first = batch.reading_sha256
    batches.batch_preview(batch)
    batch.refresh_from_db()
    assert batch.reading.name == f"{batch.token}.reading" and batch.reading_sha256 == first
    assert stored_names(bucket) == {f"{batch.token}.xlsx", f"{batch.token}.reading"}


def test_an_upload_gone_from_the_storage_makes_its_batch_unavailable(
    client, commune, village_a, officer, bucket
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    bucket.delete(f"{token}.xlsx")
    assert client.post(f"/imports/{token}/confirm/").status_code == 404
    batch = ImportBatch.objects.get(token=token)
    with pytest.raises(batches.BatchUnavailable):  # a job given the batch fails clearly too
        batches.batch_preview(batch)
    assert Household.objects.count() == 0


def test_the_local_copy_of_a_stored_file_is_removed_even_when_the_read_fails(bucket, tmp_path):
    name = save_local("token.xlsx", _written(tmp_path, b"PK\x03\x04 content"), bucket)
    with pytest.raises(RuntimeError), local_copy(name, bucket, suffix=".xlsx") as path:
        assert path.read_bytes() == b"PK\x03\x04 content" and path.suffix == ".xlsx"
        copied = path
        raise RuntimeError("the reader failed")
    assert not copied.exists() and not copied.parent.exists()


def test_a_local_file_saved_again_under_its_name_replaces_the_stored_one(bucket, tmp_path):
    save_local("token.reading", _written(tmp_path, b"first"), bucket)
    name = save_local("token.reading", _written(tmp_path, b"second"), bucket)
    assert name == "token.reading" and bucket.open(name).read() == b"second"


def test_a_scratch_file_goes_with_its_folder(tmp_path):
    with scratch_file(".reading") as path:
        path.write_bytes(b"kept")
    assert not path.exists() and not path.parent.exists()


def _written(folder, content: bytes):
    path = folder / "local"
    path.write_bytes(content)
    return path
