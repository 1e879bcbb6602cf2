"""An import batch: one uploaded Excel file on its way from upload through preview to
confirmation.

The batch is the whole state of an import between requests: the stored file and its digest, who
uploaded it, for which commune (and cycle), what the preview found (the outcome digest a confirm
must find again, the counts, the row problems), the preview's reading of the file, the progress
a page polls, what the preview page shows, and the status. No session holds any of it, so any
web process — or a background job given the batch's id — runs the preview or the confirm, and
any web process shows the result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import import_uploads


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("Hộ gia đình")
        ASSESSMENTS = "assessments", _("Kết quả rà soát")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "uploaded"
        PREVIEWED = "previewed", "previewed"
        CONFIRMING = "confirming", "confirming"  # being written: a second confirm is refused
        CONFIRMED = "confirmed", "confirmed"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"
        EXPIRED = "expired", "expired"

    # The batch's name in URLs: drawn by the server at upload, so no request can choose it.
    token = models.CharField(max_length=32, unique=True)
    # The token the import page polls while the upload request runs (``views.progress_token``).
    progress_token = models.CharField(max_length=32, blank=True, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    # The scope: the commune imported into (for results, the cycle's commune).
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(
        "households.ReviewCycle", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(storage=import_uploads, upload_to="", max_length=200)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # What the preview read of the file (``importer._Import``'s kept reading), and its digest,
    # checked on the bytes before they are loaded.
    reading = models.FileField(storage=import_uploads, upload_to="", max_length=200, blank=True)
    reading_sha256 = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    # The background job (``jobs.Job``) running the batch's latest preview or confirm: its page
    # polls it, and shows its error when it failed.
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the preview page shows of the latest preview or confirm (``batches.report_shown``):
    # the counts, the first rows of each list and the confirm's verdict, so that any web process
    # can show what a worker found.
    shown = models.JSONField(default=dict, blank=True)
    # The previewed outcome: its digest (``ImportReport.outcome()``, empty when the preview found
    # problems, so nothing is confirmed unseen) and its counts.
    outcome = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Nhập Excel")
        verbose_name_plural = _("Nhập Excel")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.kind}, {self.status})"

    @property
    def target_pk(self) -> int:
        return self.cycle_id if self.kind == self.Kind.ASSESSMENTS else self.area_id
