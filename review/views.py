"""The pages of a review cycle: the list and creation, and the cycle page with its stage track
and a form per step (village meetings, posting, complaints, the decision, reopening, reasons for
no result). Short views: fetch (scoped), act (through services), redirect or show the refusal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_editable_or_404, get_visible_or_404, requires
from areas.models import Area
from areas.scoping import can, person_areas_within
from core.forms import attach_errors
from households import services as household_services
from households.models import Assessment, ReviewCycle, ReviewExemption, village_progress
from households.queries import cycle_coverage, cycle_registry
from reports.registry import SPECS

from . import services
from .forms import (
    ComplaintForm,
    DecisionForm,
    ExemptionForm,
    MeetingForm,
    PostingForm,
    ReopenForm,
    ResolveForm,
    ReviewCycleForm,
)
from .models import Complaint, CycleEvent, Posting, VillageMeeting
from .queries import coverage_of, village_rows

Stage = ReviewCycle.Stage


@requires("view")
def cycle_list(request):
    user = request.user
    cycles = (
        ReviewCycle.objects.visible_to(user)
        .select_related("commune", "standard")
        .order_by("-year", "-reference_date", "pk")  # a stable order to page
    )
    communes = Area.objects.editable_communes(user)
    form = ReviewCycleForm(request.POST or None, communes=communes)
    if request.method == "POST":
        if not communes.exists():
            raise PermissionDenied(_("Chỉ cán bộ xã được tạo đợt rà soát."))
        if form.is_valid():
            try:
                cycle = household_services.review_cycle_create(**form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Đã tạo đợt rà soát."))
                return redirect("cycle_detail", pk=cycle.pk)
    # a province's cycles (ad-hoc ones monthly) make a long list: 50 to a page
    page = Paginator(cycles, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "review/cycle_list.html",
        {
            "cycles": page,
            "page": page,
            "query": "",
            "form": form,
            "can_create": communes.exists(),
        },
    )


def _visible_cycle(request, pk) -> ReviewCycle:
    return get_visible_or_404(
        ReviewCycle.objects.select_related("commune", "standard", "finalised_by"),
        request.user,
        pk=pk,
    )


@requires("view")
def cycle_detail(request, pk):
    cycle = _visible_cycle(request, pk)
    if cycle.kind != ReviewCycle.Kind.PERIODIC:
        return _ad_hoc_page(request, cycle)
    return _stages_page(request, cycle)


def _ad_hoc_page(request, cycle):
    """An ad-hoc cycle has no stages: its progress and the close."""
    area = cycle.commune
    if not can(request.user, "view", area):
        area = request.user.home_area()  # a board follows its own village
    can_close = can(request.user, "review", cycle.commune) and not cycle.is_finalised
    return render(
        request,
        "review/cycle_ad_hoc.html",
        {
            "cycle": cycle,
            "progress": village_progress(area, Q(cycle=cycle), day=cycle.reference_date),
            "refusal": household_services.finalise_refusal(cycle, cycle_coverage(cycle))
            if can_close
            else None,
            "can_close": can_close,
        },
    )


# The review's documents (review/reports/), each from the stage whose records it prints; the
# decision is printed as a draft until the commune decides.
DOCUMENTS = (
    ("review_households", Stage.OPEN),
    ("review_minutes", Stage.MEETINGS),
    ("review_posting", Stage.POSTING),
    ("review_complaints", Stage.POSTING),
    ("review_decision", Stage.POSTING),
    ("review_summary", Stage.OPEN),
)


def _documents(user, cycle) -> list[dict]:
    """Links to the cycle's documents the user may read: a list naming households for the areas
    whose households the user may list (a board: its own village)."""
    reached = services.ORDER.index(cycle.stage)
    places = None
    links = []
    for slug, stage in DOCUMENTS:
        spec = SPECS.get(slug)
        if spec is None or services.ORDER.index(stage) > reached:
            continue
        if spec.personal and places is None:
            places = person_areas_within(user, cycle.commune)
        for where in places if spec.personal else [cycle.commune]:
            url = (
                reverse("report", args=[slug])
                + "?"
                + urlencode({"area": where.pk, "year": cycle.year})
            )
            links.append(
                {
                    "title": spec.title or slug,
                    "area": where if where != cycle.commune else None,
                    "html": url,
                    "pdf": f"{url}&format=pdf",
                }
            )
    return links


def _stages_page(request, cycle, status=200, **forms):
    user, commune = request.user, cycle.commune
    rows = village_rows(cycle)
    coverage = coverage_of(rows)
    step = services.next_stage(cycle.stage)
    can_review = can(user, "review", commune)
    can_keep = can(user, "edit_registry", commune, inside=True)
    complaints = list(
        Complaint.objects.where_can(user, "persons")
        .filter(cycle=cycle)
        .select_related("household__village")
    )
    posting = Posting.objects.filter(cycle=cycle).first()
    track = []
    reached = True
    for value, label in Stage.choices:
        state = "current" if value == cycle.stage else ("done" if reached else "todo")
        if value == cycle.stage:
            reached = False
        track.append({"value": value, "label": label, "state": state})
    in_stage = cycle.stage
    context = {
        "cycle": cycle,
        "track": track,
        "next_stage": step,
        "next_label": Stage(step).label if step else "",
        "refusals": services.stage_refusals(cycle, step, rows) if step else [],
        "coverage": coverage,
        # a village board sees its own village's row
        "rows": [r for r in rows if can(user, "view", r.village)],
        # the villages whose meeting the user keeps (the officer: all; a board: its own)
        "meeting_villages": {r.village.pk for r in rows if can(user, "edit_registry", r.village)},
        "posting": posting,
        "complaints": complaints,
        "open_complaints": [c for c in complaints if c.is_open],
        "exemptions": ReviewExemption.objects.where_can(user, "persons")
        .filter(cycle=cycle)
        .select_related("household__village"),
        "events": CycleEvent.objects.filter(cycle=cycle).select_related("user"),
        "documents": _documents(user, cycle),
        "can_review": can_review,
        "can_queue": not cycle.is_finalised and bool(person_areas_within(user, commune)),
        "can_advance": can_review and in_stage in (Stage.OPEN, Stage.SURVEY),
        "posting_form": (
            PostingForm(initial={"starts_on": posting.starts_on, "place": posting.place})
            if posting
            else PostingForm()
        )
        if can_review and in_stage in (Stage.MEETINGS, Stage.POSTING)
        else None,
        "complaint_form": ComplaintForm(households=cycle_registry(cycle))
        if can_review and in_stage == Stage.POSTING
        else None,
        "resolve_form": ResolveForm() if can_review else None,
        "decision_form": DecisionForm() if can_review and in_stage == Stage.POSTING else None,
        "reopen_form": ReopenForm() if can_review and cycle.is_finalised else None,
        "exemption_form": ExemptionForm(households=cycle_registry(cycle))
        if can_keep and not cycle.is_finalised
        else None,
    }
    context.update(forms)  # a refused form, shown again with its errors
    return render(request, "review/cycle_detail.html", context, status=status)


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@requires("review")
@require_POST
def cycle_advance(request, pk):
    cycle = get_editable_or_404(ReviewCycle, request.user, pk=pk)
    try:
        services.advance(cycle=cycle, to_stage=request.POST.get("to_stage", ""), user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        cycle.refresh_from_db(fields=["stage"])
        messages.success(
            request, _("Đợt đã sang bước “%(stage)s”.") % {"stage": cycle.get_stage_display()}
        )
    return redirect("cycle_detail", pk=pk)


def _form_action(request, cycle, form, key, act, done: str):
    """Validate ``form``, run ``act(form.cleaned_data)``; on a refusal show the page again with
    the form and its errors."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cycle_detail", pk=cycle.pk)
    return _stages_page(request, _visible_cycle(request, cycle.pk), **{key: form})


@requires("review")
@require_POST
def cycle_posting(request, pk):
    cycle = get_editable_or_404(ReviewCycle, request.user, pk=pk)
    return _form_action(
        request,
        cycle,
        PostingForm(request.POST),
        "posting_form",
        lambda data: services.posting_record(cycle=cycle, user=request.user, **data),
        _("Đã ghi thời gian niêm yết công khai."),
    )


@requires("review")
@require_POST
def cycle_complaint_add(request, pk):
    cycle = get_editable_or_404(ReviewCycle, request.user, pk=pk)
    households = cycle_registry(cycle)
    return _form_action(
        request,
        cycle,
        ComplaintForm(request.POST, households=households),
        "complaint_form",
        lambda data: services.complaint_record(cycle=cycle, user=request.user, **data),
        _("Đã ghi khiếu nại vào sổ."),
    )


@requires("review")
@require_POST
def cycle_complaint_resolve(request, pk, complaint_pk):
    complaint = get_editable_or_404(
        Complaint.objects.select_related("cycle"), request.user, pk=complaint_pk, cycle_id=pk
    )
    form = ResolveForm(request.POST, instance=complaint)
    if form.is_valid():
        try:
            services.complaint_resolve(
                complaint=complaint,
                resolved_on=form.cleaned_data["resolved_on"],
                resolution=form.cleaned_data["resolution"],
                user=request.user,
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã ghi kết quả giải quyết khiếu nại."))
    else:
        messages.error(request, _("Hãy nhập ngày và kết quả giải quyết."))
    return redirect("cycle_detail", pk=pk)


@requires("review")
@require_POST
def cycle_finalise(request, pk):
    """The commune decision of a periodic review; the close of an ad-hoc one."""
    cycle = get_editable_or_404(ReviewCycle, request.user, pk=pk)
    if cycle.kind != ReviewCycle.Kind.PERIODIC:
        try:
            household_services.review_cycle_finalise(cycle=cycle, user=request.user)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã chốt đợt rà soát; số liệu của đợt không còn sửa được."))
        return redirect("cycle_detail", pk=pk)
    return _form_action(
        request,
        cycle,
        DecisionForm(request.POST),
        "decision_form",
        lambda data: services.decide(cycle=cycle, user=request.user, **data),
        _("Đã ghi quyết định công nhận; số liệu của đợt là số liệu chính thức."),
    )


@requires("review")
@require_POST
def cycle_reopen(request, pk):
    cycle = get_editable_or_404(ReviewCycle, request.user, pk=pk)
    return _form_action(
        request,
        cycle,
        ReopenForm(request.POST),
        "reopen_form",
        lambda data: services.reopen(cycle=cycle, user=request.user, **data),
        _("Đã mở lại đợt rà soát; số liệu của đợt là số liệu tạm thời cho đến khi quyết định lại."),
    )


@requires("edit_registry")
@require_POST
def cycle_exemption_add(request, pk):
    cycle = _visible_cycle(request, pk)
    households = cycle_registry(cycle).where_can(request.user, "edit_registry")
    return _form_action(
        request,
        cycle,
        ExemptionForm(request.POST, households=households),
        "exemption_form",
        lambda data: services.exemption_record(cycle=cycle, user=request.user, **data),
        _("Đã ghi lý do hộ không có kết quả."),
    )


@requires("edit_registry")
@require_POST
def cycle_exemption_remove(request, pk, exemption_pk):
    exemption = get_editable_or_404(
        ReviewExemption.objects.select_related("cycle", "household__village"),
        request.user,
        pk=exemption_pk,
        cycle_id=pk,
    )
    try:
        services.exemption_remove(exemption=exemption, user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã xoá lý do."))
    return redirect("cycle_detail", pk=pk)


@requires("edit_registry")
def cycle_meeting(request, pk, village_pk):
    """A village's meeting: the record and each household's agreement. The commune officer and
    the village's own board keep it."""
    cycle = _visible_cycle(request, pk)
    village = (
        Area.objects.villages()
        .where_can(request.user, "edit_registry")
        .filter(pk=village_pk, parent_id=cycle.commune_id)
        .first()
    )
    if village is None or cycle.kind != ReviewCycle.Kind.PERIODIC:
        raise Http404
    meeting = VillageMeeting.objects.filter(cycle=cycle, village=village).first()
    form = MeetingForm(request.POST or None, instance=meeting)
    households = list(services.meeting_households(cycle, village))
    if request.method == "POST":
        not_agreed = {}
        for value in request.POST.getlist("not_agreed"):
            if value.isdigit():
                not_agreed[int(value)] = request.POST.get(f"note_{value}", "")
        if form.is_valid():
            try:
                services.meeting_record(
                    cycle=cycle,
                    village=village,
                    user=request.user,
                    not_agreed=not_agreed,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi biên bản họp %(village)s.") % {"village": village.name}
                )
                return redirect("cycle_detail", pk=pk)
        judged = {hid: (False, note) for hid, note in not_agreed.items()}
    else:
        judged = (
            {r.household_id: (r.agreed, r.note) for r in meeting.results.all()} if meeting else {}
        )
    classes = dict(
        Assessment.objects.filter(cycle=cycle, household__in=households).values_list(
            "household_id", "household_class"
        )
    )
    class_labels = dict(Assessment._meta.get_field("household_class").choices)
    entries = [
        {
            "household": h,
            "class": class_labels.get(classes.get(h.pk), ""),
            "agreed": judged.get(h.pk, (True, ""))[0],
            "note": judged.get(h.pk, (True, ""))[1],
        }
        for h in households
    ]
    return render(
        request,
        "review/meeting.html",
        {
            "cycle": cycle,
            "village": village,
            "meeting": meeting,
            "form": form,
            "entries": entries,
            "editable": cycle.stage in (Stage.MEETINGS, Stage.POSTING) and not cycle.is_finalised,
        },
    )
