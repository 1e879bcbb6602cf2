"""``Job``: one piece of background work, its record from start to result. Any web process
reads it (status, progress, result, error); nothing of a job lives only in one process."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import job_results

#: ids of the jobs whose thread runs in this process now (embedded mode): never interrupted,
#: whatever their heartbeat says (on SQLite a job in its importer's transaction does not beat)
LIVE_HERE: set[int] = set()


def stale_q(now: datetime.datetime | None = None) -> models.Q:
    """The condition of an interrupted job: running with no heartbeat for ``JOBS_STALE_SECONDS``,
    or queued and unclaimed for ``JOBS_QUEUED_STALE_SECONDS``. A queued job's ``heartbeat_at`` is
    when it was queued (started or retried); a job queued before that field was set counts from
    its creation."""
    now = now or timezone.now()
    running = now - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    queued = now - datetime.timedelta(seconds=settings.JOBS_QUEUED_STALE_SECONDS)
    return (
        models.Q(status=Job.Status.RUNNING, heartbeat_at__lt=running)
        | models.Q(status=Job.Status.QUEUED, heartbeat_at__lt=queued)
        | models.Q(status=Job.Status.QUEUED, heartbeat_at=None, created_at__lt=queued)
    )


class JobQuerySet(models.QuerySet):
    def of(self, user) -> JobQuerySet:
        """``user``'s own jobs: nobody else sees a job, whatever their role."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def stale(self, now: datetime.datetime | None = None) -> JobQuerySet:
        """Interrupted jobs (:attr:`Job.interrupted`): running ones whose heartbeat stopped (their
        worker or web process died), and queued ones never claimed within the limit (the broker
        lost the message, or the web process died before handing it on)."""
        return self.filter(stale_q(now)).exclude(pk__in=list(LIVE_HERE))


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("loại việc"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("người chạy"),
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    label = models.CharField(_("tên việc"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("đã làm"), default=0)
    progress_total = models.PositiveIntegerField(_("tổng số"), default=0)
    progress_step = models.CharField(_("bước"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # A name in STORAGES["jobs"] (jobs/storage.py), random and never served by URL.
    result = models.FileField(_("kết quả"), max_length=255, blank=True, storage=job_results)
    result_name = models.CharField(_("tên tệp kết quả"), max_length=200, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_created"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return self.label or self.kind

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def interrupted(self) -> bool:
        """Running, but its heartbeat stopped for ``JOBS_STALE_SECONDS`` (the process running it
        died); or queued and never claimed within ``JOBS_QUEUED_STALE_SECONDS`` (the broker lost
        its message, or the web process died before handing it on; longer, so a job waiting its
        turn behind others is not taken for lost). The same rule as :meth:`JobQuerySet.stale`."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING) or self.pk in LIVE_HERE:
            return False
        since = self.heartbeat_at
        if since is None:
            if self.status != self.Status.QUEUED:
                return False
            since = self.created_at
        limit = (
            settings.JOBS_QUEUED_STALE_SECONDS
            if self.status == self.Status.QUEUED
            else settings.JOBS_STALE_SECONDS
        )
        return (timezone.now() - since).total_seconds() > limit

    @property
    def retryable(self) -> bool:
        return self.status == self.Status.FAILED or self.interrupted

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
