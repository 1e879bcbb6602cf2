"""The worker tier's one task: run a job by its id (``jobs.services.run``).

``acks_late`` with ``reject_on_worker_lost``: the message is acknowledged only once the job has
run, so a worker that dies mid-job leaves it with the broker, which hands it to another worker
(Redis: after ``visibility_timeout``). That worker finds the job running with a stopped heartbeat
and takes it over; while the heartbeat is still fresh (the first worker may only be slow), the
task comes back later instead of running the job a second time."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections

from . import services
from .models import Job


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def run_job(self, job_id: int) -> None:
    close_old_connections()
    try:
        ran = services.run(job_id)
        if ran is None and Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists():
            raise self.retry(
                countdown=settings.JOBS_STALE_SECONDS, queue=settings.CELERY_TASK_DEFAULT_QUEUE
            )
    finally:
        close_old_connections()
