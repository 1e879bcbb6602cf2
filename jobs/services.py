"""Starting and running jobs.

:func:`start` records a job and, once the caller's transaction commits, hands it to the worker
tier (Celery, when ``CELERY_BROKER_URL`` is set) or runs it inside the web process (the embedded
default: a daemon thread, or at once with ``JOBS_EMBEDDED = "inline"``). :func:`run` is what
either calls: it claims the job, runs its handler, and records the result or the error.

A job is claimed atomically (queued → running), so two deliveries of one message never run it
twice; a running job whose heartbeat stopped (``JOBS_STALE_SECONDS``: its worker died) may be
claimed again, and that is how a job whose worker was killed is retried: the broker delivers its
unacknowledged message again (``acks_late``), or the user asks for it (:func:`retry`)."""

from __future__ import annotations

import datetime
import logging
import secrets
import threading
import time
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from areas.scoping import can

from . import registry
from .models import LIVE_HERE, Job, stale_q
from .registry import JobError, Result
from .storage import job_results

log = logging.getLogger(__name__)

#: a job's heartbeat is written at least this often while its handler runs (a fraction of the
#: stale limit, so a live job is never taken for a dead one)
BEAT_FRACTION = 4


def start(kind: str, *, user, area, params: dict | None = None, label: str = "") -> Job:
    """Record a job of ``kind`` for ``user`` in ``area`` and dispatch it when the current
    transaction commits. ``params`` must be JSON. Refused (``PermissionDenied``) when ``user``
    may not do the kind's action in ``area``."""
    spec = registry.kind(kind)
    if not can(user, spec.action, area):
        raise PermissionDenied
    params = params or {}
    # A double submit, or a reloaded page that starts a job, gets the job already under way.
    pending = (
        Job.objects.filter(
            kind=kind,
            user=user,
            area=area,
            status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        )
        .exclude(stale_q())
        .order_by("-created_at", "-id")
    )
    for job in pending:
        if job.params == params:
            return job
    job = Job.objects.create(
        kind=kind,
        user=user,
        area=area,
        params=params,
        label=(label or kind)[:200],
        heartbeat_at=timezone.now(),  # when it was queued: see ``Job.interrupted``
    )
    transaction.on_commit(partial(dispatch, job.pk))
    return job


def retry(job: Job) -> bool:
    """Queue ``job`` again if it failed or was interrupted (``Job.interrupted``: its heartbeat
    stopped, or it stayed queued unclaimed); False when it is neither (done, or queued or running
    and alive)."""
    if job.pk in LIVE_HERE:
        return False
    queued = (
        Job.objects.filter(pk=job.pk)
        .filter(Q(status=Job.Status.FAILED) | stale_q())
        .update(status=Job.Status.QUEUED, error="", finished_at=None, heartbeat_at=timezone.now())
    )
    if queued:
        transaction.on_commit(partial(dispatch, job.pk))
    return bool(queued)


def abandon(job: Job, message: str) -> bool:
    """Fail ``job`` if it was interrupted, so that no late delivery runs it any more: what the
    user does when they cancel instead of retrying. False when it is alive or finished."""
    if job.pk in LIVE_HERE:
        return False
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job.pk)
        .filter(stale_q(now))
        .update(status=Job.Status.FAILED, error=message, finished_at=now, heartbeat_at=now)
    )


def dispatch(job_id: int) -> None:
    """Hand the job to the broker, or run it in this process when there is none."""
    if settings.CELERY_BROKER_URL:
        _send(job_id)
    elif settings.JOBS_EMBEDDED == "inline":
        run(job_id)
    else:
        LIVE_HERE.add(job_id)  # before the thread runs, so no page takes it for interrupted
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"job-{job_id}", daemon=True
        ).start()


def _send(job_id: int) -> None:
    from .tasks import run_job

    try:
        # The URL from the settings, read now (not the one the app read at import time).
        with run_job.app.connection_for_write(
            settings.CELERY_BROKER_URL, connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
        ) as conn:
            run_job.apply_async(
                args=[job_id],
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                connection=conn,
                retry=False,
            )
    except Exception:
        log.exception("job %s: the broker did not take it", job_id)
        _fail(
            job_id,
            _("Không gửi được việc tới máy chạy nền. Vui lòng thử lại sau hoặc báo quản trị."),
        )


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        LIVE_HERE.discard(job_id)
        connections.close_all()


def run(job_id: int) -> Job | None:
    """Claim and run the job. Returns the job as it ended, or None when there was nothing to
    run: already done or failed, running elsewhere with a live heartbeat, or gone."""
    job = _claim(job_id)
    if job is None:
        return None
    beat = _Beat(job)
    try:
        stored = _handle(job, beat)
    except (JobError, ValidationError) as exc:
        message = exc.message if isinstance(exc, JobError) else " ".join(exc.messages)
        log.info("job %s (%s) refused: %s", job.pk, job.kind, message)
        return _fail(job.pk, message, attempts=job.attempts)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return _fail(job.pk, generic_error(), attempts=job.attempts)
    finally:
        beat.stop()
    done, total, step = beat.state
    now = timezone.now()
    fields = {
        "status": Job.Status.DONE,
        "finished_at": now,
        "heartbeat_at": now,
        "progress_done": max(done, total),
        "progress_total": total,
        "progress_step": step,
        "result": job.result.name or "",
        "result_name": job.result_name,
    }
    # Only this run's claim may finish the job: one taken over meanwhile is the other run's.
    if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
        **fields
    ):
        log.warning("job %s was taken over while it ran; this run's result is dropped", job.pk)
        if job.result:
            job_results().delete(job.result.name)
        return None
    if stored is not None:
        try:
            stored()
        except Exception:  # the result is the job's: a failed record is logged, not the job's
            log.exception("job %s (%s): recording its result failed", job.pk, job.kind)
    job.refresh_from_db()
    return job


def generic_error() -> str:
    return _(
        "Việc không hoàn thành được do một lỗi của hệ thống. Lỗi đã được ghi lại; vui lòng "
        "thử lại hoặc báo quản trị."
    )


def _handle(job: Job, beat: _Beat):
    """Run the job's handler; returns its result's ``stored`` callback, if any."""
    spec = registry.kind(job.kind)
    if not can(job.user, spec.action, job.area):
        raise JobError(
            _("Bạn không còn quyền làm việc này trên địa bàn %(area)s.") % {"area": job.area.name}
        )
    # The messages of a job, like its documents, are in Vietnamese whatever the interface.
    with override(settings.LANGUAGE_CODE):
        result = spec.handler(job, beat.progress)
    if result is None:
        return None
    _store(job, result)
    return result.stored


def _claim(job_id: int) -> Job | None:
    now = timezone.now()
    limit = now - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=limit))
        .update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            progress_done=0,
            progress_total=0,
            progress_step="",
            error="",
        )
    )
    if not claimed:
        return None
    return Job.objects.select_related("user", "area").get(pk=job_id)


def _store(job: Job, result: Result) -> None:
    content = result.content
    if isinstance(content, str):
        content = content.encode("utf-8")
    suffix = PurePath(result.filename).suffix[:16]
    # A random name: the result is found through its job, never by guessing.
    name = job_results().save(f"{job.pk}-{secrets.token_hex(16)}{suffix}", ContentFile(content))
    job.result.name = name
    job.result_name = result.filename[:200]


def _fail(job_id: int, message: str, *, attempts: int | None = None) -> Job | None:
    """Mark the job failed: the run numbered ``attempts`` (no other run that took it over), or,
    without ``attempts``, a job that never started (the broker refused it)."""
    now = timezone.now()
    jobs = Job.objects.filter(pk=job_id)
    if attempts is None:
        jobs = jobs.filter(status=Job.Status.QUEUED)
    else:
        jobs = jobs.filter(status=Job.Status.RUNNING, attempts=attempts)
    jobs.update(status=Job.Status.FAILED, error=message, finished_at=now, heartbeat_at=now)
    return Job.objects.filter(pk=job_id).first()


def result_open(job: Job):
    """The job's result file, opened for reading (the caller closes it)."""
    return job_results().open(job.result.name, "rb")


def result_delete(job: Job) -> None:
    if job.result:
        job_results().delete(job.result.name)
        Job.objects.filter(pk=job.pk).update(result="")


class _Beat:
    """The running job's progress and heartbeat, written where a page polling the job reads them
    while the handler's own transaction is still open: through a connection of its own in
    autocommit on PostgreSQL (as ``imports.batches._Progress``), beating from a thread as well, so
    a handler busy on one long step is not taken for dead. SQLite (development, one process)
    would lock that second writer out: there the handler's own connection writes the progress,
    and there is no heartbeat thread."""

    def __init__(self, job: Job):
        self.job = job
        self.state: tuple[int, int, str] = (0, 0, "")
        self._lock = threading.Lock()
        self._connection = None
        self._written = 0.0
        self._stopped = threading.Event()
        self._thread = None
        if connection.vendor == "postgresql":
            self._connection = connections.create_connection(connection.alias)
            self._connection.inc_thread_sharing()
            self._thread = threading.Thread(
                target=self._beat_loop, name=f"job-{job.pk}-beat", daemon=True
            )
            self._thread.start()

    def progress(self, done: int, total: int, step: str = "") -> None:
        with self._lock:
            self.state = (max(0, int(done)), max(0, int(total)), str(step)[:200])
            now = time.monotonic()
            if now - self._written < settings.JOBS_PROGRESS_INTERVAL and done < total:
                return
            self._written = now
            self._write(progress=True)

    def _beat_loop(self) -> None:
        interval = max(0.2, settings.JOBS_STALE_SECONDS / BEAT_FRACTION)
        while not self._stopped.wait(interval):
            with self._lock:
                if self._stopped.is_set():
                    return
                try:
                    self._write(progress=False)
                except Exception:  # a lost connection: the next beat tries again
                    log.warning("job %s: heartbeat not written", self.job.pk, exc_info=True)

    def _write(self, *, progress: bool) -> None:
        table = Job._meta.db_table
        now = timezone.now()
        # Only this run's claim: a run taken over meanwhile must not write into the new run's.
        attempts = self.job.attempts
        if self._connection is None:  # SQLite: the handler's own connection
            if connection.in_atomic_block:
                # Writing inside the handler's transaction would hold SQLite's write lock for the
                # whole import ("database is locked" for the pages): the state stays in memory
                # and ``run`` writes the last one. The thread is in ``LIVE_HERE`` meanwhile.
                return
            fields = {"heartbeat_at": now}
            if progress:
                done, total, step = self.state
                fields.update(progress_done=done, progress_total=total, progress_step=step)
            Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING, attempts=attempts).update(
                **fields
            )
            return
        with self._connection.cursor() as cursor:
            if progress:
                done, total, step = self.state
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s, "
                    f"progress_step = %s, heartbeat_at = %s "
                    f"WHERE id = %s AND status = %s AND attempts = %s",
                    [done, total, step, now, self.job.pk, Job.Status.RUNNING, attempts],
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET heartbeat_at = %s "
                    f"WHERE id = %s AND status = %s AND attempts = %s",
                    [now, self.job.pk, Job.Status.RUNNING, attempts],
                )

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
        if self._connection is not None:
            self._connection.dec_thread_sharing()
            self._connection.close()
            self._connection = None


def jobs_purge(*, days: int | None = None) -> int:
    """Remove the result files of jobs finished more than ``days`` (default
    ``settings.JOBS_KEEP_DAYS``) ago, and their parameters (a list's search text may hold
    names); the jobs stay as a record (kind, area, label, who, when). Returns how many files
    went."""
    days = settings.JOBS_KEEP_DAYS if days is None else days
    limit = timezone.now() - datetime.timedelta(days=days)
    count = 0
    for job in Job.objects.filter(finished_at__lt=limit).exclude(result=""):
        result_delete(job)
        count += 1
    Job.objects.filter(finished_at__lt=limit).exclude(params={}).update(params={})
    return count
