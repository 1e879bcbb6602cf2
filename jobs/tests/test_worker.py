"""Jobs against a real Celery worker process on Redis (no eager mode, no mocks): success, a
failure, and a worker killed mid-job. The worker sees the test database only on PostgreSQL."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from openpyxl import load_workbook

from areas.tests.factories import CommuneFactory, VillageFactory
from households.tests.report_data import populate
from jobs import services
from jobs.models import Job
from jobs.testing import TEST_REDIS_URL, unique_queue, worker

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="a worker process sees only a PostgreSQL test database (SQLite's is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]

#: seconds after which a job whose heartbeat stopped counts as interrupted, in these tests
STALE = 2
#: communes of the batch a worker is killed in
COMMUNES = 16


@pytest.fixture
def broker(settings, poverty_standards):
    settings.CELERY_BROKER_URL = TEST_REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = unique_queue()
    settings.JOBS_STALE_SECONDS = STALE
    return settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.fixture
def province_data(district, village_a):
    """Two communes with results for 2023 and one with none (listed as left out)."""
    populate(village_a, 4, poor=1, near=1)
    second = VillageFactory(parent=CommuneFactory(name="Xã Hai", code="01091", parent=district))
    populate(second, 3, poor=1)
    CommuneFactory(name="Xã Trống", code="01092", parent=district)
    return district


def wait_for(job: Job, condition, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.05)
    raise AssertionError(
        f"job {job.pk} still {job.status} ({job.progress_done}/{job.progress_total})"
    )


def test_report_batch_runs_on_the_worker_and_is_downloaded_as_one_zip(
    broker, province_data, viewer, client
):
    client.force_login(viewer)
    with worker(queue=broker) as w:
        response = client.post(
            reverse("report_batch", args=["baseline"]),
            {"area": province_data.pk, "year": 2023, "format": "xlsx"},
        )
        job = Job.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
        job = wait_for(job, lambda j: j.finished)
        assert "run_job" in w.log()
    assert job.status == Job.Status.DONE, job.error
    assert (job.attempts, job.progress_done, job.progress_total) == (1, 3, 3)
    assert job.result_name == "baseline-034-2023-xlsx.zip"
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "baseline-01090-2023.xlsx",
        "baseline-01091-2023.xlsx",
        "khong-lap-duoc.txt",
    ]
    assert "Xã Trống" in archive.read("khong-lap-duoc.txt").decode()
    sheet = load_workbook(io.BytesIO(archive.read("baseline-01090-2023.xlsx"))).active
    assert any("Vĩnh Hảo" in str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def test_failed_batch_shows_a_clear_message_and_keeps_no_file(
    broker, province_data, viewer, client
):
    client.force_login(viewer)
    with worker(queue=broker):
        job = services.start(
            "reports.batch",
            user=viewer,
            area=province_data,
            params={"slug": "baseline", "format": "pdf", "year": 2031},
        )
        job = wait_for(job, lambda j: j.finished)
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Không lập được báo cáo cho xã nào của Huyện Bắc Quang")
    assert not job.result
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Không lập được báo cáo cho xã nào" in page and "Chạy lại" in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_job_of_a_killed_worker_is_retried_and_completed_by_a_new_worker(broker, district, viewer):
    # Enough communes that the batch runs a few seconds; the first worker is killed as soon as
    # the job reports progress. The job then shows as interrupted once its heartbeat is stale,
    # and is run again (the page's "Chạy lại", `jobs_retry --stale`): a new worker completes it.
    # The broker's own redelivery of the unacknowledged message (acks_late) comes only after
    # its visibility timeout (hours by default), so this test does not wait for it.
    for index in range(COMMUNES):
        village = VillageFactory(
            parent=CommuneFactory(name=f"Xã {index:02d}", code=f"02{index:03d}", parent=district)
        )
        populate(village, 1, poor=1)
    env = {
        "JOBS_STALE_SECONDS": str(STALE),
        "JOBS_PROGRESS_INTERVAL": "0",  # each commune's progress written: the kill comes early
    }
    with worker(queue=broker, env=env) as first:
        job = services.start(
            "reports.batch",
            user=viewer,
            area=district,
            params={"slug": "baseline", "format": "csv", "year": 2023},
        )
        job = wait_for(job, lambda j: j.progress_done > 0 or j.finished)
        assert job.status == Job.Status.RUNNING, "the batch finished before it could be killed"
        first.kill()
    killed_at = job.progress_done
    job = wait_for(job, lambda j: j.interrupted, timeout=STALE * 10)
    assert job.status == Job.Status.RUNNING and job.retryable
    with worker(queue=broker, env=env):
        assert services.retry(job)
        job = wait_for(job, lambda j: j.finished, timeout=60)
    assert job.status == Job.Status.DONE, job.error
    assert job.attempts == 2 and killed_at < job.progress_total == COMMUNES
    with services.result_open(job) as handle:
        assert len(zipfile.ZipFile(handle).namelist()) == COMMUNES
