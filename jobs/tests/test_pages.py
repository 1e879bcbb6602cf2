"""The pages of a job: only its owner sees them; the status block polls while the job runs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import Job
from jobs.tests.test_embedded import echo  # noqa: F401  (registers the test kinds)


@pytest.fixture
def job(settings, officer, commune, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        started = services.start(
            "tests.echo", user=officer, area=commune, params={"text": "x"}, label="Lập thử"
        )
    started.refresh_from_db()
    return started


def urls(job):
    return [
        reverse("jobs:detail", args=[job.pk]),
        reverse("jobs:progress", args=[job.pk]),
        reverse("jobs:download", args=[job.pk]),
    ]


def test_owner_sees_the_finished_job_with_its_download(client, officer, job):
    client.force_login(officer)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Lập thử" in page and 'data-status="done"' in page
    assert reverse("jobs:download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # finished: no polling
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="echo.txt"'
    assert b"".join(response.streaming_content) == "Xã Vĩnh Hảo: x".encode()
    assert "Lập thử" in client.get(reverse("jobs:list")).content.decode()


@pytest.mark.parametrize("persona", ["board_a", "other_officer", "viewer", "administrator"])
def test_another_user_gets_404_for_every_page_of_a_job(client, job, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in urls(job):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert "Lập thử" not in client.get(reverse("jobs:list")).content.decode()


def test_pages_ask_a_visitor_to_log_in(client, job):
    for url in urls(job):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_progress_fragment_polls_while_running_and_shows_the_bar(client, officer, job):
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
        progress_done=3,
        progress_total=12,
        progress_step="Xã Hai",
    )
    client.force_login(officer)
    response = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="job-status"')
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in html
    assert '<progress class="w-100" max="12" value="3"' in html and "Xã Hai" in html
    assert "<html" not in html  # the block alone


def test_interrupted_job_stops_polling_and_offers_retry(client, officer, job, settings):
    old = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=old)
    client.force_login(officer)
    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "bị gián đoạn" in html and "Chạy lại" in html and "hx-trigger" not in html
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # dispatched when the request's transaction commits


def test_download_of_an_unfinished_job_is_404(client, officer, job):
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    client.force_login(officer)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_jobs_retry_command_queues_a_failed_job(job, capsys):
    from django.core.management import call_command

    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="x")
    call_command("jobs_retry", str(job.pk))
    assert "đã cho chạy lại" in capsys.readouterr().out
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.error == ""


def test_jobs_purge_removes_old_result_files_and_keeps_the_jobs(job):
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=30))
    assert services.jobs_purge(days=14) == 1
    job.refresh_from_db()
    assert not job.result and job.status == Job.Status.DONE
    assert job.params == {} and job.label == "Lập thử"  # what was asked (a search) goes too


def test_admin_lists_jobs_read_only_without_the_result_name(client, administrator, job):
    client.force_login(administrator)
    listing = client.get(reverse("admin:jobs_job_changelist"))
    assert listing.status_code == 200 and "Lập thử" in listing.content.decode()
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "echo.txt" in page and job.result.name not in page
    assert client.post(reverse("admin:jobs_job_delete", args=[job.pk])).status_code == 403


def test_a_queued_job_never_claimed_is_interrupted_and_retried(job, settings, capsys):
    from django.core.management import call_command

    # Waiting its turn longer than a running job may go without a heartbeat: still queued.
    waiting = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, heartbeat_at=waiting)
    job.refresh_from_db()
    assert not job.interrupted and not Job.objects.stale().exists()
    old = timezone.now() - timedelta(seconds=settings.JOBS_QUEUED_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, heartbeat_at=old)
    job.refresh_from_db()
    assert job.interrupted and job.retryable
    assert list(Job.objects.stale()) == [job]
    call_command("jobs_retry", "--stale")
    assert "đã cho chạy lại" in capsys.readouterr().out
    job.refresh_from_db()
    # Queued again just now: neither interrupted nor stale until the limit passes again.
    assert job.status == Job.Status.QUEUED and not job.interrupted and not job.retryable
    assert not Job.objects.stale().exists() and not services.retry(job)


def test_a_queued_job_from_before_the_queue_time_counts_from_its_creation(job, settings):
    old = timezone.now() - timedelta(seconds=settings.JOBS_QUEUED_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, heartbeat_at=None)
    job.refresh_from_db()
    assert not job.interrupted and not Job.objects.stale().exists()
    Job.objects.filter(pk=job.pk).update(created_at=old)
    job.refresh_from_db()
    assert job.interrupted and Job.objects.stale().get() == job
    assert services.retry(job)
