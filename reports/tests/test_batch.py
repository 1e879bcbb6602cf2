"""Report batches: every commune of an area in one zip, from the report page (a background job)
and from the shell (``report --all-below --zip``), through one batch function."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from areas.tests.factories import CommuneFactory, VillageFactory
from households.tests.report_data import populate
from jobs.models import Job
from jobs.services import result_open


@pytest.fixture
def area_data(district, village_a):
    populate(village_a, 4, poor=1, near=1)
    second = VillageFactory(parent=CommuneFactory(name="Xã Hai", code="01091", parent=district))
    populate(second, 3, poor=1)
    CommuneFactory(name="Xã Trống", code="01092", parent=district)  # no review: left out
    return district


@pytest.fixture
def inline(settings):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"


EXPECTED = ["baseline-01090-2023.pdf", "baseline-01091-2023.pdf", "khong-lap-duoc.txt"]


def test_district_report_page_offers_the_batch_and_a_commune_page_does_not(
    client, viewer, area_data, commune
):
    client.force_login(viewer)
    page = client.get(reverse("report", args=["baseline"]), {"area": area_data.pk, "year": 2023})
    html = page.content.decode()
    assert 'data-testid="report-batch"' in html
    assert reverse("report_batch", args=["baseline"]) in html
    page = client.get(reverse("report", args=["baseline"]), {"area": commune.pk, "year": 2023})
    assert 'data-testid="report-batch"' not in page.content.decode()


def test_batch_button_starts_a_job_whose_zip_holds_each_commune(
    client, viewer, area_data, inline, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_batch", args=["baseline"]),
            {"area": area_data.pk, "year": "2023", "format": "pdf"},
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.error
    assert job.label.endswith(" · mọi xã thuộc Huyện Bắc Quang · 2023 (PDF)")
    with result_open(job) as handle:
        archive = zipfile.ZipFile(handle)
        assert sorted(archive.namelist()) == EXPECTED
        assert archive.read("baseline-01090-2023.pdf").startswith(b"%PDF")
        assert archive.read("khong-lap-duoc.txt").decode().startswith("Xã Trống:")


def test_batch_for_an_area_outside_the_users_scope_is_404(client, other_officer, area_data, inline):
    client.force_login(other_officer)
    response = client.post(
        reverse("report_batch", args=["baseline"]), {"area": area_data.pk, "format": "pdf"}
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_batch_is_only_for_areas_above_a_commune(client, officer, commune, inline):
    client.force_login(officer)
    response = client.post(
        reverse("report_batch", args=["baseline"]), {"area": commune.pk, "format": "pdf"}
    )
    assert response.status_code == 404


def test_command_zip_holds_the_same_files_as_the_folder(area_data, tmp_path, capsys):
    common = ["report", "baseline", "--area", area_data.code, "--year", "2023", "--format", "pdf"]
    call_command(*common, "--all-below", "--zip", str(tmp_path / "b.zip"))
    err = capsys.readouterr().err
    assert "Đã ghi 2 tệp" in err and "Bỏ qua Xã Trống" in err
    call_command(*common, "--all-below", "--output", str(tmp_path / "folder"))
    archive = zipfile.ZipFile(io.BytesIO((tmp_path / "b.zip").read_bytes()))
    assert sorted(archive.namelist()) == EXPECTED
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == EXPECTED[:2]
    with pytest.raises(CommandError, match="--zip"):
        call_command(*common, "--zip", str(tmp_path / "c.zip"))


def test_posting_the_batch_twice_starts_one_job(client, viewer, area_data, inline):
    client.force_login(viewer)
    data = {"area": area_data.pk, "year": "2023", "format": "pdf"}
    first = client.post(reverse("report_batch", args=["baseline"]), data)
    second = client.post(reverse("report_batch", args=["baseline"]), data)  # a double click
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=[job.pk])
