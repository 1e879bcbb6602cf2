"""Jobs without a broker (the embedded default): run inline or in a thread of the web process."""

import threading
import time

import pytest
from django.contrib.auth.models import Group

from jobs import services
from jobs.models import LIVE_HERE, Job
from jobs.registry import JobError, Result, register


@register("tests.echo", action="view")
def echo(job, progress):
    total = job.params.get("total", 3)
    for index in range(total):
        progress(index + 1, total, f"bước {index + 1}")
    return Result("echo.txt", f"{job.area.name}: {job.params.get('text', '')}")


@register("tests.refused", action="view")
def refused(job, progress):
    raise JobError("Không lập được: thiếu số liệu năm 2030.")


@register("tests.broken", action="edit_registry")
def broken(job, progress):
    from django.db import transaction

    with transaction.atomic():
        Group.objects.create(name="half-written")
        progress(1, 2)
        raise RuntimeError("boom at /secret/path.py")


@pytest.fixture
def inline(settings):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"


def _start(kind, user, area, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start(kind, user=user, area=area, params=params, label="Thử")
    job.refresh_from_db()
    return job


def test_job_runs_inline_and_keeps_its_result_when_no_broker(
    inline, officer, commune, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    job = _start("tests.echo", officer, commune, capture, text="xin chào")
    assert job.status == Job.Status.DONE
    assert (job.progress_done, job.progress_total, job.attempts) == (3, 3, 1)
    assert job.result_name == "echo.txt"
    assert "echo" not in job.result.name  # a random name, not the download's
    with services.result_open(job) as handle:
        assert handle.read().decode() == "Xã Vĩnh Hảo: xin chào"


def test_job_error_message_is_shown_as_is_when_handler_refuses(
    inline, officer, commune, django_capture_on_commit_callbacks
):
    job = _start("tests.refused", officer, commune, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert job.error == "Không lập được: thiếu số liệu năm 2030."
    assert not job.result


def test_fault_fails_with_a_generic_sentence_and_writes_nothing(
    inline, officer, commune, django_capture_on_commit_callbacks, caplog
):
    job = _start("tests.broken", officer, commune, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "lỗi của hệ thống" in job.error
    assert "boom" not in job.error and "/secret" not in job.error
    assert "boom at /secret/path.py" in caplog.text  # the traceback goes to the log
    assert not Group.objects.filter(name="half-written").exists()


def test_start_is_refused_when_user_may_not_act_in_area(inline, viewer, commune):
    with pytest.raises(Exception) as caught:
        services.start("tests.broken", user=viewer, area=commune)
    assert caught.type.__name__ == "PermissionDenied"
    assert not Job.objects.exists()


def test_job_fails_when_its_user_lost_the_right_before_it_ran(
    inline, officer, commune, django_capture_on_commit_callbacks
):
    job = services.start("tests.echo", user=officer, area=commune)
    officer.memberships.all().delete()
    services.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "không còn quyền" in job.error


def test_job_is_claimed_once_when_delivered_twice(inline, officer, commune):
    job = services.start("tests.echo", user=officer, area=commune)
    assert services.run(job.pk) is not None
    assert services.run(job.pk) is None  # the second delivery finds it done
    job.refresh_from_db()
    assert job.attempts == 1


def test_stale_running_job_is_taken_over_and_retried(inline, officer, commune, settings):
    from datetime import timedelta

    from django.utils import timezone

    job = services.start("tests.echo", user=officer, area=commune)
    old = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=old, attempts=1)
    job.refresh_from_db()
    assert job.interrupted and job.retryable
    assert services.run(job.pk) is not None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)


def test_running_job_with_live_heartbeat_is_not_taken_over(inline, officer, commune):
    from django.utils import timezone

    job = services.start("tests.echo", user=officer, area=commune)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    assert services.run(job.pk) is None
    assert not services.retry(job)


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_thread_of_the_web_process_by_default(settings, officer, commune):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "thread"
    job = services.start("tests.echo", user=officer, area=commune, params={"text": "luồng"})
    # The job runs in a daemon thread named after it, its id in LIVE_HERE until it ends; wait
    # for that rather than poll the row (an in-memory SQLite test database locks a table read
    # while the thread writes it). The thread may have ended already: then it is not listed.
    runner = next((t for t in threading.enumerate() if t.name == f"job-{job.pk}"), None)
    assert runner is None or runner.daemon
    deadline = time.monotonic() + 10
    while job.pk in LIVE_HERE and time.monotonic() < deadline:
        time.sleep(0.01)
    if runner is not None:
        runner.join(timeout=10)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_job_fails_with_a_clear_message_when_the_broker_is_down(
    settings, officer, commune, django_capture_on_commit_callbacks
):
    from jobs.testing import free_port

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/1"  # nothing listens there
    started = time.monotonic()
    job = _start("tests.echo", officer, commune, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 10
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Không gửi được việc tới máy chạy nền.")


@pytest.mark.django_db(transaction=True)
def test_a_run_taken_over_writes_nothing_into_the_new_runs_row(settings, officer, commune):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"
    job = Job.objects.create(kind="tests.echo", user=officer, area=commune)
    first = services._claim(job.pk)
    beat = services._Beat(first)
    try:
        beat.progress(2, 9, "lần đầu")
        assert Job.objects.get(pk=job.pk).progress_done == 2  # its own run: written
        # Its heartbeat stopped and a second run claimed the job meanwhile.
        Job.objects.filter(pk=job.pk).update(attempts=2, progress_done=0, progress_step="")
        beat.progress(9, 9, "lần đầu")
        beat._write(progress=False)
    finally:
        beat.stop()
    row = Job.objects.get(pk=job.pk)
    assert (row.progress_done, row.progress_step, row.status) == (0, "", Job.Status.RUNNING)
    services._fail(job.pk, "lỗi của lần đầu", attempts=first.attempts)
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_second_start_of_the_same_job_returns_the_one_under_way(
    inline, officer, commune, django_capture_on_commit_callbacks
):
    first = services.start("tests.echo", user=officer, area=commune, params={"text": "a"})
    again = services.start("tests.echo", user=officer, area=commune, params={"text": "a"})
    assert again.pk == first.pk
    other = services.start("tests.echo", user=officer, area=commune, params={"text": "b"})
    assert other.pk != first.pk
    services.run(first.pk)  # once it is done, the same request starts a new job
    later = services.start("tests.echo", user=officer, area=commune, params={"text": "a"})
    assert later.pk not in (first.pk, other.pk)
    assert Job.objects.filter(kind="tests.echo").count() == 3


STORED: list[int] = []


@register("tests.recorded", action="view")
def recorded(job, progress):
    if job.params.get("taken_over"):  # another run claims the job while this one works
        Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    return Result("r.txt", "x", stored=lambda: STORED.append(job.pk))


def test_a_results_record_is_made_once_by_the_run_that_finished_the_job(inline, officer, commune):
    STORED.clear()
    job = Job.objects.create(kind="tests.recorded", user=officer, area=commune)
    assert services.run(job.pk).status == Job.Status.DONE
    assert [job.pk] == STORED
    # A run whose job was taken over meanwhile records nothing: its result is dropped.
    other = Job.objects.create(
        kind="tests.recorded", user=officer, area=commune, params={"taken_over": True}
    )
    assert services.run(other.pk) is None
    assert [job.pk] == STORED


STARTED, GATE = threading.Event(), threading.Event()


@register("tests.holding", action="view")
def holding(job, progress):
    """Writes in its own transaction and waits there, as an import does while it writes."""
    from django.db import transaction

    with transaction.atomic():
        Group.objects.create(name=f"holding-{job.pk}")
        progress(1, 2, "đang ghi")
        STARTED.set()
        GATE.wait(10)
        progress(2, 2, "đang ghi")


@pytest.mark.django_db(transaction=True)
def test_a_thread_in_its_transaction_leaves_the_job_row_free_and_is_never_interrupted(
    settings, officer, commune
):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "thread"
    settings.JOBS_PROGRESS_INTERVAL = 0
    STARTED.clear()
    GATE.clear()
    job = services.start("tests.holding", user=officer, area=commune)
    try:
        assert STARTED.wait(10)
        # On SQLite the page reads the job's row while the handler's transaction is open: the
        # progress stayed in memory, so no lock of the row's table is held ("database is locked").
        row = Job.objects.get(pk=job.pk)
        assert row.status == Job.Status.RUNNING
        settings.JOBS_STALE_SECONDS = 0  # its heartbeat looks stopped: its thread lives here
        assert not row.interrupted and not row.retryable
        assert not services.retry(row) and not Job.objects.stale().exists()
    finally:
        GATE.set()
        deadline = time.monotonic() + 10
        while job.pk in LIVE_HERE and time.monotonic() < deadline:
            time.sleep(0.01)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (Job.Status.DONE, 2, 2)
