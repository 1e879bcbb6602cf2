"""The pages of a user's own jobs: the list, a job's status with its progress bar (polled with
htmx), its download and its retry. Nobody but the job's owner sees a job (404 otherwise).

The views declare their permission where ``povertyplan/urls.py`` routes them
(``requires(SELF)``): ``jobs`` sits beside ``accounts`` in the layers and may not import it."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from areas.scoping import can

from . import registry, services
from .models import Job

#: jobs shown on the list page, newest first
LIST_LIMIT = 100


def _own_job(request, pk: int) -> Job:
    return get_object_or_404(Job.objects.of(request.user).select_related("area"), pk=pk)


@require_GET
def job_list(request):
    jobs = Job.objects.of(request.user).select_related("area")[:LIST_LIMIT]
    return render(request, "jobs/list.html", {"jobs": jobs})


def _retry_page(job: Job) -> str:
    """The page where the job is run again when its kind has one (an import's batch page)."""
    spec = registry.KINDS.get(job.kind)
    return spec.retry_page(job) if spec is not None and spec.retry_page else ""


@require_GET
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    return render(request, "jobs/detail.html", {"job": job, "retry_page": _retry_page(job)})


@require_GET
def job_progress(request, pk: int):
    """The status block alone, for the page's htmx poll; once the job is finished the block it
    returns carries no poll, so polling stops."""
    job = _own_job(request, pk)
    return render(request, "jobs/_status.html", {"job": job, "retry_page": _retry_page(job)})


@require_GET
def job_download(request, pk: int):
    """The job's result, while its owner may still do the kind's action in its area (one who lost
    the role that made it gets 404), logged first when the kind says so (persons)."""
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    try:
        spec = registry.kind(job.kind)
    except registry.JobError as exc:
        raise Http404 from exc
    if not can(request.user, spec.action, job.area):
        raise Http404
    try:
        handle = services.result_open(job)
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    if spec.on_download is not None:
        try:
            spec.on_download(job, request)
        except BaseException:
            handle.close()
            raise
    return FileResponse(handle, as_attachment=True, filename=job.result_name or "ket-qua")


@require_POST
def job_retry(request, pk: int):
    job = _own_job(request, pk)
    retry_page = _retry_page(job)
    if retry_page:  # that page's rule decides (a failed confirm is confirmed again there)
        return redirect(retry_page)
    if services.retry(job):
        messages.success(request, _("Đã cho chạy lại việc."))
    else:
        messages.info(request, _("Việc này đang chạy hoặc đã xong: không cần chạy lại."))
    return redirect("jobs:detail", pk=job.pk)
