"""Running an import batch (``models.ImportBatch``): store the upload, preview it, confirm it,
discard it, and forget old ones.

Each step needs the batch alone — the uploader, the scope, the file and what the preview found
are all in it — so a background job given the batch's id could run the preview or the confirm
as the web request does now. The uploader's rights are checked again at every step: a commune
where they no longer change households, or a cycle no longer open, makes the batch unavailable.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from households.models import ReviewCycle

from . import exports
from .importer import ImportReport, RowChange, RowIssue, _Import
from .models import ImportBatch
from .registry import HouseholdImport
from .results import AssessmentImport
from .storage import import_uploads, local_copy, save_local, scratch_file

log = logging.getLogger(__name__)

# The statuses from which a batch may still be previewed again, confirmed or cancelled.
OPEN = (ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)


# A batch confirmed, or being confirmed: a second confirm writes nothing and says so.
DONE = (ImportBatch.Status.CONFIRMING, ImportBatch.Status.CONFIRMED)


class BatchUnavailable(Exception):
    """The batch cannot be run for its uploader now (scope, status, or its file changed)."""


class AlreadyConfirmed(BatchUnavailable):
    """The batch is confirmed, or being confirmed by another request."""


def communes_for(user):
    """Communes in which ``user`` may change at least one village's households."""
    return Area.objects.communes().filter(
        pk__in=Area.objects.editable_villages(user).values("parent_id")
    )


def open_cycles_for(user):
    return (
        ReviewCycle.objects.visible_to(user)
        .filter(status=ReviewCycle.Status.DRAFT, commune__in=communes_for(user))
        .select_related("commune", "standard")
    )


def batch_create(*, user, kind: str, target, upload, progress_token: str = "") -> ImportBatch:
    """Store ``upload`` (a Django ``File``) for ``user`` as a new batch of ``kind`` for ``target``
    (a commune, or a cycle for results). Its name in the storage is a token drawn here, so no
    request can choose (and so replace) a file waiting for confirmation."""
    batches_remove_stale()
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    token = secrets.token_urlsafe(16)
    batch = ImportBatch(
        token=token,
        progress_token=progress_token,
        kind=kind,
        uploaded_by=user,
        area=target if kind == ImportBatch.Kind.HOUSEHOLDS else target.commune,
        cycle=None if kind == ImportBatch.Kind.HOUSEHOLDS else target,
        filename=upload.name[:255],
        sha256=digest.hexdigest(),
    )
    # Through the storage of the settings as they are now (the field's own is fixed at start).
    batch.file.name = import_uploads().save(f"{token}.xlsx", upload)
    batch.save()
    return batch


def batch_preview(batch: ImportBatch, *, job_progress=None) -> ImportReport:
    """A dry run of the batch's file: the report, and in the batch what a confirm compares
    against (the outcome digest), what the preview page shows, and the reading the confirm
    starts from (written to a local scratch file by the importer, then stored beside the
    upload). ``job_progress``: the running job's ``progress(done, total, step)``, if any."""
    progress = _Progress(batch, job_progress=job_progress)
    try:
        with importer_for(batch, progress) as importer, scratch_file(".reading") as kept:
            report = importer.run(commit=False, keep=kept)
            _store_reading(batch, kept)
    except BaseException:
        progress.close()
        raise
    progress.set(done=True)
    _record(batch, report, progress, importer)
    return report


def batch_claim(batch: ImportBatch) -> None:
    """Mark the batch as being confirmed, or refuse (``AlreadyConfirmed``) when it is already
    confirmed or being confirmed: a double click or a second tab writes nothing twice. The web
    request claims the batch before it starts the confirm job."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=OPEN).update(
        status=ImportBatch.Status.CONFIRMING, updated_at=timezone.now()
    )
    if not claimed:
        raise AlreadyConfirmed(batch.token)
    batch.status = ImportBatch.Status.CONFIRMING


def batch_confirm(
    batch: ImportBatch,
    *,
    valid_only: bool = False,
    accept_warnings: bool = False,
    claimed: bool = False,
    job_progress=None,
) -> ImportReport:
    """Write the batch's file in one transaction if the registry still gives the outcome its
    preview showed; else nothing is written and the report (``changed_since_preview``) is the new
    preview. A batch already confirmed, or being confirmed, is refused (``AlreadyConfirmed``).

    ``valid_only`` writes the valid rows of a results file with rejected rows (the user chose
    it); the upload is then kept (until ``IMPORT_KEEP_HOURS``) for the rejected rows' download.
    ``accept_warnings``: rows with warnings are written; without it a file with warnings is not
    written (``report.warnings_refused``) and the batch stays open. ``claimed``: the caller has
    claimed the batch already (:func:`batch_claim`; the confirm job)."""
    if not claimed:
        batch_claim(batch)
    elif batch.status != ImportBatch.Status.CONFIRMING:
        raise AlreadyConfirmed(batch.token)
    progress = _Progress(batch, confirming=True, job_progress=job_progress)
    try:
        with importer_for(batch, progress) as importer, transaction.atomic():
            report = importer.run(
                commit=True,
                reuse=_kept_reading(batch),
                expect=batch.outcome.get("digest", ""),
                valid_only=valid_only,
                accept_warnings=accept_warnings,
            )
            if report.committed:
                # In the import's own transaction: a batch whose rows were written is confirmed,
                # whatever fails after the commit (its files' removal, the record of its report).
                ImportBatch.objects.filter(pk=batch.pk).update(
                    status=ImportBatch.Status.CONFIRMED, updated_at=timezone.now()
                )
    except BaseException:
        progress.close()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
        raise
    progress.set(done=True)
    if report.committed:
        batch.status = ImportBatch.Status.CONFIRMED
        _remove_files(batch, keep_upload=report.partial)
    _record(batch, report, progress, importer)
    return report


def batch_cancel(batch: ImportBatch) -> None:
    _remove_files(batch)
    batch.status = ImportBatch.Status.CANCELLED
    batch.save(update_fields=["status", "file", "reading", "updated_at"])


def batch_release(batch: ImportBatch) -> None:
    """Open a batch claimed for a confirm whose job ended before the import began (the job was
    refused: nothing was written), so it may be confirmed again."""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.CONFIRMING).update(
        status=ImportBatch.Status.FAILED, updated_at=timezone.now()
    )
    batch.refresh_from_db(fields=["status", "updated_at"])


def batch_in_scope(batch: ImportBatch) -> bool:
    """Whether the batch's commune (or open cycle) is still one its uploader may import into."""
    user = batch.uploaded_by
    if batch.kind == ImportBatch.Kind.HOUSEHOLDS:
        return communes_for(user).filter(pk=batch.area_id).exists()
    return open_cycles_for(user).filter(pk=batch.cycle_id).exists()


def batch_for(user, token: str) -> ImportBatch:
    """``user``'s own batch named ``token`` whose stored file is still the one uploaded, else
    ``BatchUnavailable``. A confirmed batch is returned as such (the caller says so)."""
    batch = ImportBatch.objects.filter(token=token, uploaded_by=user).first()
    if batch is None:
        raise BatchUnavailable(token)
    if batch.status in DONE:
        return batch
    if batch.status not in OPEN or _sha256(batch.file) != batch.sha256:
        raise BatchUnavailable(token)
    return batch


@contextlib.contextmanager
def importer_for(batch: ImportBatch, progress: _Progress | None = None) -> Iterator[_Import]:
    """The importer of the batch's stored file, in its uploader's scope as it is now, reading a
    local copy of the file that is removed when the block ends."""
    user = batch.uploaded_by
    if batch.kind == ImportBatch.Kind.HOUSEHOLDS:
        commune = communes_for(user).filter(pk=batch.area_id).first()
        if commune is None:
            raise BatchUnavailable(batch.token)
        make, target = HouseholdImport, {"commune": commune}
    else:
        cycle = open_cycles_for(user).filter(pk=batch.cycle_id).first()
        if cycle is None:
            raise BatchUnavailable(batch.token)
        make, target = AssessmentImport, {"cycle": cycle}
    with _local_upload(batch) as source:
        yield make(
            source=source,
            user=user,
            filename=batch.filename,
            progress=progress.reading if progress else None,
            write_progress=progress.writing if progress else None,
            **target,
        )


def batches_remove_stale() -> None:
    """Forget uploads older than ``IMPORT_KEEP_HOURS``: their files go, their batches stay as a
    record (expired unless confirmed or cancelled). Files in the directory that no batch names
    (left by a crash) go after the same time."""
    limit = timezone.now() - datetime.timedelta(hours=settings.IMPORT_KEEP_HOURS)
    for batch in ImportBatch.objects.filter(created_at__lt=limit).exclude(file=""):
        _remove_files(batch)
        if batch.status in OPEN:
            batch.status = ImportBatch.Status.EXPIRED
        batch.save(update_fields=["status", "file", "reading", "updated_at"])
    storage = import_uploads()
    _dirs, files = storage.listdir("")
    for name in files:
        try:
            if storage.get_modified_time(name) < limit:
                storage.delete(name)
        except (OSError, NotImplementedError):
            continue


# --- helpers --------------------------------------------------------------------------------


class _Progress:
    """How far a batch's preview or confirm has got, written to the batch where the page polling
    it reads it while the import's own transaction is still open: through a connection of its
    own, in autocommit, on PostgreSQL. SQLite (development, one process) would lock that second
    writer out, so there the progress is stored with the batch after the run."""

    def __init__(self, batch: ImportBatch, *, confirming: bool = False, job_progress=None):
        self.batch = batch
        self.state: dict = {"done": False, "rows": 0, "total": 0, "confirming": confirming}
        self._lock = threading.Lock()
        self._connection = None
        self._job_progress = job_progress
        self._owner = threading.get_ident()
        self._write()

    def reading(self, done: int, total: int) -> None:
        self.set(rows=done, total=total)

    def writing(self, done: int, total: int) -> None:  # called from the write thread too
        self.set(rows=done, total=total, writing=True)

    def set(self, **state) -> None:
        with self._lock:
            self.state = {**self.state, **state}
            self._write()
        self._tell_job()

    def _tell_job(self) -> None:
        """The same progress on the job's record (the job's own page). On SQLite that record is
        written through the import's connection, which the write thread must not touch."""
        if self._job_progress is None or self.state["done"]:
            return
        if connection.vendor != "postgresql" and threading.get_ident() != self._owner:
            return
        if self.state.get("writing"):
            step = _("Đang ghi")
        elif self.state["confirming"]:
            step = _("Đang so sánh với sổ hộ")
        else:
            step = _("Đang đọc tệp")
        self._job_progress(self.state["rows"], self.state["total"], step)

    def _write(self) -> None:
        if connection.vendor != "postgresql":
            return
        if self._connection is None:
            self._connection = connections.create_connection(connection.alias)
            self._connection.inc_thread_sharing()
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportBatch._meta.db_table} SET progress = %s WHERE id = %s",
                [json.dumps(self.state), self.batch.pk],
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.dec_thread_sharing()
            self._connection.close()
            self._connection = None


def _record(batch: ImportBatch, report: ImportReport, progress: _Progress, importer) -> None:
    progress.close()
    batch.progress = progress.state
    batch.shown = report_shown(report)
    if report.committed:
        batch.status = ImportBatch.Status.CONFIRMED
    elif report.file_error:
        batch.status = ImportBatch.Status.FAILED
    else:
        batch.status = ImportBatch.Status.PREVIEWED
    if not report.committed:
        partial = importer.partial_allowed and report.has_valid_changes
        batch.outcome = {
            # Empty when the preview found problems and no valid rows may be written alone, so
            # nothing is confirmed unseen.
            "digest": report.outcome() if report.ok or partial else "",
            "counts": report.counts,
            "member_counts": report.member_counts,
            "warnings": len({(w.sheet, w.row) for w in report.warnings}),
        }
        if partial:  # what the download of the rejected rows needs
            batch.outcome["sheet"] = importer.sheet
            batch.outcome["rejected"] = {str(k): v for k, v in report.rejected_rows().items()}
        batch.problems = report.problem_lines()
    batch.save()


def rejected_rows(batch: ImportBatch) -> bytes | None:
    """The rejected rows of a results batch (its stored file's rows that the preview refused,
    with their problems) as a workbook, or None if there are none or the file is gone."""
    rejected = batch.outcome.get("rejected")
    if batch.kind != ImportBatch.Kind.ASSESSMENTS or not rejected or not batch.file:
        return None
    if _sha256(batch.file) != batch.sha256:
        return None
    with _local_upload(batch) as source:
        return exports.rejected_workbook(
            batch.cycle,
            source,
            batch.outcome["sheet"],
            {int(k): v for k, v in rejected.items()},
        )


@contextlib.contextmanager
def _local_upload(batch: ImportBatch) -> Iterator:
    """A local copy of the batch's upload (the Excel reader reads files, not storages); a file
    gone from the storage makes the batch unavailable."""
    with contextlib.ExitStack() as stack:
        try:
            source = stack.enter_context(local_copy(batch.file.name, suffix=".xlsx"))
        except OSError:
            raise BatchUnavailable(batch.token) from None
        yield source


def _store_reading(batch: ImportBatch, kept) -> None:
    """Store the reading the importer kept at ``kept`` (if it kept one: not when the file has
    problems) as the batch's, with its digest; a reading of an earlier preview goes."""
    if batch.reading:
        import_uploads().delete(batch.reading.name)
    batch.reading.name, batch.reading_sha256 = "", ""
    if kept.exists():
        digest = hashlib.sha256()
        with kept.open("rb") as local:
            for chunk in iter(lambda: local.read(1 << 20), b""):
                digest.update(chunk)
        batch.reading.name = save_local(f"{batch.token}.reading", kept)
        batch.reading_sha256 = digest.hexdigest()


def _kept_reading(batch: ImportBatch) -> bytes | None:
    """The preview's reading, read once and its digest checked on those bytes, so that what is
    loaded is what the preview wrote for this batch (else None: the file is read again)."""
    if not batch.reading or not batch.reading_sha256:
        return None
    try:
        with import_uploads().open(batch.reading.name, "rb") as kept:
            data = kept.read()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == batch.reading_sha256 else None


def _remove_files(batch: ImportBatch, *, keep_upload: bool = False) -> None:
    """Remove the batch's stored files; best effort: a file left behind (storage down) is logged
    and goes with the stale ones (:func:`batches_remove_stale` sweeps names no batch holds)."""
    storage = import_uploads()
    names = (batch.reading.name,) if keep_upload else (batch.file.name, batch.reading.name)
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            log.warning("batch %s: file %s not removed", batch.pk, name, exc_info=True)
    if not keep_upload:
        batch.file.name = ""
    batch.reading.name = ""


def _sha256(field) -> str | None:
    if not field:
        return None
    digest = hashlib.sha256()
    try:
        with import_uploads().open(field.name, "rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


# --- what the preview page shows ------------------------------------------------------------


def report_shown(report: ImportReport) -> dict:
    """What the preview page shows of ``report``, as JSON: the counts and verdicts whole, and the
    first ``IMPORT_PREVIEW_ROWS`` rows of each list (problems, warnings, new, updated rows)."""
    rows = settings.IMPORT_PREVIEW_ROWS
    changes = [c for c in report.changes if c.status == "new"][:rows]
    changes += [c for c in report.changes if c.status == "updated"][:rows]
    return {
        "kind": report.kind,
        "filename": report.filename,
        "counts": report.counts,
        "member_counts": report.member_counts,
        "notices": list(report.notices),
        "file_error": report.file_error,
        "rows_read": report.rows_read,
        "committed": report.committed,
        "partial": report.partial,
        "changed_since_preview": report.changed_since_preview,
        "warnings_refused": report.warnings_refused,
        "issues": [vars(issue) for issue in report.issues[:rows]],
        "issues_total": len(report.issues),
        "warnings": [vars(issue) for issue in report.warnings[:rows]],
        "warning_rows": len({(w.sheet, w.row) for w in report.warnings}),
        "changes": [
            {
                "sheet": c.sheet,
                "row": c.row,
                "code": c.code,
                "status": c.status,
                "details": c.details,
                "fields": [list(f) for f in c.fields],
            }
            for c in changes
        ],
    }


def report_from_shown(shown: dict) -> ImportReport:
    """The report the preview page renders, rebuilt from :func:`report_shown` (its lists hold
    the rows shown; ``shown["issues_total"]`` and ``shown["warning_rows"]`` count them all)."""
    report = ImportReport(shown["kind"], shown["filename"])
    for name in ("counts", "member_counts", "notices", "file_error", "rows_read", "committed"):
        setattr(report, name, shown[name])
    for name in ("partial", "changed_since_preview", "warnings_refused"):
        setattr(report, name, shown[name])
    report.issues = [RowIssue(**issue) for issue in shown["issues"]]
    report.warnings = [RowIssue(**issue) for issue in shown["warnings"]]
    report.changes = [
        RowChange(**{**c, "fields": tuple(tuple(f) for f in c["fields"])}) for c in shown["changes"]
    ]
    return report
