"""Reads behind the household list and the dashboard: filters and annotations as QuerySet
building blocks, so views only call them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from .models import Assessment, Deprivation, Household, ReviewCycle

SORTS = {
    "code": ("code",),
    "head_name": ("head_sort", "head_name", "code"),  # Vietnamese order (core.collation)
    "village": ("village__name", "code"),
    "class": ("result__household_class", "code"),
    "income": ("result__income_per_capita", "code"),
    "-income": ("-result__income_per_capita", "code"),
}


def latest_periodic_year(cycles: QuerySet) -> int | None:
    """The latest year with periodic-review results among ``cycles`` (a cycle that has just been
    opened and has no result yet does not count: its figures would all be zero)."""
    # EXISTS, not a join: the newest cycle with one result ends the search, instead of joining
    # every result of a province (figures in docs/benchmarks.md).
    return (
        cycles.filter(
            Exists(Assessment.objects.filter(cycle=OuterRef("pk"))),
            kind=ReviewCycle.Kind.PERIODIC,
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def cycle_registry(cycle: ReviewCycle) -> QuerySet[Household]:
    """The households a cycle reviews: its commune's, on the registry on its reference date."""
    return Household.objects.filter(commune_id=cycle.commune_id).in_registry_at(
        cycle.reference_date
    )


def households_without_result(cycle: ReviewCycle) -> QuerySet[Household]:
    """Households of the cycle's registry with no result in the cycle: what keeps a periodic
    review from being closed."""
    return cycle_registry(cycle).exclude(_has_result(cycle))


@dataclass(frozen=True)
class Coverage:
    """How many households of the cycle's registry have a result in it."""

    total: int
    missing: int

    @property
    def reviewed(self) -> int:
        return self.total - self.missing


def cycle_coverage(cycle: ReviewCycle) -> Coverage:
    """:func:`households_without_result` counted against the registry, in one query."""
    counts = cycle_registry(cycle).aggregate(
        total=Count("pk"), missing=Count("pk", filter=~_has_result(cycle))
    )
    return Coverage(total=counts["total"], missing=counts["missing"])


def _has_result(cycle: ReviewCycle) -> Exists:
    return Exists(Assessment.objects.filter(cycle=cycle, household=OuterRef("pk")))


def household_list(
    user,
    *,
    cycle=None,
    year=None,
    village=None,
    household_class="",
    indicator="",
    dimension="",
    ethnicity="",
    q="",
    sort="code",
) -> QuerySet:
    """The households ``user`` may see, each with its result in the chosen cycle (or the periodic
    review of ``year``) as ``result``, filtered and sorted."""
    if cycle is not None:
        condition = Q(assessments__cycle=cycle)
    else:
        # FilteredRelation takes no nested lookups, so the year's periodic cycles are listed first.
        cycle_ids = list(
            ReviewCycle.objects.visible_to(user)
            .filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
            .values_list("pk", flat=True)
        )
        if not cycle_ids:  # no review yet: join nothing (an empty IN would empty the list)
            cycle_ids = [0]
        condition = Q(assessments__cycle_id__in=cycle_ids)
    qs = (
        Household.objects.visible_to(user)
        .select_related("village")
        .annotate(result=FilteredRelation("assessments", condition=condition))
        .annotate(
            household_class=F("result__household_class"),
            income=F("result__income_per_capita"),
            deprivation_count=F("result__deprivation_count"),
            result_id=F("result__id"),
        )
    )
    if village is not None:
        qs = qs.filter(village=village)
    if household_class == "unreviewed":
        qs = qs.filter(result__id__isnull=True)
    elif household_class:
        qs = qs.filter(result__household_class=household_class)
    if indicator or dimension:
        # Probed per listed household through its own result row (the unique index on
        # assessment + indicator), not by scanning every deprivation of the indicator in the
        # whole database: the commune's thousand results stay cheap on a province of 200,000.
        deprived = Deprivation.objects.filter(assessment_id=OuterRef("result_id"))
        if indicator:
            deprived = deprived.filter(indicator__code=indicator)
        if dimension:
            deprived = deprived.filter(indicator__dimension__code=dimension)
        qs = qs.filter(result__id__isnull=False).filter(Exists(deprived))
    if ethnicity:
        qs = qs.filter(ethnicity=ethnicity)
    if q:
        qs = qs.search(q)
    return qs.order_by(*SORTS.get(sort or "code", SORTS["code"]))
