"""Excel in the browser: upload → preview (a dry run) → confirm (one transaction), templates and
exports.

An upload becomes an ``ImportBatch`` (``models.py``): the file is kept in the upload storage
(``STORAGES["imports"]``: the server's directory or a bucket) under a token the server draws,
and the batch holds its SHA-256, its uploader and scope, what the preview found and the reading
the confirm starts from (``batches.py``). The preview and the confirm are background jobs
(``jobs.py``): the upload request stores the file, starts the preview and sends the browser to
the batch's page, which polls the job and then shows the preview; the confirm request claims the
batch (a second confirm is refused) and starts the confirm. The confirm step uses the stored
file, never a new upload, refuses it if its content changed, and writes only the outcome the
preview showed. Only the uploader sees, confirms or cancels a batch, within their scope as it
is at that moment. The import page also polls while the upload itself is sent, under a token
derived from the user (docs/decisions-import.md).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.access import get_visible_or_404, requires
from areas.models import Area
from areas.scoping import can, citizen_ids_revealable, person_areas_within
from core.collation import by_name
from core.formatting import format_int
from core.forms import in_vietnamese_order
from households.models import Assessment, Household, ReviewCycle
from households.views import filtered_households, log_export
from jobs import services as job_services

from . import exports
from . import jobs as import_jobs
from .batches import (
    DONE,
    AlreadyConfirmed,
    BatchUnavailable,
    batch_cancel,
    batch_claim,
    batch_create,
    batch_for,
    batch_in_scope,
    batch_release,
    communes_for,
    open_cycles_for,
    rejected_rows,
    report_from_shown,
)
from .limits import max_bytes, megabytes
from .models import ImportBatch

# A fact, not a tunable: the length of secrets.token_urlsafe(16), the tokens batches are given,
# and of the progress token below.
TOKEN_CHARS = 22


def progress_token(user) -> str:
    """The token under which the import page polls the progress of this user's upload: derived
    from the user and the secret key, so no session holds it and no one else can name it."""
    return salted_hmac("imports.progress", str(user.pk)).hexdigest()[:TOKEN_CHARS]


class HouseholdUploadForm(forms.Form):
    commune = forms.ModelChoiceField(label=gettext_lazy("Xã"), queryset=Area.objects.none())
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user)
        in_vietnamese_order(self.fields["commune"])


class AssessmentUploadForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Đợt rà soát"), queryset=ReviewCycle.objects.none()
    )
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = open_cycles_for(user)


FORMS = {"households": HouseholdUploadForm, "assessments": AssessmentUploadForm}


def _forbidden(request):
    return render(request, "imports/forbidden.html", status=403)


@requires("view")
@require_GET
def index(request):
    user = request.user
    # Templates and exports are listed for one commune at a time: a district or province user
    # picks it (a province has hundreds of communes, each with its cycles).
    communes = sorted(
        Area.objects.communes().visible_to(user).select_related("parent").order_by(), key=by_name
    )
    chosen = _int(request.GET.get("commune"))
    commune = next((c for c in communes if c.pk == chosen), None)
    if commune is None and len(communes) == 1:
        commune = communes[0]
    context = {
        "can_import": can(user, "import"),
        "token": progress_token(user),
        "communes": communes,
        "commune": commune,
        "cycles": (
            ReviewCycle.objects.visible_to(user)
            .filter(commune=commune)
            .select_related("commune")
            .order_by("-reference_date")
            if commune
            else []
        ),
        "max_mb": max_bytes() // (1024 * 1024),
        "template_villages": _template_villages(user, commune) if commune else [],
        "rejected_batch": _rejected_batch(user, request.GET.get("rejected")),
    }
    if context["can_import"]:
        context["forms"] = {kind: form(user=user) for kind, form in FORMS.items()}
    return render(request, "imports/index.html", context)


class _LimitedUpload(FileUploadHandler):
    """Stops reading an upload past the import's size limit (plus room for the form's other
    fields), so that an oversized body is neither kept in memory nor written to disk. The
    proxy in front refuses larger bodies still (docs/deployment.md)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_bytes() + 64 * 1024
        self.received = 0
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.refused = bool(content_length and content_length > self.limit)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refused:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused = True
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handlers store it

    def file_complete(self, file_size):
        return None


def _too_large(request, size: int | None = None):
    messages.error(
        request,
        _("Tệp quá lớn: %(size)s MB, giới hạn là %(limit)s MB. Hãy chia thành nhiều tệp.")
        % {"size": megabytes(size), "limit": megabytes(max_bytes())}
        if size
        else _("Tệp quá lớn, giới hạn là %(limit)s MB. Hãy chia thành nhiều tệp.")
        % {"limit": megabytes(max_bytes())},
    )
    return redirect("imports:index")


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@requires("view")  # "import" is asked inside, to refuse with the import page's own message
@require_POST
def upload(request, kind):
    limited = _LimitedUpload(request)
    request.upload_handlers.insert(0, limited)
    return _upload(request, kind, limited)


@csrf_protect
def _upload(request, kind, limited):
    if kind not in FORMS:
        raise Http404
    if not can(request.user, "import"):
        return _forbidden(request)
    form = FORMS[kind](request.POST, request.FILES, user=request.user)
    if limited.refused:
        return _too_large(request)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("imports:index")
    upload_file = form.cleaned_data["file"]
    if upload_file.size > max_bytes():
        return _too_large(request, upload_file.size)
    # The page's token only names the progress it polls; the stored file gets a token drawn in
    # batch_create, so no request can choose the name of a file waiting for confirmation.
    progress = form.cleaned_data["token"]
    if progress != progress_token(request.user):
        progress = ""
    target = form.cleaned_data.get("commune") or form.cleaned_data.get("cycle")
    batch = batch_create(
        user=request.user, kind=kind, target=target, upload=upload_file, progress_token=progress
    )
    import_jobs.start(import_jobs.PREVIEW, batch, user=request.user)
    return redirect("imports:batch", token=batch.token)


@requires("import")
@require_POST
def confirm(request, token):
    batch = _batch(request, token)
    if batch.status in DONE:
        return _already_imported(request, batch)
    if _working(batch):  # its preview is still running: show it first
        return redirect("imports:batch", token=batch.token)
    if not batch_in_scope(batch):
        raise Http404
    params = {
        "valid_only": request.POST.get("valid_only") == "1",
        "accept_warnings": request.POST.get("accept_warnings") == "1",
    }
    try:
        with transaction.atomic():  # no claim without its job, no job without its claim
            batch_claim(batch)
            import_jobs.start(import_jobs.CONFIRM, batch, user=request.user, params=params)
    except AlreadyConfirmed:
        return _already_imported(request, batch)
    return redirect("imports:batch", token=batch.token)


@requires("import")
@require_GET
def batch_page(request, token):
    """The batch's page: its job's progress while the preview or the confirm runs, then the
    preview (or the confirm's verdict, or the job's error)."""
    batch = _own_batch(request, token)
    job = batch.job
    working = {"batch": batch, "job": job, "retryable": _retryable(batch)}
    if _working(batch) or (job is not None and job.interrupted):
        return render(request, "imports/working.html", working)
    if batch.status == ImportBatch.Status.CONFIRMED:
        return _imported(request, batch)
    failed = job is not None and job.status == job.Status.FAILED
    if failed and batch.status == ImportBatch.Status.CONFIRMING:
        batch_release(batch)  # its job stopped before the import began: nothing was written
    if not batch.shown:  # the preview itself failed (or never ran: an upload of before jobs)
        if job is None:
            raise Http404
        return render(request, "imports/working.html", working)
    report = report_from_shown(batch.shown)
    if report.changed_since_preview:
        # The registry changed since the preview: show what a commit would write now.
        messages.warning(
            request,
            _(
                "Sổ hộ đã thay đổi từ lúc xem trước nên chưa nhập gì. Đây là kết quả xem trước "
                "mới; hãy kiểm tra rồi xác nhận lại."
            ),
        )
    elif report.warnings_refused:
        messages.error(
            request,
            _(
                "Chưa nhập gì: %(n)s dòng có cảnh báo. Hãy kiểm tra các dòng đó; nếu số liệu "
                "đúng, đánh dấu ô “Tôi đã kiểm tra các cảnh báo” rồi xác nhận lại, nếu sai thì "
                "sửa tệp và tải lên lại."
            )
            % {"n": format_int(batch.shown["warning_rows"])},
        )
    return _preview(request, batch, report, error=job.error if failed else "")


@requires("import")
@require_POST
def retry(request, token):
    """Run the batch's job again when it failed or was interrupted (its worker died)."""
    batch = _own_batch(request, token)
    if _retryable(batch):
        job_services.retry(batch.job)
    return redirect("imports:batch", token=batch.token)


def _imported(request, batch):
    """A confirmed batch: what was written, then the import page (with the rejected rows' link
    when only the valid rows were written)."""
    report = report_from_shown(batch.shown)
    c = report.counts
    if report.partial:
        messages.success(
            request,
            _(
                "Đã nhập các dòng hợp lệ của “%(file)s”: %(new)s dòng mới, %(updated)s dòng cập "
                "nhật, %(unchanged)s dòng không đổi. %(bad)s dòng lỗi chưa được nhập: hãy tải "
                "các dòng lỗi về, sửa rồi nhập lại."
            )
            % {
                "file": batch.filename,
                "new": format_int(c["new"]),
                "updated": format_int(c["updated"]),
                "unchanged": format_int(c["unchanged"]),
                "bad": format_int(c["invalid"]),
            },
        )
        return redirect(f"{reverse('imports:index')}?rejected={batch.token}")
    messages.success(
        request,
        _(
            "Đã nhập “%(file)s”: %(new)s dòng mới, %(updated)s dòng cập nhật, %(unchanged)s dòng "
            "không đổi."
        )
        % {
            "file": batch.filename,
            "new": format_int(c["new"]),
            "updated": format_int(c["updated"]),
            "unchanged": format_int(c["unchanged"]),
        },
    )
    return redirect("imports:index")


@requires("import")
@require_POST
def cancel(request, token):
    batch = _batch(request, token)
    if batch.status == ImportBatch.Status.CONFIRMING and batch.job is not None:
        # A confirm whose job was interrupted wrote nothing (its transaction died with it): it
        # may be cancelled, once its job is failed so that no late delivery runs it.
        if not job_services.abandon(batch.job, _("Đã huỷ lần nhập này; không có gì được ghi.")):
            messages.info(request, _("Tệp đang được nhập; hãy chờ xong."))
            return redirect("imports:batch", token=batch.token)
        batch.status = ImportBatch.Status.FAILED
    elif batch.status in DONE:
        raise Http404
    if _working(batch):
        messages.info(request, _("Đang xem trước tệp; hãy chờ xong rồi huỷ."))
        return redirect("imports:batch", token=batch.token)
    batch_cancel(batch)
    messages.info(request, _("Đã huỷ, không nhập gì."))
    return redirect("imports:index")


@requires("import")
@require_GET
def rejected(request, token):
    """The rows of the upload that the preview refused, with their problems in a last column
    (the template's columns): to fix and import again. Before or after a commit of the valid
    rows, while the upload is kept."""
    if not _valid_token(token):
        raise Http404
    batch = ImportBatch.objects.filter(token=token, uploaded_by=request.user).first()
    if batch is None or batch.cycle_id is None:
        raise Http404
    cycle = ReviewCycle.objects.visible_to(request.user).filter(pk=batch.cycle_id).first()
    content = rejected_rows(batch) if cycle is not None else None
    if content is None:
        raise Http404
    batch.cycle = cycle
    return exports.response(
        content, _("dong-loi-ket-qua-ra-soat-%(year)s.xlsx") % {"year": cycle.year}
    )


@requires("view")
@require_GET
def status(request, token):
    """How far the preview or commit of an upload has got (polled by the import pages): under
    the page's progress token, this user's latest upload; under a batch's token, that batch."""
    if not _valid_token(token):
        raise Http404
    user = request.user
    if token == progress_token(user):
        batch = ImportBatch.objects.filter(uploaded_by=user, progress_token=token).first()
    else:
        batch = ImportBatch.objects.filter(uploaded_by=user, token=token).first()
        if batch is None:
            raise Http404
        if request.htmx and not _working(batch):
            return HttpResponseClientRefresh()  # its job ended: the page shows the outcome
    state = batch.progress if batch else {}
    return render(request, "imports/_progress.html", {"state": state})


# --- templates and exports ------------------------------------------------------------------


@requires("view")
@require_GET
def household_template(request, commune_pk):
    commune = get_visible_or_404(Area.objects.communes(), request.user, pk=commune_pk)
    return exports.response(exports.household_template(commune), _("mau-ho-gia-dinh.xlsx"))


@requires("view")
@require_GET
def assessment_template(request, cycle_pk):
    """The results template of a cycle, pre-filled with the households the user may list (of
    the commune, or of ``?village=``; a village board's: its village) and their latest decided
    answers (``exports.assessment_template``)."""
    user = request.user
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard", "commune"), user, pk=cycle_pk
    )
    area = cycle.commune
    village = _int(request.GET.get("village"))
    if village is not None:
        area = get_visible_or_404(Area.objects.villages(), user, pk=village, parent=cycle.commune)
    households = exports.template_scope(user, area)
    rows = exports.template_households(cycle, households).count()
    if rows:
        log_export(
            request,
            what=_("Mẫu kết quả rà soát có sẵn hộ — %(cycle)s") % {"cycle": cycle},
            rows=rows,
            area=area,
        )
    name = _("mau-ket-qua-ra-soat-%(year)s.xlsx") % {"year": cycle.year}
    if village is not None:
        name = _("mau-ket-qua-ra-soat-%(year)s-%(village)s.xlsx") % {
            "year": cycle.year,
            "village": slugify(area.code or area.pk),
        }
    return exports.response(exports.assessment_template(cycle, households), name)


@requires("persons")
@require_GET
def export_households(request):
    """The household list as the list page shows it: the same filters and order
    (``?village=&cycle=&sort=&...``)."""
    form, households, _cycle, _year = filtered_households(request)
    back = f"{reverse('household_list')}?{request.GET.urlencode()}"
    if form.is_bound and not form.is_valid():  # not everything: what the page shows
        messages.error(request, _("Bộ lọc không hợp lệ; hãy chọn lại rồi tải Excel."))
        return redirect(back)
    count, limit = households.count(), exports.max_households()
    if count > limit:
        messages.error(
            request,
            _(
                "Danh sách có %(count)s hộ, nhiều hơn %(limit)s hộ xuất được một lần. Hãy lọc "
                "theo xã hoặc thôn rồi tải lại."
            )
            % {"count": format_int(count), "limit": format_int(limit)},
        )
        return redirect(back)
    chosen = form.cleaned_data if form.is_bound else {}
    # The area the list is filtered to: a village, or a commune over a district or province.
    place = chosen.get("village") or chosen.get("commune")
    one_commune = place is not None or "selected" in request.GET or _one_commune(request.user)
    if import_jobs.export_in_background(request.user, count, one_commune=one_commune):
        _log_households_export(request, rows=count)
        job = import_jobs.start_export(
            import_jobs.EXPORT_HOUSEHOLDS,
            user=request.user,
            area=place,
            params={"query": request.GET.urlencode()},
            label=_("Excel danh sách hộ gia đình (%(n)s hộ)") % {"n": format_int(count)},
        )
        return _export_job_page(request, job)
    content = households_export_logged(request, households, rows=count)
    return exports.response(content, _("ho-gia-dinh.xlsx"))


@requires("view")
@require_GET
def export_results(request, cycle_pk, household_class=""):
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard", "commune"), request.user, pk=cycle_pk
    )
    results = Assessment.objects.for_cycle(cycle).visible_to(request.user)
    chosen = results.filter(household_class=household_class) if household_class else results
    rows = chosen.count()
    log_export(request, what=str(cycle), rows=rows, area=cycle.commune)
    if import_jobs.export_in_background(request.user, rows, one_commune=True):
        job = import_jobs.start_export(
            import_jobs.EXPORT_RESULTS,
            user=request.user,
            area=cycle.commune,
            params={"cycle": cycle.pk, "household_class": household_class},
            label=_("Excel kết quả rà soát — %(cycle)s (%(n)s hộ)")
            % {"cycle": cycle, "n": format_int(rows)},
        )
        return _export_job_page(request, job)
    result = import_jobs.results_file(cycle, results, household_class)
    return exports.response(result.content, result.filename)


def households_export_logged(request, households, *, rows: int) -> bytes:
    """The Excel export of the list page's ``households`` for ``request.user``: citizen IDs in
    full only where the user may see them, and the export logged (with its row count) first."""
    _log_households_export(request, rows=rows)
    revealable = citizen_ids_revealable(Household.objects.all(), request.user)
    return exports.households_workbook(households, revealable=revealable)


def _log_households_export(request, *, rows: int) -> None:
    log_export(request, what=_("Danh sách hộ gia đình (Excel)"), rows=rows)


def _one_commune(user) -> bool:
    """Whether everything ``user`` sees lies in one commune."""
    return Area.objects.communes().visible_to(user).count() <= 1


def _export_job_page(request, job):
    """An export too large for a page: it is made in the background, on the job's page."""
    messages.info(
        request,
        _(
            "Danh sách lớn nên tệp Excel được lập ở chế độ chạy nền. Khi xong, nút tải về hiện "
            "ở trang này; bạn có thể đóng trang và mở lại từ “Việc chạy nền của tôi”."
        ),
    )
    return redirect("jobs:detail", pk=job.pk)


# --- helpers --------------------------------------------------------------------------------


def _template_villages(user, commune: Area) -> list[Area]:
    """The villages of ``commune`` whose households ``user`` may list, for the pre-filled
    template of one village."""
    places = person_areas_within(user, commune)
    if not places:
        return []
    condition = Q()
    for place in places:
        condition |= Q(path__startswith=place.path)
    return sorted(Area.objects.villages().filter(parent=commune).filter(condition), key=by_name)


def _rejected_batch(user, token) -> ImportBatch | None:
    """The user's batch ``token`` whose valid rows were written and whose rejected rows can
    still be downloaded (the index page links to them after such a commit)."""
    if not token or not _valid_token(token):
        return None
    batch = ImportBatch.objects.filter(token=token, uploaded_by=user).exclude(file="").first()
    return batch if batch is not None and batch.outcome.get("rejected") else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _valid_token(token: str) -> bool:
    return (
        isinstance(token, str)
        and len(token) == TOKEN_CHARS
        and all(ch.isalnum() or ch in "-_" for ch in token)
    )


def _batch(request, token) -> ImportBatch:
    """This user's batch ``token`` whose stored file is the one previewed, in their scope (else
    404)."""
    if not _valid_token(token):
        raise Http404
    try:
        return batch_for(request.user, token)
    except BatchUnavailable:
        raise Http404 from None


def _already_imported(request, batch):
    """A second confirm of a batch (a double click, a second tab): nothing is written again."""
    return render(request, "imports/already_imported.html", {"batch": batch}, status=404)


def _own_batch(request, token) -> ImportBatch:
    """This user's batch ``token`` as it is (any step but cancelled or expired), else 404."""
    if not _valid_token(token):
        raise Http404
    batch = (
        ImportBatch.objects.filter(token=token, uploaded_by=request.user)
        .exclude(status__in=(ImportBatch.Status.CANCELLED, ImportBatch.Status.EXPIRED))
        .select_related("job")
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def _retryable(batch) -> bool:
    """A job to run again: one interrupted (its worker died; a confirm's batch is still claimed
    by it), or a preview that failed. A failed confirm is not: its batch is open again, and the
    preview page offers the confirm."""
    job = batch.job
    if job is None:
        return False
    return job.interrupted or (job.kind == import_jobs.PREVIEW and job.status == job.Status.FAILED)


def _working(batch) -> bool:
    """Whether the batch's job is still to finish (queued or running; not when interrupted)."""
    job = batch.job
    return job is not None and not job.finished and not job.interrupted


def _preview(request, batch, report, *, error: str = ""):
    rows = settings.IMPORT_PREVIEW_ROWS
    invalid = report.issues[:rows]
    can_partial = batch.kind == ImportBatch.Kind.ASSESSMENTS and report.has_valid_changes
    return render(
        request,
        "imports/preview.html",
        {
            "token": batch.token,
            "batch": batch,
            "report": report,
            "job_error": error,
            "invalid": invalid,
            "more_invalid": batch.shown["issues_total"] - len(invalid),
            "new_rows": [c for c in report.changes if c.status == "new"][:rows],
            "updated_rows": [c for c in report.changes if c.status == "updated"][:rows],
            "preview_rows": rows,
            "warnings": report.warnings[:rows],
            "warning_rows": batch.shown["warning_rows"],
            "can_partial": can_partial,
            "valid_rows": report.counts["new"] + report.counts["updated"],
            "rejected_url": reverse("imports:rejected", args=[batch.token])
            if can_partial and batch.outcome.get("rejected")
            else "",
        },
    )
