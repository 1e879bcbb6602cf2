"""The plan document page (the whole Kế hoạch of a commune and year, as the PDF lays it out) and
the pages where officers type its narrative parts and its number and date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import requires
from areas.scoping import can
from areas.selection import pick
from core.forms import attach_errors
from projects.models import Assignment, Plan, PlanText
from reports import registry
from reports.documents import report_document_blocks

from . import jobs, services
from .checks import digest
from .defaults import BY_KEY, PARTS, default_text
from .document import plan_texts, running_name
from .forms import PlanDetailsForm, PlanTextForm
from .typeset import annex_of


@requires("view")
def plan_document(request):
    sel = pick(request, Assignment.objects.latest_year)
    report, error, items, header = None, None, [], None
    if sel.commune is not None:
        try:
            # its section I is marked when the review it starts from is not decided yet
            report = registry.build(registry.spec("plan"), sel.commune, sel.year)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if report is not None:
        items = _plan_items(report)
        header = _plan_header(report)
    own, plan = set(), None
    if sel.commune is not None:
        plan = (
            Plan.objects.visible_to(request.user)
            .filter(commune=sel.commune, year=sel.year)
            .select_related("confirmed_by")
            .first()
        )
        own = set(
            PlanText.objects.visible_to(request.user)
            .filter(plan__commune=sel.commune, plan__year=sel.year)
            .values_list("key", flat=True)
        )
    return render(
        request,
        "plan/document.html",
        {
            "sel": sel,
            "report": report,
            "items": items,
            "header": header,
            "parts": [(p, p.key in own) for p in PARTS],
            "error": error,
            "can_plan": can(request.user, "plan", sel.commune),
            "plan": plan,
            "checks_seen": digest(report.checks) if report is not None else "",
            "annex_of": annex_of(report) if report is not None else "",
        },
    )


@requires("view")
@require_GET
def plan_pdf(request):
    """The plan's PDF: from the report view when it is quick, else made by a background job and
    offered on the job's page (``plan/jobs.py`` says when)."""
    sel = pick(request, Assignment.objects.latest_year)
    if sel.commune is None:
        raise Http404
    if not jobs.pdf_in_background(sel.commune, sel.year):
        query = urlencode({"area": sel.commune.pk, "year": sel.year, "format": "pdf"})
        return redirect(f"{reverse('report', args=['plan'])}?{query}")
    job = jobs.start(user=request.user, commune=sel.commune, year=sel.year)
    messages.info(
        request,
        _(
            "Kế hoạch dài nên bản PDF được lập ở chế độ chạy nền. Khi xong, nút tải về hiện ở "
            "trang này; bạn có thể đóng trang và mở lại từ “Việc chạy nền của tôi”."
        ),
    )
    return redirect("jobs:detail", pk=job.pk)


@requires("plan")
@require_POST
def plan_confirm(request):
    """The officer confirms the plan despite its checks (the PDF loses its "DỰ THẢO" mark)."""
    sel = pick(request)
    if not can(request.user, "plan", sel.commune):
        raise PermissionDenied(_("Bạn không có quyền soạn kế hoạch của xã này."))
    try:
        services.plan_confirm(
            commune=sel.commune,
            year=sel.year,
            seen=request.POST.get("seen", ""),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã xác nhận ban hành kế hoạch dù còn cảnh báo; bản PDF không còn dấu “DỰ THẢO”."),
        )
    return redirect(_plan_back(sel))


def _plan_items(report) -> list[tuple]:
    """(block, its table or None, True on the first block of a typed part) for the template."""
    tables = {t.key: t for t in report.tables}
    seen, items = set(), []
    for block in report.blocks:
        first = bool(block.part) and block.part not in seen
        seen.add(block.part)
        items.append((block, tables.get(block.table), first))
    return items


def _plan_header(report):
    return report_document_blocks(report)  # the same header as the PDF's


def _plan_back(sel) -> str:
    return f"{reverse('plan_document')}?{sel.query()}"


@requires("plan")
def plan_text_edit(request, key):
    sel = pick(request)
    if key not in BY_KEY:
        raise Http404
    if not can(request.user, "plan", sel.commune):
        raise PermissionDenied(_("Bạn không có quyền soạn kế hoạch của xã này."))
    _plan, texts = plan_texts(sel.commune, sel.year)
    texts_here = PlanText.objects.editable_by(request.user).filter(
        plan__commune=sel.commune, key=key
    )
    own = texts_here.filter(plan__year=sel.year).first()
    last_year = texts_here.filter(plan__year=sel.year - 1).first()
    form = PlanTextForm(
        request.POST or None,
        initial={"text": texts[key], "seen": services.plan_text_digest(texts[key])},
    )
    conflict = None
    if request.method == "POST" and "reset" in request.POST:
        services.plan_text_reset(commune=sel.commune, year=sel.year, key=key, user=request.user)
        messages.success(request, _("Đã trở lại nội dung mặc định."))
        return redirect(_plan_back(sel))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_text_set(
                commune=sel.commune,
                year=sel.year,
                key=key,
                text=form.cleaned_data["text"],
                user=request.user,
                expected=form.cleaned_data["seen"] or None,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "conflict":
                # Keep the editor's text; show what was saved meanwhile, and take it as seen, so
                # that saving again (after merging) replaces it knowingly.
                _plan, texts = plan_texts(sel.commune, sel.year)
                conflict = texts[key]
                data = request.POST.copy()
                data["seen"] = services.plan_text_digest(conflict)
                form = PlanTextForm(data)
                form.is_valid()
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu “%(part)s”.") % {"part": BY_KEY[key].label})
            return redirect(_plan_back(sel))
    return render(
        request,
        "plan/text_form.html",
        {
            "form": form,
            "sel": sel,
            "part": BY_KEY[key],
            "own": own,
            "last_year": last_year,
            "default": default_text(key, commune=running_name(sel.commune), year=sel.year),
            "conflict": conflict,
        },
    )


@requires("plan")
def plan_details_edit(request):
    sel = pick(request)
    if not can(request.user, "plan", sel.commune):
        raise PermissionDenied(_("Bạn không có quyền soạn kế hoạch của xã này."))
    plan = Plan.objects.editable_by(request.user).filter(commune=sel.commune, year=sel.year).first()
    initial = {"number": plan.number, "issued_on": plan.issued_on} if plan else {}
    form = PlanDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_details_set(
                commune=sel.commune, year=sel.year, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu số, ngày của kế hoạch."))
            return redirect(_plan_back(sel))
    return render(request, "plan/details_form.html", {"form": form, "sel": sel})
