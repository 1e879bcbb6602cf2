"""An import batch holds everything between upload, preview and confirm: no session state, so a
job given the batch's id alone can run either step."""

import datetime
import os

import pytest
from django.utils import timezone

from households.models import Household
from imports import batches
from imports.models import ImportBatch
from imports.tests.test_imports import good_registry, registry_file, stored, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def test_an_upload_is_recorded_as_a_batch_of_its_uploader_and_scope(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    batch = ImportBatch.objects.get(token=stored(upload(client, commune, good_registry())))
    assert batch.uploaded_by == officer and batch.area == commune and batch.cycle is None
    assert batch.kind == "households" and batch.status == "previewed"
    assert batch.filename == "danh-sach.xlsx" and batch.file.name == f"{batch.token}.xlsx"
    assert batch.sha256 == batches._sha256(batch.file)
    assert batch.outcome["digest"] and batch.outcome["counts"]["new"] == 1
    assert batch.problems == [] and batch.progress["done"]
    assert batch.reading_sha256 and (uploads / f"{batch.token}.reading").exists()


def test_the_row_problems_of_a_preview_are_kept_with_the_batch(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "", 40, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "31/02/1980", "Chủ hộ", "", ""]],
    )
    batch = ImportBatch.objects.get(token=stored(upload(client, commune, source)))
    assert batch.outcome["digest"] == ""  # nothing to confirm unseen
    assert any("Ngày “31/02/1980” không có thật." in line for line in batch.problems)


def test_a_batch_is_confirmed_from_its_id_alone(client, commune, village_a, officer, uploads):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    pk = ImportBatch.objects.get(token=token).pk
    report = batches.batch_confirm(ImportBatch.objects.get(pk=pk))
    assert report.committed and Household.objects.get().code == "VH-001"
    batch = ImportBatch.objects.get(pk=pk)
    assert batch.status == "confirmed" and not batch.file and not batch.reading
    assert not (uploads / f"{token}.xlsx").exists()


def test_a_batch_being_confirmed_is_not_confirmed_again(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    ImportBatch.objects.filter(token=token).update(status="confirming")  # another request's
    second = client.post(f"/imports/{token}/confirm/")
    assert second.status_code == 404 and "đã được xác nhận nhập" in second.text
    assert Household.objects.count() == 0


def test_a_batch_outside_the_uploaders_scope_now_is_not_confirmed(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    officer.memberships.all().delete()
    assert client.post(f"/imports/{token}/confirm/").status_code == 403  # may import nowhere now
    assert Household.objects.count() == 0


def test_uploads_older_than_the_keep_hours_are_removed_at_the_next_upload(
    client, commune, village_a, officer, uploads, settings
):
    settings.IMPORT_KEEP_HOURS = 1
    client.force_login(officer)
    old = stored(upload(client, commune, good_registry()))
    ImportBatch.objects.filter(token=old).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    stray = uploads / "left-by-a-crash.xlsx"
    stray.write_bytes(b"x")
    stale = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    os.utime(stray, (stale, stale))
    new = stored(upload(client, commune, good_registry()))
    assert not (uploads / f"{old}.xlsx").exists() and not (uploads / f"{old}.reading").exists()
    assert not stray.exists() and (uploads / f"{new}.xlsx").exists()
    assert ImportBatch.objects.get(token=old).status == "expired"
    assert client.post(f"/imports/{old}/confirm/").status_code == 404
    assert Household.objects.count() == 0


def test_the_admin_lists_batches_read_only():
    from django.contrib import admin

    model_admin = admin.site._registry[ImportBatch]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None)
    assert not model_admin.has_delete_permission(None)
