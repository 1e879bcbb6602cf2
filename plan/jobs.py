"""The plan PDF as a background job when it would take longer than a page should.

The rule reads the report engine's own estimate for the ``plan`` report's PDF
(``reports.render.estimate_seconds`` over ``expected_rows``: a fixed cost and a cost per row,
measured in docs/benchmarks-reports.md, the estimate the engine refuses a report in the browser
by): above ``PLAN_PDF_JOB_SECONDS`` (default 3 s, the plan PDF's own target in
docs/benchmarks.md) the PDF is made by a job and offered on the job's page. The document is the
one the report view would serve: the same builder, in Vietnamese (the jobs run in it)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from areas.models import Area
from jobs import services
from jobs.models import Job
from jobs.registry import JobError, Result, register
from reports import registry
from reports.render import estimate_seconds, expected_rows, render

PLAN_PDF = "plan.pdf"


def pdf_seconds(commune: Area, year: int) -> float:
    """The engine's estimate of the plan PDF's time for ``commune`` and ``year``."""
    spec = registry.spec("plan")
    return estimate_seconds("pdf", expected_rows(spec, commune, year), long_table=spec.long_table)


def pdf_in_background(commune: Area, year: int) -> bool:
    return pdf_seconds(commune, year) > settings.PLAN_PDF_JOB_SECONDS


def start(*, user, commune: Area, year: int) -> Job:
    from imports.jobs import job_area  # the area of the user's where the job may run

    return services.start(
        PLAN_PDF,
        user=user,
        area=job_area(user, "view", commune),
        params={"commune": commune.pk, "year": year},
        label=_("Kế hoạch năm %(year)s — %(commune)s (PDF)")
        % {"year": year, "commune": commune.name},
    )


@register(PLAN_PDF, action="view")
def plan_pdf(job, progress) -> Result:
    commune = (
        Area.objects.visible_to(job.user).communes().filter(pk=job.params.get("commune")).first()
    )
    if commune is None:
        raise JobError(_("Xã này không còn trong phạm vi của bạn."))
    year = int(job.params["year"])
    progress(0, 2, _("Đang lập kế hoạch"))
    report = registry.build(registry.spec("plan"), commune, year)
    progress(1, 2, _("Đang dàn trang PDF"))
    return Result(f"plan-{commune.code or commune.pk}-{year}.pdf", render(report, "pdf"))
