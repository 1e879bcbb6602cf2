"""The background jobs of Excel in and out: the preview and the confirm of an ``ImportBatch``,
run by a worker (or in the web process without a broker) from the batch's id alone, and the
exports too large for a page (:func:`export_in_background`).

The web request stores the upload and starts the preview; the confirm request claims the batch
(a second confirm is refused there) and starts the confirm. Either job writes its verdict and
what the preview page shows into the batch, which the page reads from any web process. A
confirm that fails rolls back its one transaction: nothing is written, the batch may be
confirmed again, and the job's error is shown on the batch's page."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import can, citizen_ids_revealable
from audit.models import AccessLog
from audit.services import access_log
from core.formatting import format_int
from households.models import Assessment, Household, ReviewCycle
from households.views import filtered_households
from indicators.rules import HouseholdClass
from jobs import services
from jobs.models import Job
from jobs.registry import JobError, Result, register

from . import exports
from .batches import BatchUnavailable, batch_confirm, batch_preview
from .models import ImportBatch

PREVIEW = "imports.preview"
CONFIRM = "imports.confirm"
EXPORT_HOUSEHOLDS = "imports.export_households"
EXPORT_RESULTS = "imports.export_results"


def _batch(job) -> ImportBatch:
    """The job's batch, its uploader's own (the job's user)."""
    batch = ImportBatch.objects.filter(pk=job.params.get("batch"), uploaded_by=job.user).first()
    if batch is None or batch.job_id != job.pk:
        raise JobError(_("Lần nhập này không còn nữa hoặc đã được chạy lại ở một việc khác."))
    return batch


def _unavailable() -> JobError:
    return JobError(
        _(
            "Tệp đã tải lên không còn dùng được (đã quá hạn, bị huỷ, hoặc bạn không còn quyền "
            "nhập vào xã hay đợt rà soát này). Không có gì được ghi; hãy tải tệp lên lại."
        )
    )


def batch_page(job) -> str:
    """The batch's page: an import job runs again there, by its rule (``imports.views``)."""
    token = ImportBatch.objects.filter(pk=job.params.get("batch")).values_list("token", flat=True)
    return reverse("imports:batch", args=[token[0]]) if token else reverse("imports:index")


@register(PREVIEW, action="import", retry_page=batch_page)
def preview(job, progress) -> None:
    batch = _batch(job)
    if batch.status not in (
        ImportBatch.Status.UPLOADED,
        ImportBatch.Status.PREVIEWED,
        ImportBatch.Status.FAILED,
    ):
        raise _unavailable()
    try:
        batch_preview(batch, job_progress=progress)
    except BatchUnavailable:
        raise _unavailable() from None


@register(CONFIRM, action="import", retry_page=batch_page)
def confirm(job, progress) -> None:
    batch = _batch(job)
    if batch.status == ImportBatch.Status.CONFIRMED:
        return  # a job run again after its first run had written the batch: nothing more
    try:
        batch_confirm(
            batch,
            valid_only=bool(job.params.get("valid_only")),
            accept_warnings=bool(job.params.get("accept_warnings")),
            claimed=True,
            job_progress=progress,
        )
    except BatchUnavailable:  # its scope is gone: batch_confirm put it back (FAILED), unwritten
        raise _unavailable() from None


def job_area(user, action: str, area: Area | None) -> Area | None:
    """The area a job runs in, where ``user`` may do ``action`` (the jobs app checks it when the
    job starts and when it runs): ``area`` itself, else the widest of the user's own areas inside
    it that allows the action (a village board's village in its commune). Without ``area``: the
    widest of the user's areas that allows it. What the job reads or writes is still scoped by
    the user's memberships, as in a request."""
    if area is not None and can(user, action, area):
        return area
    inside = [
        m
        for m in sorted(user.scope_memberships(), key=lambda m: m.area_path.count("/"))
        if area is None or m.area_path.startswith(area.path)
    ]
    for membership in inside:
        candidate = Area.objects.get(pk=membership.area_id)
        if can(user, action, candidate):
            return candidate
    return area


def start(kind: str, batch: ImportBatch, *, user, params: dict | None = None) -> Job:
    """Start the preview or confirm job of ``batch`` and make it the batch's job."""
    labels = {PREVIEW: _("Xem trước tệp nhập"), CONFIRM: _("Nhập tệp")}
    # The job is handed on when this block commits, so it finds itself named in the batch.
    with transaction.atomic():
        job = services.start(
            kind,
            user=user,
            area=job_area(user, "import", batch.area),
            params={"batch": batch.pk, **(params or {})},
            label=f"{labels[kind]} “{batch.filename}”",
        )
        ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.job = job
    return job


# --- exports too large for a page -----------------------------------------------------------


def export_in_background(user, rows: int, *, one_commune: bool) -> bool:
    """Whether an export of ``rows`` households runs as a job rather than inside the request:
    when it holds more than ``EXPORT_JOB_HOUSEHOLDS`` households, or reaches wider than one
    commune (docs/decisions-import.md, "Exports as jobs")."""
    return rows > settings.EXPORT_JOB_HOUSEHOLDS or not one_commune


def start_export(kind: str, *, user, area, params: dict, label: str) -> Job:
    return services.start(
        kind,
        user=user,
        area=job_area(user, "persons" if kind == EXPORT_HOUSEHOLDS else "view", area),
        params=params,
        label=label,
    )


def _log_download(job, request) -> None:
    """Each download of a household list made in the background, as its start was logged."""
    access_log(
        request=request,
        action=AccessLog.Action.EXPORT,
        area=job.area,
        what=_("Tải về: %(label)s") % {"label": job.label},
        obj=job,
    )


@register(EXPORT_HOUSEHOLDS, action="persons", on_download=_log_download)
def export_households(job, progress) -> Result:
    """The household list's export: the list page's rows for the job's user, from the page's
    query (``params["query"]``), built exactly as the request would (``views.export_households``
    logged the export when it started the job)."""
    request = HttpRequest()
    request.user = job.user
    request.GET = QueryDict(job.params.get("query", ""))
    form, households, _cycle, _year = filtered_households(request)
    if form.is_bound and not form.is_valid():
        raise JobError(_("Bộ lọc không hợp lệ; hãy chọn lại rồi tải Excel."))
    count = households.count()
    if count > exports.max_households():
        raise JobError(
            _(
                "Danh sách có %(count)s hộ, nhiều hơn %(limit)s hộ xuất được một lần. Hãy lọc "
                "theo xã hoặc thôn rồi tải lại."
            )
            % {"count": format_int(count), "limit": format_int(exports.max_households())}
        )
    progress(0, count, _("Đang lập tệp Excel"))
    revealable = citizen_ids_revealable(Household.objects.all(), job.user)
    return Result(
        _("ho-gia-dinh.xlsx"), exports.households_workbook(households, revealable=revealable)
    )


def results_file(cycle: ReviewCycle, results, household_class: str = "") -> Result:
    """The results of ``cycle`` in ``results`` (scoped), or its list of one class, as a file."""
    if household_class:
        names = {
            HouseholdClass.POOR.value: _("ho-ngheo-%(year)s.xlsx"),
            HouseholdClass.NEAR_POOR.value: _("ho-can-ngheo-%(year)s.xlsx"),
        }
        content = exports.class_list_workbook(cycle, results, household_class)
        return Result(names[household_class] % {"year": cycle.year}, content)
    return Result(
        _("ket-qua-ra-soat-%(year)s.xlsx") % {"year": cycle.year},
        exports.assessments_workbook(cycle, results),
    )


@register(EXPORT_RESULTS, action="view")
def export_results(job, progress) -> Result:
    """A cycle's results (or its poor or near-poor list) for the job's user."""
    cycle = (
        ReviewCycle.objects.visible_to(job.user)
        .select_related("standard")
        .filter(pk=job.params.get("cycle"))
        .first()
    )
    if cycle is None:
        raise JobError(_("Đợt rà soát này không còn trong phạm vi của bạn."))
    results = Assessment.objects.for_cycle(cycle).visible_to(job.user)
    progress(0, 1, _("Đang lập tệp Excel"))
    return results_file(cycle, results, job.params.get("household_class", ""))
