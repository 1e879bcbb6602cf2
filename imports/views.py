"""Excel in the browser: upload → preview (a dry run) → confirm (one transaction), templates and
exports.

The uploaded file is kept on the server between preview and confirm (under
``settings.IMPORT_UPLOAD_DIR``, named by a random token the server draws at upload and only this
user's session knows, with the file's SHA-256 kept beside it in the session); the confirm step
uses that file, never a new upload, and refuses it if its content changed. The preview also keeps
what it read of the file (``<token>.reading``, its digest in the session too), so that the confirm
only compares it with the registry again and writes, and the digest of the outcome it showed, so
that the confirm writes nothing else. A preview of a large file takes seconds, so the import page
polls a small status file while the upload request runs, under a second token given to the page
(docs/decisions-import.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_visible_or_404
from areas.models import Area
from areas.scoping import citizen_ids_revealable
from core.formatting import format_int
from households.models import Assessment, Household, ReviewCycle
from households.views import filtered_households, log_export
from indicators.rules import HouseholdClass

from . import exports
from .limits import max_bytes, megabytes
from .registry import HouseholdImport
from .results import AssessmentImport

SESSION_KEY = "excel_imports"
PROGRESS_KEY = "excel_import_progress"  # the token the import page polls during an upload
# A fact, not a tunable: the length of secrets.token_urlsafe(16), the tokens this module draws.
TOKEN_CHARS = 22


def upload_dir() -> Path:
    """The server's own directory for uploads waiting for confirmation and their readings: it
    must belong to this process's user and be closed to others (a directory made beforehand by
    someone else under the system's temporary directory is refused)."""
    default = Path(tempfile.gettempdir()) / "povertyplan-imports"
    path = Path(settings.IMPORT_UPLOAD_DIR or default)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_uid != os.getuid():
        raise ImproperlyConfigured(f"{path} belongs to another user; set IMPORT_UPLOAD_DIR.")
    if found.st_mode & 0o077:
        path.chmod(0o700)
    return path


def _communes(user):
    """Communes in which ``user`` may change at least one village's households."""
    return Area.objects.communes().filter(
        pk__in=Area.objects.editable_villages(user).values("parent_id")
    )


def _open_cycles(user):
    return (
        ReviewCycle.objects.visible_to(user)
        .filter(status=ReviewCycle.Status.DRAFT, commune__in=_communes(user))
        .select_related("commune", "standard")
    )


class HouseholdUploadForm(forms.Form):
    commune = forms.ModelChoiceField(label=gettext_lazy("Xã"), queryset=Area.objects.none())
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = _communes(user)


class AssessmentUploadForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Đợt rà soát"), queryset=ReviewCycle.objects.none()
    )
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = _open_cycles(user)


FORMS = {"households": HouseholdUploadForm, "assessments": AssessmentUploadForm}


def _forbidden(request):
    return render(request, "imports/forbidden.html", status=403)


def _can_import(user) -> bool:
    return Area.objects.editable_villages(user).exists()


@require_GET
def index(request):
    user = request.user
    request.session.setdefault(PROGRESS_KEY, secrets.token_urlsafe(16))  # one per session: tabs
    # Templates and exports are listed for one commune at a time: a district or province user
    # picks it (a province has hundreds of communes, each with its cycles).
    communes = list(
        Area.objects.communes().visible_to(user).select_related("parent").order_by("name", "pk")
    )
    chosen = _int(request.GET.get("commune"))
    commune = next((c for c in communes if c.pk == chosen), None)
    if commune is None and len(communes) == 1:
        commune = communes[0]
    context = {
        "can_import": _can_import(user),
        "token": request.session[PROGRESS_KEY],
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
@require_POST
def upload(request, kind):
    limited = _LimitedUpload(request)
    request.upload_handlers.insert(0, limited)
    return _upload(request, kind, limited)


@csrf_protect
def _upload(request, kind, limited):
    if kind not in FORMS:
        raise Http404
    if not _can_import(request.user):
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
    # The page's token only names the progress it polls; the stored file gets a token drawn here,
    # so no request can choose the name of (and so replace) a file waiting for confirmation.
    progress = form.cleaned_data["token"]
    if not _valid_token(progress) or progress != request.session.get(PROGRESS_KEY):
        progress = None
    token = secrets.token_urlsafe(16)
    _remove_stale()
    digest = hashlib.sha256()
    with open(upload_dir() / f"{token}.xlsx", "xb") as out:
        for chunk in upload_file.chunks():
            digest.update(chunk)
            out.write(chunk)
    target = form.cleaned_data.get("commune") or form.cleaned_data.get("cycle")
    pending = request.session.setdefault(SESSION_KEY, {})
    pending[token] = {
        "kind": kind,
        "target": target.pk,
        "filename": upload_file.name,
        "sha256": digest.hexdigest(),
    }
    request.session.modified = True
    kept = _reading_path(token)
    report = _job(request, token, pending[token], status=progress).run(commit=False, keep=kept)
    if progress:
        _write_status(progress, done=True)
    if report.ok:
        pending[token]["outcome"] = report.outcome()
        if kept.exists():
            pending[token]["reading"] = _sha256(kept)
    return _preview(request, token, pending[token], report)


@require_POST
def confirm(request, token):
    entry = _pending(request, token)
    # The kept reading is read once and its digest checked on those bytes, so that what is
    # unpickled is what the preview wrote for this session.
    try:
        kept = _reading_path(token).read_bytes() if entry.get("reading") else None
    except OSError:
        kept = None
    if kept is not None and hashlib.sha256(kept).hexdigest() != entry["reading"]:
        kept = None
    # With no previewed outcome (the preview found problems), nothing is written: what the
    # registry gives now is shown as a preview first.
    report = _job(request, token, entry, status=token, confirming=True).run(
        commit=True, reuse=kept, expect=entry.get("outcome", "")
    )
    _write_status(token, done=True)
    if report.changed_since_preview:
        # The registry changed since the preview: show what a commit would write now.
        entry["outcome"] = report.outcome()
        request.session.modified = True
        messages.warning(
            request,
            _(
                "Sổ hộ đã thay đổi từ lúc xem trước nên chưa nhập gì. Đây là kết quả xem trước "
                "mới; hãy kiểm tra rồi xác nhận lại."
            ),
        )
    if not report.committed:
        return _preview(request, token, entry, report)
    _discard(request, token)
    c = report.counts
    messages.success(
        request,
        _(
            "Đã nhập “%(file)s”: %(new)s dòng mới, %(updated)s dòng cập nhật, %(unchanged)s dòng "
            "không đổi."
        )
        % {
            "file": entry["filename"],
            "new": format_int(c["new"]),
            "updated": format_int(c["updated"]),
            "unchanged": format_int(c["unchanged"]),
        },
    )
    return redirect("imports:index")


@require_POST
def cancel(request, token):
    _pending(request, token)
    _discard(request, token)
    messages.info(request, _("Đã huỷ, không nhập gì."))
    return redirect("imports:index")


@require_GET
def status(request, token):
    """How far the preview or commit of ``token`` has got (polled by the import pages)."""
    mine = token == request.session.get(PROGRESS_KEY) or token in request.session.get(
        SESSION_KEY, {}
    )
    if not _valid_token(token) or not mine:
        raise Http404
    state = _read_status(token)
    return render(request, "imports/_progress.html", {"state": state})


# --- templates and exports ------------------------------------------------------------------


@require_GET
def household_template(request, commune_pk):
    commune = get_visible_or_404(Area.objects.communes(), request.user, pk=commune_pk)
    return exports.response(exports.household_template(commune), _("mau-ho-gia-dinh.xlsx"))


@require_GET
def assessment_template(request, cycle_pk):
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard"), request.user, pk=cycle_pk
    )
    return exports.response(
        exports.assessment_template(cycle),
        _("mau-ket-qua-ra-soat-%(year)s.xlsx") % {"year": cycle.year},
    )


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
    content = households_export_logged(request, households, rows=count)
    return exports.response(content, _("ho-gia-dinh.xlsx"))


@require_GET
def export_results(request, cycle_pk, household_class=""):
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard"), request.user, pk=cycle_pk
    )
    results = Assessment.objects.for_cycle(cycle).visible_to(request.user)
    chosen = results.filter(household_class=household_class) if household_class else results
    log_export(request, what=str(cycle), rows=chosen.count(), area=cycle.commune)
    if household_class:
        names = {
            HouseholdClass.POOR.value: _("ho-ngheo-%(year)s.xlsx"),
            HouseholdClass.NEAR_POOR.value: _("ho-can-ngheo-%(year)s.xlsx"),
        }
        content = exports.class_list_workbook(cycle, results, household_class)
        return exports.response(content, names[household_class] % {"year": cycle.year})
    return exports.response(
        exports.assessments_workbook(cycle, results),
        _("ket-qua-ra-soat-%(year)s.xlsx") % {"year": cycle.year},
    )


def households_export_logged(request, households, *, rows: int) -> bytes:
    """The Excel export of the list page's ``households`` for ``request.user``: citizen IDs in
    full only where the user may see them, and the export logged (with its row count) first."""
    log_export(
        request,
        what=_("Danh sách hộ gia đình (Excel)"),
        rows=rows,
    )
    revealable = citizen_ids_revealable(Household.objects.all(), request.user)
    return exports.households_workbook(households, revealable=revealable)


# --- helpers --------------------------------------------------------------------------------


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


def _pending(request, token) -> dict:
    """The upload of ``token`` if it belongs to this session and its file is the one previewed
    (else 404)."""
    entry = request.session.get(SESSION_KEY, {}).get(token) if _valid_token(token) else None
    path = upload_dir() / f"{token}.xlsx"
    if entry is None or not path.exists():
        raise Http404
    if _sha256(path) != entry.get("sha256"):
        raise Http404
    return entry


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _reading_path(token) -> Path:
    """Where the preview keeps what it read of the file, for the confirm to start from."""
    return upload_dir() / f"{token}.reading"


def _job(request, token, entry, *, status: str | None, confirming: bool = False):
    """The import of the stored file ``token``; its progress goes to the status file ``status``
    (the one the page polls), if any: rows read, then households stored."""
    path = upload_dir() / f"{token}.xlsx"

    def progress(done: int, total: int) -> None:
        if status:
            _write_status(status, done=False, rows=done, total=total)

    def stored(done: int, total: int) -> None:
        if status:
            _write_status(status, done=False, rows=done, total=total, writing=True)

    if status:
        _write_status(status, done=False, rows=0, total=0, confirming=confirming)
    common = {
        "source": path,
        "user": request.user,
        "filename": entry["filename"],
        "progress": progress,
        "write_progress": stored,
    }
    if entry["kind"] == "households":
        commune = _communes(request.user).filter(pk=entry["target"]).first()
        if commune is None:
            raise Http404
        return HouseholdImport(commune=commune, **common)
    cycle = _open_cycles(request.user).filter(pk=entry["target"]).first()
    if cycle is None:
        raise Http404
    return AssessmentImport(cycle=cycle, **common)


def _preview(request, token, entry, report):
    rows = settings.IMPORT_PREVIEW_ROWS
    invalid = report.issues[:rows]
    return render(
        request,
        "imports/preview.html",
        {
            "token": token,
            "entry": entry,
            "report": report,
            "invalid": invalid,
            "more_invalid": len(report.issues) - len(invalid),
            "new_rows": [c for c in report.changes if c.status == "new"][:rows],
            "updated_rows": [c for c in report.changes if c.status == "updated"][:rows],
            "preview_rows": rows,
        },
    )


def _discard(request, token) -> None:
    for suffix in (".xlsx", ".json", ".reading"):
        (upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)
    request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True


def _status_path(token) -> Path:
    return upload_dir() / f"{token}.json"


def _write_status(token, **state) -> None:
    # Written to a temporary name and renamed, so a poll never reads half a file.
    path = _status_path(token)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state))
    os.replace(temporary, path)


def _read_status(token) -> dict:
    try:
        return json.loads(_status_path(token).read_text())
    except (OSError, ValueError):
        return {}


def _remove_stale() -> None:
    limit = time.time() - settings.IMPORT_KEEP_HOURS * 3600
    for path in upload_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue
