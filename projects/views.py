"""Pages of the programme: assignments, activities, beneficiaries, units and coverage.

Short views: fetch (scoped through accounts.access), act (through services), redirect.
Officers plan (assignments, activities, units); village boards record beneficiaries and the
progress of activities in their village; viewers read.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_editable_or_404, get_visible_or_404, requires
from areas.scoping import SELF, can
from areas.selection import FIRST_YEAR, LAST_YEAR, pick
from core.collation import by_name
from core.formatting import format_int
from core.forms import attach_errors
from households.bulk import LIST_FILTERS, list_url, refuse, selected_households
from households.models import Household

from . import services
from .coverage import indicator_coverage, not_reached_households
from .forms import (
    ActivityForm,
    AssignmentForm,
    BeneficiaryForm,
    BulkBeneficiaryForm,
    ProgressForm,
    ResponsibilityForm,
    UnitForm,
)
from .models import (
    Activity,
    Assignment,
    Beneficiary,
    Responsibility,
    SubProject,
    Unit,
)


@requires("view")
def overview(request):
    sel = pick(request, Assignment.objects.latest_year)
    assignments = []
    if sel.commune is not None:
        assignments = list(
            Assignment.objects.visible_to(request.user)
            .filter(commune=sel.commune, year=sel.year)
            .for_listing()
        )
    can_plan = can(request.user, "plan", sel.commune)
    return render(
        request,
        "projects/overview.html",
        {"sel": sel, "assignments": assignments, "can_plan": can_plan},
    )


@requires("view")
def assignment_detail(request, pk):
    user = request.user
    assignment = get_visible_or_404(
        Assignment.objects.select_related(
            "commune", "subproject__project__programme", "lead_unit", "officer_in_charge"
        ),
        user,
        pk=pk,
    )
    activities = list(
        Activity.objects.visible_to(user).filter(assignment=assignment).select_related("area")
    )
    progress_ids = set(
        Activity.objects.editable_by(user)
        .filter(assignment=assignment)
        .values_list("pk", flat=True)
    )
    beneficiaries = Beneficiary.objects.visible_to(user).filter(assignment=assignment)
    return render(
        request,
        "projects/assignment_detail.html",
        {
            "assignment": assignment,
            "coordinating": assignment.coordinating_units.all(),
            "bases": assignment.subproject.basis_links.select_related("document"),
            "indicators": assignment.subproject.indicators.order_by("code").distinct(),
            "activities": activities,
            "progress_ids": progress_ids,
            "beneficiaries": beneficiaries.for_listing()[:200],
            "beneficiary_totals": beneficiaries.aggregate(n=Count("id"), value=Sum("value")),
            "can_plan": can(user, "plan", assignment.commune),
            "can_record": can(user, "record", assignment.commune, inside=True),
        },
    )


@requires("plan")
def assignment_edit(request, pk=None):
    user = request.user
    if pk is None:
        sel = pick(request)
        if not can(user, "plan", sel.commune):
            raise PermissionDenied(_("Bạn không có quyền phân công thực hiện ở xã này."))
        commune, year, assignment = sel.commune, sel.year, None
    else:
        assignment = get_editable_or_404(Assignment, user, pk=pk)
        commune, year = assignment.commune, assignment.year
    form = AssignmentForm(request.POST or None, instance=assignment, commune=commune, year=year)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if assignment is None:
                assignment = services.assignment_create(
                    commune=commune, year=year, user=user, **data
                )
            else:
                data.pop("subproject", None)
                coordinating = data.pop("coordinating_units")
                services.assignment_update(
                    assignment=assignment,
                    expected_version=version,
                    coordinating_units=coordinating,
                    user=user,
                    **data,
                )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu phân công thực hiện."))
            return redirect("assignment_detail", pk=assignment.pk)
    return render(
        request,
        "projects/assignment_form.html",
        {"form": form, "assignment": assignment, "commune": commune, "year": year},
    )


@requires("plan")
def activity_create(request, pk):
    assignment = get_editable_or_404(
        Assignment.objects.select_related("commune"), request.user, pk=pk
    )
    form = ActivityForm(request.POST or None, commune=assignment.commune)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            services.activity_create(assignment=assignment, user=request.user, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm hoạt động."))
            return redirect("assignment_detail", pk=assignment.pk)
    return render(request, "projects/activity_form.html", {"form": form, "assignment": assignment})


@requires("plan")
def activity_edit(request, pk):
    user = request.user
    activity = get_editable_or_404(
        Activity.objects.plannable_by(user).select_related("assignment__commune"), user, pk=pk
    )
    assignment = activity.assignment
    form = ActivityForm(request.POST or None, instance=activity, commune=assignment.commune)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            services.activity_update(
                activity=activity, expected_version=data.pop("version"), user=user, **data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hoạt động."))
            return redirect("assignment_detail", pk=assignment.pk)
    return render(
        request,
        "projects/activity_form.html",
        {"form": form, "assignment": assignment, "activity": activity},
    )


@requires("record")
def activity_progress(request, pk):
    user = request.user
    activity = get_editable_or_404(
        Activity.objects.select_related("assignment__subproject", "area"), user, pk=pk
    )
    form = ProgressForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            services.activity_progress_record(
                activity=activity, expected_version=data.pop("version"), user=user, **data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã cập nhật tiến độ."))
            return redirect("assignment_detail", pk=activity.assignment_id)
    return render(request, "projects/progress_form.html", {"form": form, "activity": activity})


@requires("record")
def beneficiary_create(request, pk):
    user = request.user
    assignment = get_visible_or_404(
        Assignment.objects.select_related("commune", "subproject"), user, pk=pk
    )
    if not can(user, "record", assignment.commune, inside=True):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận người thụ hưởng ở xã này."))
    form = BeneficiaryForm(request.POST or None, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        household = data.pop("household_code")
        try:
            services.beneficiary_record(
                assignment=assignment, household=household, user=user, **data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận hộ %(code)s.") % {"code": household.code})
            return redirect("assignment_detail", pk=assignment.pk)
    suggestions = (
        Household.objects.editable_by(user)
        .filter(commune=assignment.commune)
        .in_registry_at(datetime.date.today())
        .order_by("code")
        .values_list("code", "head_name")
    )
    return render(
        request,
        "projects/beneficiary_form.html",
        {"form": form, "assignment": assignment, "suggestions": suggestions},
    )


@requires("record")
@require_POST
def beneficiary_delete(request, pk):
    beneficiary = get_editable_or_404(Beneficiary, request.user, pk=pk)
    services.beneficiary_delete(beneficiary=beneficiary, user=request.user)
    messages.success(request, _("Đã xóa bản ghi người thụ hưởng."))
    return redirect("assignment_detail", pk=beneficiary.assignment_id)


@requires("record")
@require_POST
def beneficiary_bulk(request):
    """The households ticked in the list page added to a sub-project's beneficiaries: sent from
    the list, this page names them and asks for the sub-project and the support (nothing is
    written yet); its own button writes them all, or none (households/bulk.py)."""
    user = request.user
    try:
        households = selected_households(user, request.POST, editable=True)
        if len({h.commune_id for h in households}) > 1:
            raise ValidationError(
                _(
                    "Các hộ đã chọn thuộc nhiều xã; tiểu dự án được phân công theo xã, hãy chọn "
                    "các hộ của một xã."
                )
            )
        commune = households[0].commune
        if not can(user, "record", commune, inside=True):
            raise ValidationError(_("Bạn không có quyền ghi nhận người thụ hưởng ở xã này."))
    except ValidationError as error:
        return refuse(request, error)
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(commune=commune)
        .select_related("subproject__project")
        .prefetch_related("activities")
        .order_by("-year", "subproject__project__number", "subproject__number")
    )
    confirmed = request.POST.get("step") == "confirm"
    form = BulkBeneficiaryForm(request.POST if confirmed else None, assignments=assignments)
    if confirmed and form.is_valid():
        data = dict(form.cleaned_data)
        assignment, activity = data.pop("target")
        try:
            created, skipped = services.beneficiaries_record_many(
                assignment=assignment, households=households, activity=activity, user=user, **data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            what = activity.title if activity else assignment.subproject.label
            messages.success(
                request,
                _("Đã thêm %(count)s hộ vào danh sách thụ hưởng: %(what)s.")
                % {"count": format_int(len(created)), "what": what},
            )
            if skipped:
                messages.info(
                    request,
                    _("%(count)s hộ đã có trong danh sách này từ trước, không thêm lại: %(codes)s.")
                    % {
                        "count": format_int(len(skipped)),
                        "codes": ", ".join(h.code for h in skipped),
                    },
                )
            return redirect("assignment_detail", pk=assignment.pk)
    return render(
        request,
        "projects/beneficiary_bulk.html",
        {
            "form": form,
            "households": households,
            "commune": commune,
            "filters": [
                (key, value) for key in LIST_FILTERS for value in request.POST.getlist(key)
            ],
            "back": list_url(request.POST),
            "no_assignment": not form.fields["target"].choices[1:],
        },
    )


@requires("view")
def beneficiary_list(request):
    sel = pick(request, Assignment.objects.latest_year)
    rows = Beneficiary.objects.none()
    if sel.commune is not None:
        rows = Beneficiary.objects.visible_to(request.user).filter(
            assignment__commune=sel.commune, assignment__year=sel.year
        )
    page = Paginator(rows.for_listing(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/beneficiary_list.html",
        {"sel": sel, "page": page, "totals": rows.aggregate(n=Count("id"), value=Sum("value"))},
    )


@requires("view")
def coverage(request):
    sel = pick(request, Assignment.objects.latest_year)
    rows, lists, error = [], {}, None
    if sel.commune is not None:
        try:
            rows = indicator_coverage(sel.commune, sel.year)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        # Counts are the commune's aggregate; names only of the households the user may see.
        lists = not_reached_households(rows, Household.objects.visible_to(request.user))
    for row in rows:
        row.listed = lists.get(row.code, [])
    return render(request, "projects/coverage.html", {"sel": sel, "rows": rows, "error": error})


@requires(SELF)
def subproject_detail(request, pk):
    # Programme structure is reference data every signed-in user may read.
    subproject = get_object_or_404(SubProject.objects.select_related("project__programme"), pk=pk)
    return render(
        request,
        "projects/subproject_detail.html",
        {
            "subproject": subproject,
            "bases": subproject.basis_links.select_related("document"),
            "indicators": subproject.indicators.select_related("dimension__standard"),
            "assignments": sorted(
                Assignment.objects.visible_to(request.user)
                .filter(subproject=subproject)
                .select_related("commune", "lead_unit"),
                key=lambda a: (-a.year, by_name(a.commune)),
            ),
        },
    )


@requires("view")
def units(request):
    sel = pick(request, Assignment.objects.latest_year)
    unit_rows, duties = [], {}
    if sel.commune is not None:
        unit_rows = list(Unit.objects.visible_to(request.user).filter(commune=sel.commune))
        duties = {
            r.unit_id: r
            for r in Responsibility.objects.visible_to(request.user).filter(
                unit__commune=sel.commune, year=sel.year
            )
        }
    for unit in unit_rows:
        unit.duty = duties.get(unit.pk)
    return render(
        request,
        "projects/units.html",
        {"sel": sel, "units": unit_rows, "can_plan": can(request.user, "plan", sel.commune)},
    )


@requires("plan")
def unit_create(request):
    sel = pick(request)
    if not can(request.user, "plan", sel.commune):
        raise PermissionDenied(_("Bạn không có quyền thêm đơn vị ở xã này."))
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_create(commune=sel.commune, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị."))
            return redirect(f"{reverse('project_units')}?{sel.query()}")
    return render(request, "projects/unit_form.html", {"form": form, "sel": sel})


@requires("plan")
def responsibility_edit(request, pk, year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    unit = get_editable_or_404(Unit.objects.select_related("commune"), request.user, pk=pk)
    current = Responsibility.objects.filter(unit=unit, year=year).first()
    form = ResponsibilityForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_set(unit=unit, year=year, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu nhiệm vụ của %(unit)s.") % {"unit": unit.name})
            return redirect(f"{reverse('project_units')}?commune={unit.commune_id}&year={year}")
    return render(
        request, "projects/responsibility_form.html", {"form": form, "unit": unit, "year": year}
    )
