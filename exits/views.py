"""The pathway pages: the ranked list of a commune (or a board's village) with filters, and one
household's pathway (its needs, the commune's plan of it, its registration and visits)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.access import get_visible_or_404, requires
from areas.models import Area
from areas.scoping import can, person_areas_within
from areas.selection import pick
from core.forms import attach_errors
from households.models import Household
from projects.models import Beneficiary

from . import services
from .forms import PlanForm, RegisterForm, VisitForm
from .models import Pathway
from .queries import (
    budget_check,
    norms_for,
    pathway_row,
    pathway_rows,
    planned_against_targets,
)

PAGE_SIZE = 100


def _this_year(_commune) -> int:
    return datetime.date.today().year


@requires("persons")
def pathway_list(request):
    """The poor and near-poor households ranked by effort, with the commune's targets beside the
    planned counts, per village, and the planned support against the budget lines."""
    selection = pick(request, default_year=_this_year)
    commune, year = selection.commune, selection.year
    if commune is None:
        return render(request, "exits/pathway_list.html", {"selection": selection})
    places = person_areas_within(request.user, commune)
    if not places:
        raise Http404
    villages = list(
        Area.objects.filter(kind=Area.Kind.VILLAGE, parent=commune).order_by("name")
        if places == [commune]
        else [p for p in places if p.kind == Area.Kind.VILLAGE]
    )
    village = None
    raw = request.GET.get("village", "")
    if raw:
        village = next((v for v in villages if str(v.pk) == raw), None)
        if village is None:
            raise Http404
    elif places != [commune]:
        village = villages[0]
    ethnicity = request.GET.get("ethnicity", "").strip()
    registered = request.GET.get("registered") == "1"
    rows = pathway_rows(
        commune, year, village=village, ethnicity=ethnicity, registered_only=registered
    )
    # the commune's plan against its targets, whatever the filters of the list
    progress = planned_against_targets(
        commune, year, [village] if village is not None else villages
    )
    query = urlencode(
        {
            k: v
            for k, v in {
                "commune": commune.pk,
                "year": year,
                "village": village.pk if village and places == [commune] else "",
                "ethnicity": ethnicity,
                "registered": "1" if registered else "",
            }.items()
            if v != ""
        }
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exits/pathway_list.html",
        {
            "selection": selection,
            "commune": commune,
            "year": year,
            "village": village,
            "villages": villages if places == [commune] else [],
            "ethnicity": ethnicity,
            "registered": registered,
            "page": page,
            "count": len(rows),
            "progress": progress,
            "budget_warnings": [
                b for b in (budget_check(commune, year) if village is None else []) if b["_warn"]
            ],
            "query": query,
            "report_area": village or commune,
        },
    )


@requires("persons")
def pathway_household(request, household_pk, year):
    """One household's pathway: what it lacks, the commune's plan of it (officer), its
    registration (board or officer) and the follow-up visits (board or officer)."""
    household = get_visible_or_404(
        Household.objects.select_related("village", "commune"), request.user, pk=household_pk
    )
    row = pathway_row(household, year)
    if row is None:
        raise Http404
    pathway = row.pathway or Pathway(household=household, year=year)
    norms = [n for ns in norms_for(household.commune, year).values() for n in ns]
    can_plan = can(request.user, "plan", household.commune)
    can_record = can(request.user, "record", household.village)
    version = pathway.version if pathway.pk else None
    chosen = (
        list(pathway.supports.values_list("norm_id", flat=True))
        if pathway.pk and pathway.planned
        else [c.norm.pk for c in row.covered]
    )
    plan_form = PlanForm(
        norms=norms,
        initial={
            "planned": pathway.planned,
            "helper": pathway.helper,
            "note": pathway.note,
            "norms": chosen,
            "version": version,
        },
    )
    register_form = RegisterForm(initial={"registered": pathway.registered, "version": version})
    beneficiaries = Beneficiary.objects.filter(
        household=household, assignment__year=year
    ).select_related("assignment__subproject")
    visit_form = VisitForm(initial={"visitor": pathway.helper}, beneficiaries=beneficiaries)
    here = reverse("exits:household", args=[household.pk, year])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "plan" and can_plan:
                plan_form = PlanForm(request.POST, norms=norms)
                if plan_form.is_valid():
                    data = plan_form.cleaned_data
                    services.plan(
                        household=household,
                        year=year,
                        planned=data["planned"],
                        helper=data["helper"],
                        norms=data["norms"],
                        note=data["note"],
                        expected_version=data["version"],
                        user=request.user,
                    )
                    messages.success(request, _("Đã lưu kế hoạch thoát nghèo của hộ."))
                    return redirect(here)
            elif action == "register" and can_record:
                register_form = RegisterForm(request.POST)
                if register_form.is_valid():
                    services.register(
                        household=household,
                        year=year,
                        registered=register_form.cleaned_data["registered"],
                        expected_version=register_form.cleaned_data["version"],
                        user=request.user,
                    )
                    messages.success(request, _("Đã lưu đăng ký thoát nghèo của hộ."))
                    return redirect(here)
            elif action == "visit" and can_record and pathway.pk:
                visit_form = VisitForm(request.POST, beneficiaries=beneficiaries)
                if visit_form.is_valid():
                    services.visit_record(
                        pathway=pathway, user=request.user, **visit_form.cleaned_data
                    )
                    messages.success(request, _("Đã ghi lần thăm, hỗ trợ hộ."))
                    return redirect(here)
            else:
                raise Http404
        except ValidationError as error:
            form = {"plan": plan_form, "register": register_form, "visit": visit_form}[action]
            attach_errors(form, error)
    return render(
        request,
        "exits/pathway_household.html",
        {
            "household": household,
            "year": year,
            "row": row,
            "pathway": pathway,
            "supports": list(pathway.supports.select_related("norm")) if pathway.pk else [],
            "visits": list(pathway.visits.all()) if pathway.pk else [],
            "plan_form": plan_form,
            "register_form": register_form,
            "visit_form": visit_form,
            "can_plan": can_plan,
            "can_record": can_record,
        },
    )
