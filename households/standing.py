"""One definition of a household's standing (its "current status"), which every figure of the
household reports, the district table and the review progress read:

- **the figures of a year** (:func:`year_results`): each household's result in the periodic review
  of the year; where the review records "kept the previous result" (``ReviewExemption`` with
  ``KEPT_PREVIOUS``) and no result, its latest result in an earlier *finalised* periodic review is
  carried in. Only households on the registry on the review's reference date count: one that
  left on or before it (``left_registry_on``), or joined after it (``joined_registry_on``), is in
  no class, and in no denominator (:func:`registry_of_year`);
- **the figures of a year's denominator** (:func:`registry_of_year`): the households on the
  registry on the reference date of their commune's periodic review of the year (31/12 where the
  commune has none);
- **the figures as of a date** (:func:`results_as_of`): each household's latest *decided*
  result on that date: a result of a finalised review whose decision date (its reference date
  when the decision was not recorded) is on or before it, or the result of an ad-hoc request
  decided on or before it; households on the registry that day only.

Results of the year's periodic review count whatever its status: whether figures are official
or provisional is for the pages that show them to say.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from areas.models import Area

from .models import Assessment, Household, ReviewCycle, ReviewExemption, ReviewRequest

PERIODIC = ReviewCycle.Kind.PERIODIC
FINALISED = ReviewCycle.Status.FINALISED
KEPT = ReviewExemption.Reason.KEPT_PREVIOUS


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def on_registry(day, prefix: str = "") -> Q:
    """Households (reached through ``prefix``, e.g. ``"household"``) on the registry on ``day``
    (a date or an expression): joined on or before it, or always on it, and not yet left."""
    p = f"{prefix}__" if prefix else ""
    not_left = Q(**{f"{p}left_registry_on__isnull": True}) | Q(**{f"{p}left_registry_on__gt": day})
    joined = Q(**{f"{p}joined_registry_on__isnull": True}) | Q(
        **{f"{p}joined_registry_on__lte": day}
    )
    return not_left & joined


def on_registry_at(household: Household, day: datetime.date) -> bool:
    """:func:`on_registry` for one household already read."""
    left, joined = household.left_registry_on, household.joined_registry_on
    return (left is None or left > day) and (joined is None or joined <= day)


def reference_day(year: int, commune: str = "commune_id"):
    """The day ``year``'s figures are taken on, per commune (``commune`` names the commune's id
    in the outer query): the reference date of its periodic review of the year, else 31/12."""
    return Coalesce(
        Subquery(
            ReviewCycle.objects.filter(commune_id=OuterRef(commune), year=year, kind=PERIODIC)
            .order_by()
            .values("reference_date")[:1]
        ),
        Value(year_end(year)),
        output_field=DateField(),
    )


def registry_of_year(area: Area, year: int) -> QuerySet[Household]:
    """The households of ``area`` in the denominator of ``year``'s figures."""
    return (
        Household.objects.within(area)
        .alias(_figures_day=reference_day(year))
        .filter(on_registry(F("_figures_day")))
    )


def registry_counts(area: Area, years, field: str) -> dict[int, dict]:
    """{year: {value of ``field``: households in that year's denominator}}, for each of
    ``years``, in one query."""
    years = list(years)
    qs = Household.objects.within(area).alias(**{f"_day_{y}": reference_day(y) for y in years})
    rows = (
        qs.values_list(field)
        .annotate(**{f"n_{y}": Count("pk", filter=on_registry(F(f"_day_{y}"))) for y in years})
        .order_by()
    )
    out: dict[int, dict] = {y: {} for y in years}
    for value, *counts in rows:
        for y, n in zip(years, counts, strict=True):
            if n:
                out[y][value] = n
    return out


def _kept(year: int, *, finalised_only: bool) -> QuerySet[ReviewExemption]:
    """Households the periodic review of ``year`` keeps at their previous result: the reason is
    recorded, the household has no result in the review and is on its registry."""
    kept = ReviewExemption.objects.filter(
        on_registry(F("cycle__reference_date"), "household"),
        ~Exists(
            Assessment.objects.filter(
                cycle_id=OuterRef("cycle_id"), household_id=OuterRef("household_id")
            )
        ),
        reason=KEPT,
        cycle__year=year,
        cycle__kind=PERIODIC,
    )
    return kept.filter(cycle__status=FINALISED) if finalised_only else kept


def year_condition(year: int, *, finalised_only: bool = False) -> Q:
    """The condition on ``Assessment`` of :func:`year_results`."""
    own = Q(cycle__year=year, cycle__kind=PERIODIC) & on_registry(
        F("cycle__reference_date"), "household"
    )
    if finalised_only:
        own &= Q(cycle__status=FINALISED)
    latest_before = (
        Assessment.objects.filter(
            household_id=OuterRef("household_id"),
            cycle__kind=PERIODIC,
            cycle__status=FINALISED,
            cycle__year__lt=year,
        )
        .order_by("-cycle__year")
        .values("pk")[:1]
    )
    carried = Q(
        cycle__kind=PERIODIC,
        cycle__status=FINALISED,
        cycle__year__lt=year,
        household_id__in=_kept(year, finalised_only=finalised_only).values("household_id"),
        pk=Subquery(latest_before),
    )
    return own | carried


def year_results(year: int, *, finalised_only: bool = False):
    """Each household's result in the figures of ``year`` (see the module's docstring); with
    ``finalised_only``, a review still in progress counts nothing. An ``AssessmentQuerySet``:
    chain ``.within(area)``, ``.class_totals()`` and the rest as usual."""
    return Assessment.objects.filter(year_condition(year, finalised_only=finalised_only))


def _decided_on():
    """The day a result became official: its request's decision (ad-hoc review), else its
    finalised review's decision, else (a review finalised before decisions were recorded) the
    review's reference date. None while not decided."""
    return Case(
        When(
            request__status=ReviewRequest.Status.DECIDED,
            then=F("request__decision_date"),
        ),
        When(
            cycle__status=FINALISED,
            then=Coalesce("cycle__decision_date", "cycle__reference_date"),
        ),
        default=None,
        output_field=DateField(),
    )


def results_as_of(day: datetime.date):
    """Each household's latest decided result on ``day`` (households on the registry that day
    only), as an ``AssessmentQuerySet``."""
    decided = Assessment.objects.alias(_decided_on=_decided_on()).filter(_decided_on__lte=day)
    latest = (
        decided.filter(household_id=OuterRef("household_id"))
        .order_by("-_decided_on", "-cycle__reference_date", "-pk")
        .values("pk")[:1]
    )
    return decided.filter(on_registry(day, "household"), pk=Subquery(latest))


def parse_day(value) -> datetime.date | None:
    """The ``on`` option of a report: a date as YYYY-MM-DD (or DD/MM/YYYY); None when empty.
    Raises ``ValueError`` with a Vietnamese message otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Ngày không hợp lệ: %(v)s (dạng YYYY-MM-DD).") % {"v": text})


def registry_refusal(household: Household, cycle: ReviewCycle) -> str | None:
    """Why ``household`` may not have a result in ``cycle``: it is not of the cycle's commune, or
    not on the registry on the cycle's reference date (left on or before it, joined after it)."""
    day = cycle.reference_date
    if household.commune_id != cycle.commune_id:
        return _("Hộ %(code)s không thuộc xã của đợt rà soát.") % {"code": household.code}
    if household.left_registry_on is not None and household.left_registry_on <= day:
        return _(
            "Hộ %(code)s đã ra khỏi danh sách ngày %(left)s, trước ngày chốt số liệu %(day)s "
            "của đợt rà soát: không ghi kết quả cho hộ này."
        ) % {
            "code": household.code,
            "left": household.left_registry_on.strftime("%d/%m/%Y"),
            "day": day.strftime("%d/%m/%Y"),
        }
    if household.joined_registry_on is not None and household.joined_registry_on > day:
        return _(
            "Hộ %(code)s vào danh sách ngày %(joined)s, sau ngày chốt số liệu %(day)s của đợt "
            "rà soát: không ghi kết quả cho hộ này trong đợt."
        ) % {
            "code": household.code,
            "joined": household.joined_registry_on.strftime("%d/%m/%Y"),
            "day": day.strftime("%d/%m/%Y"),
        }
    return None
