"""Pages of the budget: lines with their execution, per source and per sub-project, the check of
stated totals, disbursements and each line's history.

Short views: fetch (scoped through accounts.access), act (through services), redirect. Officers
of the commune edit; village boards and viewers read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_editable_or_404, get_visible_or_404, requires
from areas.scoping import can
from areas.selection import pick
from core.forms import attach_errors

from . import services
from .forms import BudgetLineForm, DisbursementForm, StatedTotalForm
from .models import BudgetLine, Disbursement, StatedTotal


def _latest_budget_year(commune):
    return (
        BudgetLine.objects.filter(commune=commune)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


@requires("view")
def overview(request):
    sel = pick(request, _latest_budget_year)
    context = {"sel": sel, "can_edit": can(request.user, "budget", sel.commune)}
    if sel.commune is not None:
        lines = BudgetLine.objects.visible_to(request.user).filter(
            commune=sel.commune, year=sel.year
        )
        rows = list(lines.for_listing())
        context.update(
            lines=rows,
            by_source=lines.execution("source"),
            by_subproject=lines.execution("subproject"),
            total=lines.totals(),
            checks=StatedTotal.objects.visible_to(request.user)
            .filter(commune=sel.commune, year=sel.year)
            .checked(),
        )
    return render(request, "budget/overview.html", context)


@requires("view")
def line_detail(request, pk):
    user = request.user
    line = get_visible_or_404(
        BudgetLine.objects.with_disbursed().select_related("commune", "source", "subproject"),
        user,
        pk=pk,
    )
    history = line.history.select_related("history_user", "source", "subproject").order_by(
        "-history_date"
    )
    return render(
        request,
        "budget/line_detail.html",
        {
            "line": line,
            "disbursements": line.disbursements.select_related("recorded_by"),
            "history": history[:50],
            "payment_history": Disbursement.history.filter(line_id=line.pk)
            .select_related("history_user")
            .order_by("-history_date")[:50],
            "can_edit": can(user, "budget", line.commune),
        },
    )


@requires("budget")
def line_edit(request, pk=None):
    user = request.user
    if pk is None:
        sel = pick(request)
        if not can(user, "budget", sel.commune):
            raise PermissionDenied(_("Bạn không có quyền sửa kinh phí của xã này."))
        commune, year, line = sel.commune, sel.year, None
    else:
        line = get_editable_or_404(BudgetLine.objects.select_related("commune"), user, pk=pk)
        commune, year = line.commune, line.year
    form = BudgetLineForm(request.POST or None, instance=line, year=year)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if line is None:
                line = services.budget_line_create(commune=commune, year=year, user=user, **data)
            else:
                services.budget_line_update(line=line, expected_version=version, user=user, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu dòng kinh phí."))
            return redirect("budget_line_detail", pk=line.pk)
    return render(
        request,
        "budget/line_form.html",
        {"form": form, "line": line, "commune": commune, "year": year},
    )


@requires("budget")
def disbursement_create(request, pk):
    user = request.user
    line = get_editable_or_404(
        BudgetLine.objects.with_disbursed().select_related("commune", "source"), user, pk=pk
    )
    form = DisbursementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.disbursement_record(line=line, user=user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận giải ngân."))
            return redirect("budget_line_detail", pk=line.pk)
    return render(request, "budget/disbursement_form.html", {"form": form, "line": line})


@requires("budget")
@require_POST
def disbursement_delete(request, pk):
    disbursement = get_editable_or_404(Disbursement, request.user, pk=pk)
    try:
        services.disbursement_delete(disbursement=disbursement, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã hủy khoản giải ngân (vẫn lưu trong lịch sử)."))
    return redirect("budget_line_detail", pk=disbursement.line_id)


@requires("budget")
def stated_total_create(request):
    sel = pick(request)
    if not can(request.user, "budget", sel.commune):
        raise PermissionDenied(_("Bạn không có quyền sửa kinh phí của xã này."))
    form = StatedTotalForm(request.POST or None, year=sel.year)
    if request.method == "POST" and form.is_valid():
        try:
            services.stated_total_create(
                commune=sel.commune, year=sel.year, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tổng số theo văn bản."))
            return redirect(f"{reverse('budget_overview')}?{sel.query()}")
    return render(request, "budget/stated_total_form.html", {"form": form, "sel": sel})
