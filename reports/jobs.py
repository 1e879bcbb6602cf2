"""Report batches: one report for every commune under an area, as files in a folder
(``report --all-below --output DIR``) or as one zip (``report --all-below --zip FILE``, and the
background job ``reports.batch`` started from the report page). One function, :func:`batch`,
builds the files for all three, with the same file names and the same progress.

A commune whose report cannot be built (no review results for the year, figures not entered) is
not a failure: it is listed, with the reason, in ``khong-lap-duoc.txt`` inside the zip (on stderr
for a folder)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import persons_visible_in
from audit.models import AccessLog
from audit.services import access_log
from jobs.registry import JobError, Result, register

from . import registry
from .render import render

#: the formats a batch may be made in (one file per commune)
BATCH_FORMATS = ("pdf", "xlsx", "csv", "json", "html")
#: the file in a batch's zip that lists the communes left out, with the reason
SKIPPED_NAME = "khong-lap-duoc.txt"


@dataclass
class Batch:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "commune: reason"
    # the access log entries of the personal reports handed out (``access_log`` arguments)
    handed_out: list[dict] = field(default_factory=list)

    def log_handed_out(self) -> None:
        for entry in self.handed_out:
            access_log(**entry)
        self.handed_out = []


def communes_below(place: Area) -> list[Area]:
    return list(Area.objects.communes().filter(path__startswith=place.path).order_by("code"))


def file_name(spec, commune: Area, year: int, fmt: str) -> str:
    return f"{spec.slug}-{commune.code or commune.pk}-{year}.{fmt}"


def batch(
    spec,
    place: Area,
    *,
    year: int | None,
    fmt: str,
    write: Callable[[str, bytes | str], None],
    extra: dict | None = None,
    user=None,
    progress: Callable[..., None] | None = None,
) -> Batch:
    """Build ``spec`` for every commune under ``place`` and hand each file to ``write(name,
    content)``. ``year`` None: each commune's latest official year. ``user`` None: the system (a
    command); else a personal report is made only for communes whose households ``user`` may
    list, and each one handed out is to be logged as for a download: the caller calls
    ``outcome.log_handed_out()`` once the files are handed out (the job: once its result is
    stored, not on each run of it). ``progress(done, total, step)`` is called before each
    commune and at the end."""
    communes = communes_below(place)
    if not communes:
        raise JobError(_("%(area)s không có xã nào.") % {"area": place.name})
    outcome = Batch()
    total = len(communes)
    for index, commune in enumerate(communes):
        if progress:
            progress(index, total, commune.name)
        if spec.personal and user is not None and not persons_visible_in(user, commune):
            outcome.skipped.append(
                _("%(commune)s: bạn không được xem danh sách hộ của xã này.")
                % {"commune": commune.name}
            )
            continue
        commune_year = year
        if commune_year is None:
            latest = registry.latest_year(commune)
            if latest is None:
                outcome.skipped.append(
                    _("%(commune)s: chưa có kết quả rà soát định kỳ nào.")
                    % {"commune": commune.name}
                )
                continue
            commune_year = spec.report_year(latest)
        try:
            report = registry.build(spec, commune, commune_year, **(extra or {}))
        except ValidationError as exc:
            outcome.skipped.append(f"{commune.name}: {' '.join(exc.messages)}")
            continue
        content = render(report, fmt)
        if spec.personal and user is not None:
            outcome.handed_out.append(
                {
                    "user": user,
                    "action": AccessLog.Action.REPORT_DOWNLOAD,
                    "area": commune,
                    "what": f"{spec.slug}.{fmt} {commune_year}",
                    "rows": spec.personal_rows(report),
                }
            )
        name = file_name(spec, commune, commune_year, fmt)
        write(name, content)
        outcome.written.append(name)
    if progress:
        progress(total, total, _("xong"))
    return outcome


def batch_zip(spec, place: Area, **kwargs) -> tuple[bytes, Batch]:
    """:func:`batch` into one zip, with :data:`SKIPPED_NAME` listing the communes left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        outcome = batch(spec, place, write=archive.writestr, **kwargs)
        if outcome.skipped:
            archive.writestr(SKIPPED_NAME, "\n".join(outcome.skipped) + "\n")
    return buffer.getvalue(), outcome


def zip_name(spec, place: Area, year: int | None, fmt: str) -> str:
    return f"{spec.slug}-{place.code or place.pk}-{year or 'moi-nhat'}-{fmt}.zip"


@register("reports.batch", action="view")
def report_batch(job, progress) -> Result:
    """The job: ``params`` = {"slug", "format", "year" (or None), "options": {...}}."""
    params = job.params
    spec = registry.spec(params.get("slug", ""))
    if spec is None or not spec.per_commune:
        raise JobError(
            _("Không có báo cáo “%(slug)s” lập theo từng xã.") % {"slug": params.get("slug", "")}
        )
    fmt = params.get("format", "pdf")
    if fmt not in BATCH_FORMATS:
        raise JobError(_("Định dạng không hỗ trợ: %(fmt)s.") % {"fmt": fmt})
    extra = {k: v for k, v in (params.get("options") or {}).items() if k in spec.options}
    year = params.get("year")
    content, outcome = batch_zip(
        spec, job.area, year=year, fmt=fmt, extra=extra, user=job.user, progress=progress
    )
    if not outcome.written:
        raise JobError(
            _("Không lập được báo cáo cho xã nào của %(area)s: %(reasons)s")
            % {"area": job.area.name, "reasons": "; ".join(outcome.skipped[:5])}
        )
    # Logged once, when this run's zip is the job's result (not by a run that was retried).
    return Result(zip_name(spec, job.area, year, fmt), content, stored=outcome.log_handed_out)
