"""Pages of the registry and the review.

Short views: fetch (scoped), act (through services), redirect.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_editable_or_404, get_visible_or_404, requires
from areas.models import Area
from areas.scoping import (
    SELF,
    can,
    citizen_ids_revealable,
    may_reveal_citizen_id,
    person_areas_within,
    persons_visible_in,
)
from audit.models import AccessLog
from audit.services import access_log
from core.collation import by_name, sorted_vietnamese, vietnamese_key
from core.forms import attach_errors
from indicators.models import Indicator
from indicators.rules import ClassificationError, classify
from reports.registry import default_year

from . import services
from .bulk import MAX_SELECTED
from .derive import derived_indicators
from .forms import HouseholdFilterForm, HouseholdForm, MemberFormSet, ReviewForm, SplitForm
from .history import household_history, request_steps
from .models import Assessment, Household, Member, ReviewCycle, ReviewRequest, village_progress
from .privacy import mask_citizen_id
from .queries import TODO, household_list, latest_periodic_year, next_in_queue, open_cycles_of
from .reports.status import figures_status, year_choices
from .search import looks_like_citizen_id
from .standing import registry_refusal
from .summary import list_total as summary_total


@requires(SELF)
def dashboard(request):
    """The key figures of the user's area: the latest official figures (every periodic review of
    that year decided), or a year chosen in the picker, marked when provisional. A village
    board's figures are its village's; it may switch to its commune's aggregate figures
    (``?scope=commune``), which name nobody and link to no list of another village."""
    user = request.user
    home = user.home_area()
    context = {"area": home}
    if home is not None:
        wider = _aggregate_area(user, home)
        area = wider if wider is not None and request.GET.get("scope") == "commune" else home
        cycles = ReviewCycle.objects.visible_to(user)
        choices = year_choices(area)
        asked = request.GET.get("year", "")
        official = {c.year: c.official for c in choices}
        year = int(asked) if asked.isdigit() and int(asked) in official else default_year(choices)
        context.update(
            area=area,
            home=home,
            wider=wider,
            year=year,
            summary=None,
            years=choices,
            picker_params=[("scope", "commune")] if area != home else [],
        )
        if year is not None:
            from .reports.baseline import baseline

            try:
                context["summary"] = summary = baseline(area, year)
            except ValidationError as exc:
                context["summary_error"] = " ".join(exc.messages)
            else:
                if not official[year]:  # one more query, for the reviewed counts
                    summary.status = figures_status(area, year)
        # the running review's progress, also before its first result gives a year of figures
        current = cycles.order_by("-year", "-reference_date").first()
        context["current_cycle"] = current
        if current is not None:
            progress = village_progress(area, Q(cycle__year=current.year, cycle__kind=current.kind))
            for row in progress:  # a list of households only where the user may read one
                row["listable"] = persons_visible_in(user, row["village"])
            context["progress"] = progress
            context["queue_open"] = (
                current.kind == ReviewCycle.Kind.PERIODIC
                and not current.is_finalised
                and bool(person_areas_within(user, area))
            )
    return render(request, "households/dashboard.html", context)


def _aggregate_area(user, home):
    """The commune whose aggregate figures a user of one of its villages may switch to (a
    village board), else None."""
    if home.kind != Area.Kind.VILLAGE or home.parent_id is None:
        return None
    commune = home.parent
    return commune if can(user, "view", commune, inside=True) else None


PAGE_SIZES = (25, 50, 100, 200)  # households per page of the list; the first is the default


@requires("view")
def household_list_view(request):
    user = request.user
    open_cycles = open_cycles_of(ReviewCycle.objects.visible_to(user).select_related("commune"))
    form, households, cycle, year = filtered_households(request, open_cycles)
    asked = request.GET.get("per_page", "")
    per_page = int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else PAGE_SIZES[0]
    paginator = Paginator(households, per_page)
    paginator.count = list_total(request, form, households, user=user, cycle=cycle, year=year)
    page = paginator.get_page(request.GET.get("page"))
    _review_actions(page, user, open_cycles)
    query = request.GET.copy()
    query.pop("page", None)
    # the "go to page" form sends the filters again as hidden fields, with its own page number
    kept = [(key, value) for key, values in query.lists() for value in values]
    return render(
        request,
        "households/household_list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "cycle": cycle,
            "query": query.urlencode(),
            "kept": kept,
            "kept_without_size": [(k, v) for k, v in kept if k != "per_page"],
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "can_create": Area.objects.editable_villages(user).exists(),
            "class_labels": dict(Assessment.CLASS_CHOICES),
            "bulk_limit": MAX_SELECTED,
        },
    )


def list_total(request, form, households, *, user, cycle, year) -> int:
    """The number of households the list's filter selects: the one place the list counts them.
    A district's or province's count comes from the summary counts when its filters are ones the
    summary keeps (``summary.list_total``); otherwise one COUNT over the filter (the page query
    itself reads only its page)."""
    filters = form.cleaned_data if form.is_valid() else {}
    selected = "selected" in request.GET
    total = summary_total(user, filters, cycle=cycle, year=year, selected=selected)
    return households.count() if total is None else total


def _review_actions(page, user, open_cycles) -> None:
    """Each listed household gets ``review_cycle``: its commune's open periodic cycle where the
    user may enter its result (the row's "Rà soát" link), else None. One query."""
    page.object_list = list(page.object_list)
    editable = set(
        Area.objects.editable_villages(user)
        .filter(pk__in={h.village_id for h in page.object_list})
        .values_list("pk", flat=True)
    )
    for h in page.object_list:
        h.review_cycle = open_cycles.get(h.commune_id) if h.village_id in editable else None


def filtered_households(request, open_cycles=None):
    """The list page's filter form bound to the request's query, and the households it selects
    in the order it asks for, with the cycle or year their results come from — shared by the list
    page and its Excel export, so both show the same rows."""
    user = request.user
    cycles = ReviewCycle.objects.visible_to(user).select_related("commune")
    form = HouseholdFilterForm(request.GET or None)
    scope = Household.objects.visible_to(user)
    communes = _area_fields(form, user, scope)
    form.fields["cycle"].queryset = cycles
    standard_indicators = Indicator.objects.filter(
        dimension__standard__in=cycles.values("standard")
    ).select_related("dimension")
    form.fields["household_class"].choices = [("", "—")] + [
        *Assessment.CLASS_CHOICES,
        ("unreviewed", _("Chưa rà soát")),
        (TODO, _("Chưa rà soát trong đợt này")),
    ]
    form.fields["indicator"].choices = [("", "—")] + sorted(
        {(i.code, f"{i.code} {i.name}") for i in standard_indicators}
    )
    form.fields["dimension"].choices = [("", "—")] + sorted(
        {(i.dimension.code, f"{i.dimension.code}. {i.dimension.name}") for i in standard_indicators}
    )
    ethnicities = set(_ethnicities(scope))
    if request.GET.get("ethnicity"):  # a filter value, never written: accept one the cache lacks
        ethnicities.add(request.GET["ethnicity"])
    form.fields["ethnicity"].choices = [("", "—")] + [
        (e, e) for e in sorted_vietnamese(ethnicities)
    ]
    filters = form.cleaned_data if form.is_valid() else {}
    if len(communes) > 1:
        commune = _village_choices(form, user, scope, filters)
    else:
        # A commune's user: the commune said once more, redundant with the scope, lets the
        # database read the commune's households by their (commune, code) index rather than
        # walk a province's sort index (docs/benchmarks.md, "Province viewer (issue 16)").
        commune = communes[0][0] if communes else None
    cycle = filters.get("cycle")
    year = None if cycle else latest_periodic_year(cycles)
    households = household_list(
        user,
        cycle=cycle,
        year=year,
        commune=commune,
        village=filters.get("village"),
        household_class=filters.get("household_class", ""),
        indicator=filters.get("indicator", ""),
        dimension=filters.get("dimension", ""),
        ethnicity=filters.get("ethnicity", ""),
        q=filters.get("q", ""),
        sort=filters.get("sort", "code"),
        open_cycles=open_cycles,
    )
    if "selected" in request.GET:  # the export of the households ticked in the list (bulk.py)
        ticked = [int(v) for v in request.GET.getlist("selected") if v.isdigit()]
        households = households.filter(pk__in=ticked[:MAX_SELECTED])
    q = filters.get("q", "")
    if looks_like_citizen_id(q):
        # Digits match a citizen ID only where the user may see the full number; elsewhere only
        # a household code, so a search cannot confirm what the masked form hides.
        households = households.filter(
            Q(pk__in=citizen_ids_revealable(Household.objects.all(), user).values("pk"))
            | Q(code__icontains=q.strip())
        )
    return form, households, cycle, year


def log_export(request, *, what: str, rows: int, area=None) -> None:
    """Log an export of persons or households (``audit``), before it is handed out."""
    access_log(
        request=request,
        action=AccessLog.Action.EXPORT,
        area=area or request.user.home_area(),
        what=what,
        rows=rows,
    )


def _area_fields(form, user, scope) -> list[tuple[int, str]]:
    """The filter's commune and village fields. Over more than one commune (a district or a
    province: 100–160 communes, 1,800 villages) the village is chosen within a commune, its
    villages loaded with htmx when the commune changes (:func:`village_options`) or shown once
    the commune is submitted (without JavaScript). A commune's or a village's user keeps one
    plain village select and no commune field. Returns the communes the user may see, as
    (id, label)."""
    communes = _commune_choices(user)
    if len(communes) <= 1:
        del form.fields["commune"]
        villages = (
            Area.objects.visible_to(user)
            .villages()
            .filter(Exists(scope.filter(village=OuterRef("pk"))))
        )
        form.fields["village"].queryset = villages
        form.fields["village"].choices = [("", form.fields["village"].empty_label)] + [
            (v.pk, str(v)) for v in sorted(villages, key=by_name)
        ]
        return communes
    field = form.fields["commune"]
    field.queryset = Area.objects.visible_to(user).communes()
    field.choices = [("", field.empty_label), *communes]
    field.widget.attrs.update(
        {
            "hx-get": reverse("household_village_options"),
            "hx-target": "#id_village",
            "hx-swap": "innerHTML",
        }
    )
    form.fields["village"].queryset = Area.objects.visible_to(user).villages()
    return communes


def _commune_choices(user) -> list[tuple[int, str]]:
    """Every commune ``user`` may see, as (id, label) in Vietnamese order (no probe for
    households: a scan of a province's households for 160 names; a board sees its own commune
    as an ancestor, one commune). Two communes of one name are told apart by their parent (a
    district, or the province where districts were abolished). Kept for a few minutes per
    scope: sorting a national user's 3,300 communes on every page costs more than a commune
    added or renamed showing a little late (the field still accepts it)."""
    query = Area.objects.visible_to(user).communes().select_related("parent")
    key = "household-communes:" + hashlib.sha256(str(query.query).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        communes = sorted(query, key=lambda c: (vietnamese_key(c.name), c.pk))
        names = Counter(c.name for c in communes)
        found = [
            (c.pk, f"{c.name} ({c.parent.name})" if names[c.name] > 1 else c.name) for c in communes
        ]
        cache.set(key, found, settings.AREA_CHOICES_CACHE_SECONDS)
    return found


def _village_choices(form, user, scope, filters):
    """The village select's options: the villages of the chosen commune (the commune of a
    chosen village when no commune was sent, as from a link "?village=…"); a village outside
    the chosen commune (the commune changed, without JavaScript) is dropped. Returns the id of
    the commune to filter by."""
    commune, village = filters.get("commune"), filters.get("village")
    commune_id = commune.pk if commune is not None else None
    if village is not None and commune_id is None:
        commune_id = village.parent_id
        form.data = form.data.copy()
        form.data["commune"] = str(commune_id)
    elif village is not None and village.parent_id != commune_id:
        filters["village"] = None
    field = form.fields["village"]
    if commune_id is None:
        field.choices = [("", _("— chọn xã trước —"))]
        return None
    field.choices = [("", field.empty_label)] + [
        (v.pk, v.name) for v in communes_villages(user, scope, commune_id)
    ]
    return commune_id


def communes_villages(user, scope, commune) -> list[Area]:
    """The villages of ``commune`` that ``user`` may see and that hold a household of
    ``scope``, in Vietnamese order."""
    villages = (
        Area.objects.visible_to(user)
        .villages()
        .filter(parent=commune)
        .filter(Exists(scope.filter(village=OuterRef("pk"))))
    )
    return sorted(villages, key=by_name)


@requires("view")
def village_options(request):
    """The ``<option>``s of the household list's village select for the commune chosen in its
    commune select (htmx): the villages there that the user may see, with households."""
    asked = request.GET.get("commune", "")
    villages = []
    if asked:
        if not asked.isdigit():
            raise Http404
        commune = get_visible_or_404(Area.objects.communes(), request.user, pk=int(asked))
        villages = communes_villages(
            request.user, Household.objects.visible_to(request.user), commune
        )
    return render(
        request,
        "households/_partials/village_options.html",
        {
            "villages": villages,
            "commune_chosen": bool(asked),
            "empty_label": HouseholdFilterForm.base_fields["village"].empty_label,
        },
    )


def _ethnicities(scope) -> list[str]:
    """The ethnic groups of the households in ``scope``, for the filter's choices. Kept for a few
    minutes: over a province it is a scan of every household, and a group
    appearing a little late in the list costs nothing (a typed value is accepted anyway)."""
    query = scope.exclude(ethnicity="").order_by().values_list("ethnicity", flat=True).distinct()
    key = "household-ethnicities:" + hashlib.sha256(str(query.query).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = sorted_vietnamese(query)
        cache.set(key, found, settings.ETHNICITY_CACHE_SECONDS)
    return found


def _visible_household(request, pk) -> Household:
    return get_visible_or_404(
        Household.objects.select_related("village", "commune"), request.user, pk=pk
    )


@requires("view")
def household_detail(request, pk):
    """The household page; a POST (the "Hiện đầy đủ" button) is the reveal of its citizen IDs."""
    if request.method == "POST":
        return household_reveal(request, pk)
    return _household_shown(request, pk, revealed=False)


@requires("reveal")
@require_POST
def household_reveal(request, pk):
    """The household page with its members' citizen IDs in full: an explicit action (a POST
    button), logged before the numbers are shown; no log entry, no numbers."""
    return _household_shown(request, pk, revealed=True)


def _household_shown(request, pk, *, revealed: bool):
    household = _visible_household(request, pk)
    if revealed and not may_reveal_citizen_id(request.user, household):
        raise PermissionDenied(_("Bạn không có quyền xem đầy đủ số CCCD của hộ này."))
    members = list(household.members.all())
    access_log(
        request=request,
        action=AccessLog.Action.REVEAL_CITIZEN_ID if revealed else AccessLog.Action.VIEW_HOUSEHOLD,
        area=household.village,
        obj=household,
        rows=sum(1 for m in members if m.citizen_id) if revealed else len(members),
    )
    return _household_page(request, household, members, revealed=revealed)


def _household_page(request, household, members, *, revealed: bool):
    assessments = list(
        household.assessments.select_related("cycle__commune", "standard")
        .prefetch_related("deprivations__indicator__dimension", "overrides__indicator")
        .order_by("-cycle__year", "-cycle__reference_date")
    )
    for a in assessments:
        a.by_dimension = _group_by_dimension([d.indicator for d in a.deprivations.all()])
    # An ad-hoc cycle's result is entered from the household's request (review/adhoc_views.py).
    open_cycles = (
        ReviewCycle.objects.visible_to(request.user)
        .filter(commune=household.commune, status=ReviewCycle.Status.DRAFT)
        .exclude(kind=ReviewCycle.Kind.AD_HOC)
    )
    requests = list(
        ReviewRequest.objects.where_can(request.user, "persons")
        .filter(household=household)
        .select_related("assessment")
    )
    request_steps(requests)
    for m in members:
        m.citizen_id_shown = m.citizen_id if revealed else mask_citizen_id(m.citizen_id)
    history = household_history(household)
    if not revealed:
        _mask_history(history)
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members,
            "assessments": assessments,
            "history": history,
            "can_edit": Household.objects.editable_by(request.user)
            .filter(pk=household.pk)
            .exists(),
            "open_cycles": open_cycles,
            "requests": requests,
            "can_request": can(
                request.user, ReviewRequest.objects.none().edit_action, household.village
            ),
            "revealed": revealed,
            "can_reveal": not revealed
            and any(m.citizen_id for m in members)
            and may_reveal_citizen_id(request.user, household),
        },
    )


def _mask_history(entries) -> None:
    """Citizen IDs in the change history are masked like those of the members' table."""
    label = str(Member._meta.get_field("citizen_id").verbose_name)
    for entry in entries:
        for change in entry.changes:
            if change.field == label:
                change.before = mask_citizen_id(change.before)
                change.after = mask_citizen_id(change.after)


def _group_by_dimension(indicators):
    groups: dict = {}
    for indicator in sorted(indicators, key=lambda i: (i.dimension.order, i.order)):
        groups.setdefault(indicator.dimension, []).append(indicator)
    return list(groups.items())


@requires("edit_registry")
def household_edit(request, pk=None):
    user = request.user
    villages = Area.objects.editable_villages(user)
    household = (
        get_editable_or_404(Household.objects.select_related("village"), user, pk=pk)
        if pk
        else None
    )
    if household is None and not villages.exists():
        raise PermissionDenied(_("Bạn không có quyền thêm hộ."))
    form = HouseholdForm(request.POST or None, instance=household, villages=villages)
    formset = MemberFormSet(request.POST or None, instance=household or Household())
    split_form = SplitForm(request.POST or None, prefix="split")
    if household is not None and request.method == "GET":
        _log_edit_form_reveal(request, household, formset)
    valid = request.method == "POST" and form.is_valid() and formset.is_valid()
    if valid and split_form.is_valid():
        try:
            household, new_household = _save_household(form, formset, split_form, household)
        except services.ConflictError as exc:
            form.add_error(None, exc.messages[0])
            form.conflict = _describe_conflict(household, exc.current, form)
        except ValidationError as exc:
            _attach_member_errors(form, split_form, exc)
        else:
            messages.success(request, _("Đã lưu hộ %(code)s.") % {"code": household.code})
            if new_household is not None:
                messages.success(
                    request,
                    _("Đã tạo hộ %(code)s (tách hộ) với %(n)s thành viên.")
                    % {"code": new_household.code, "n": new_household.members.count()},
                )
            return redirect("household_detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {"form": form, "formset": formset, "split_form": split_form, "household": household},
    )


def _attach_member_errors(form, split_form, exc: ValidationError) -> None:
    """A service's refusal about the split household goes under the split form's fields."""
    if hasattr(exc, "error_dict") and {"split_code", "split_on"} & set(exc.error_dict):
        for key, errors in exc.error_dict.items():
            target = key.removeprefix("split_") if key.startswith("split_") else None
            for error in errors:
                if target:
                    split_form.add_error(target, error)
                else:
                    form.add_error(None, error)
        return
    attach_errors(form, exc)


def _log_edit_form_reveal(request, household, formset) -> None:
    """The edit form carries the members' citizen IDs in full (an editor must be able to read
    and correct them), so opening it counts as revealing them, and is logged as such."""
    shown = sum(1 for f in formset.forms if f.instance.pk and f.instance.citizen_id)
    if not shown:
        return
    if not may_reveal_citizen_id(request.user, household):  # editable implies revealable
        raise PermissionDenied(_("Bạn không có quyền xem đầy đủ số CCCD của hộ này."))
    access_log(
        request=request,
        action=AccessLog.Action.REVEAL_CITIZEN_ID,
        area=household.village,
        obj=household,
        what=_("Mở biểu mẫu sửa hộ %(code)s") % {"code": household.code},
        rows=shown,
    )


@transaction.atomic
def _save_household(form, formset, split_form, household):
    """The household and its member rows; a second post of the same edit writes nothing."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    if household is None:
        household = services.household_create(**data)
    else:
        household = services.household_update(
            household=household, expected_version=form.cleaned_data.get("version"), **data
        )
        if getattr(household, "replayed", False):
            return household, None
    formset.instance = household
    changed = [
        f.save(commit=False)
        for f in formset.forms
        if f.has_changed() and not f.cleaned_data.get("DELETE")
    ]
    new_household = services.members_save(
        household=household,
        changed=changed,
        removals=formset.removals(),
        split=split_form.split() if formset.splits else None,
    )
    return household, new_household


def _describe_conflict(mine, current, form):
    """The fields someone else changed, as (label, what they saved, what this user sent)."""
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        theirs = getattr(current, name, None)
        ours = form.cleaned_data.get(name)
        if theirs != getattr(mine, name, None) or theirs != ours:
            rows.append((field.label, theirs, ours))
    return rows


@requires("edit_registry")
def review_entry(request, pk, cycle_pk):
    user = request.user
    household = get_editable_or_404(Household.objects.select_related("village"), user, pk=pk)
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard"),
        user,
        pk=cycle_pk,
        commune=household.commune,
    )
    assessment = Assessment.objects.filter(cycle=cycle, household=household).first()
    members = list(household.members.all())
    indicators = list(
        Indicator.objects.of_standard(cycle.standard).order_by("dimension__order", "order")
    )
    derived = derived_indicators(household, members, cycle.reference_date)
    initial = _review_initial(assessment, derived)
    form = ReviewForm(
        request.POST or None,
        initial=initial,
        indicators=indicators,
        derived=derived,
        standard=cycle.standard,
    )
    # A result the commune decided on an ad-hoc request (review/adhoc_services.py) stays as decided.
    decided = (
        assessment is not None
        and ReviewRequest.objects.filter(
            assessment=assessment, status=ReviewRequest.Status.DECIDED
        ).exists()
    )
    if cycle.is_finalised:
        messages.warning(request, _("Đợt rà soát này đã chốt; chỉ xem, không sửa được."))
    elif decided:
        messages.warning(
            request, _("Xã đã có quyết định theo kết quả này; chỉ xem, không sửa được.")
        )
    elif request.method == "GET" and (refusal := registry_refusal(household, cycle)):
        messages.warning(request, refusal)  # the save is refused by the service, with this text
    read_only = cycle.is_finalised or decided
    if request.method == "POST" and not read_only and form.is_valid():
        try:
            services.assessment_record(
                cycle=cycle,
                household=household,
                income_per_capita=form.cleaned_data["income_per_capita"],
                b1_score=form.cleaned_data["b1_score"],
                deprived=form.deprived(),
                overrides=form.overrides(),
                expected_version=form.cleaned_data.get("version") or 0,
                user=user,
            )
        except services.ConflictError as exc:
            form.add_error(None, exc.messages[0])
            form.conflict = exc.current
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Đã lưu kết quả rà soát của hộ %(code)s.") % {"code": household.code}
            )
            if request.POST.get("then") == "next" and cycle.kind == ReviewCycle.Kind.PERIODIC:
                return _next_household(request, cycle, household)
            return redirect("household_detail", pk=household.pk)
    return render(
        request,
        "households/review_form.html",
        {
            "form": form,
            "household": household,
            "cycle": cycle,
            "assessment": assessment,
            "read_only": read_only,
            "members": members,
            "preview": _preview(cycle, household, form),
            "in_queue": cycle.kind == ReviewCycle.Kind.PERIODIC,
        },
    )


def _next_household(request, cycle, household):
    """ "Lưu và sang hộ tiếp theo": the next household of the village's queue, or the queue
    itself, with a word, when the village has nobody left to review."""
    following = next_in_queue(cycle, household)
    if following is None:
        messages.info(
            request,
            _("%(village)s không còn hộ nào chờ rà soát trong đợt này.")
            % {"village": household.village.name},
        )
        return redirect("cycle_queue_village", pk=cycle.pk, village_pk=household.village_id)
    return redirect("review_entry", pk=following.pk, cycle_pk=cycle.pk)


def _review_initial(assessment, derived):
    if assessment is None:
        return {"version": 0} | {
            f"ind_{code.replace('.', '_')}": True for code, value in derived.items() if value
        }
    initial = {
        "income_per_capita": assessment.income_per_capita,
        "b1_score": assessment.b1_score,
        "version": assessment.version,
    }
    for code in filter(None, assessment.deprived_codes.split(",")):
        initial[f"ind_{code.replace('.', '_')}"] = True
    for override in assessment.overrides.select_related("indicator"):
        initial[f"reason_{override.indicator.code.replace('.', '_')}"] = override.reason
    return initial


def _preview(cycle, household, form):
    """The class the current inputs give, by the same rule the server stores with."""
    data = form.data if form.is_bound else form.initial

    def number(name):  # read as the form reads it ("1.200.000", "1,2 triệu"); None if not
        value = form.fields[name].parsed(data.get(name))
        return value if value is not None and value >= 0 else None

    deprived = [
        i.code
        for i in form.indicators
        if data.get(f"ind_{i.code.replace('.', '_')}") in (True, "on", "true", "1")
    ]
    try:
        result = classify(
            cycle.standard.rule(),
            urban=household.is_urban,
            income=number("income_per_capita"),
            b1_score=number("b1_score"),
            deprived=deprived,
        )
    except ClassificationError as exc:
        return {"error": services.classification_message(exc)}
    return {
        "class": dict(Assessment.CLASS_CHOICES)[result.household_class.value],
        "class_key": result.household_class.value,
        "measure": dict(Assessment.MEASURE_CHOICES)[result.measure.value],
        "count": result.deprivation_count,
        "b2": result.b2_score,
    }


@requires("edit_registry")
@require_POST
def review_preview(request, pk, cycle_pk):
    user = request.user
    household = get_editable_or_404(Household, user, pk=pk)
    cycle = get_visible_or_404(
        ReviewCycle.objects.select_related("standard"),
        user,
        pk=cycle_pk,
        commune=household.commune,
    )
    indicators = list(Indicator.objects.of_standard(cycle.standard))
    form = ReviewForm(request.POST, indicators=indicators, derived={}, standard=cycle.standard)
    return render(
        request,
        "households/_partials/review_preview.html",
        {"preview": _preview(cycle, household, form)},
    )
