"""Reads behind the household list and the dashboard: filters and annotations as QuerySet
building blocks, so views only call them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from .models import Assessment, Deprivation, Household, ReviewCycle, ReviewExemption

#: the list's sorts. Each names only the household's own columns or the annotations of
#: :func:`household_list` (never ``result__…``: a lookup through the relation again would join
#: the assessments a second time). Every one has an index (migration 0007, docs/benchmarks.md).
SORTS = {
    "code": ("code",),
    "head_name": ("head_sort", "head_name", "code"),  # Vietnamese order (core.collation)
    "village": ("village__name", "village_id", "code"),
    "class": ("household_class", "code"),
    "income": ("income", "code"),
    "-income": ("-income", "code"),
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


#: the order of a village's review queue: the registry's order, by household code
#: (docs/decisions-review.md, "Review queue")
QUEUE_ORDER = ("code", "pk")


def review_queue(cycle: ReviewCycle, village) -> QuerySet[Household]:
    """The households of ``village`` still to review in ``cycle``: on its registry, with neither
    a result nor a recorded reason (ReviewExemption), in the registry's order."""
    return (
        cycle_registry(cycle)
        .filter(village=village)
        .exclude(_has_result(cycle))
        .exclude(Exists(ReviewExemption.objects.filter(cycle=cycle, household=OuterRef("pk"))))
        .order_by(*QUEUE_ORDER)
    )


def next_in_queue(cycle: ReviewCycle, household: Household) -> Household | None:
    """The household after ``household`` in its village's queue (the first one again past the
    end), or None when the village has nobody left to review. One query."""
    after = Q(code__gt=household.code) | Q(code=household.code, pk__gt=household.pk)
    return (
        review_queue(cycle, household.village_id)
        .exclude(pk=household.pk)
        .annotate(wrapped=Case(When(after, then=Value(0)), default=Value(1)))
        .order_by("wrapped", *QUEUE_ORDER)
        .first()
    )


def open_cycles_of(cycles: QuerySet[ReviewCycle]) -> dict[int, ReviewCycle]:
    """Per commune id, the newest periodic cycle still open (not decided) among ``cycles``."""
    found: dict[int, ReviewCycle] = {}
    for cycle in cycles.filter(
        kind=ReviewCycle.Kind.PERIODIC, status=ReviewCycle.Status.DRAFT
    ).order_by("-year", "-reference_date"):
        found.setdefault(cycle.commune_id, cycle)
    return found


def unreviewed_in_open_cycles(open_cycles) -> Q:
    """Households still to review in their commune's open cycle (no result, no reason)."""
    condition = Q(pk__in=[])
    for cycle in open_cycles:
        condition |= Q(
            pk__in=cycle_registry(cycle)
            .exclude(_has_result(cycle))
            .exclude(Exists(ReviewExemption.objects.filter(cycle=cycle, household=OuterRef("pk"))))
            .values("pk")
        )
    return condition


#: the list's filter "chưa rà soát trong đợt này": still to review in the open cycle
TODO = "todo"


def household_list(
    user,
    *,
    cycle=None,
    year=None,
    commune=None,
    village=None,
    household_class="",
    indicator="",
    dimension="",
    ethnicity="",
    q="",
    sort="code",
    open_cycles: dict | None = None,
) -> QuerySet:
    """The households ``user`` may see, each with its result in the chosen cycle (or the periodic
    review of ``year``) as ``result``, filtered and sorted. ``open_cycles`` (commune id → its
    open periodic cycle, :func:`open_cycles_of`) when the caller has them already."""
    if cycle is not None:
        cycle_ids = [cycle.pk]
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
    if commune is not None:
        qs = qs.filter(commune=commune)
    if village is not None:
        qs = qs.filter(village=village)
    # Every condition on the result names the annotations above, never ``result__…``: Django
    # joins a FilteredRelation again for each later ``.filter()`` through it, so the
    # assessments would be joined once per condition (households/tests/test_province_queries.py).
    if household_class == "unreviewed":
        # no result, and no recorded reason for having none (moved out, split, kept previous)
        qs = qs.filter(result_id__isnull=True).exclude(
            Exists(ReviewExemption.objects.filter(cycle_id__in=cycle_ids, household=OuterRef("pk")))
        )
    elif household_class == TODO:
        if open_cycles is None:
            open_cycles = open_cycles_of(ReviewCycle.objects.visible_to(user))
        qs = qs.filter(unreviewed_in_open_cycles(open_cycles.values()))
    elif household_class:
        qs = qs.filter(household_class=household_class)
    if indicator or dimension:
        # Probed per listed household through its own result row (the unique index on
        # assessment + indicator), not by scanning every deprivation of the indicator in the
        # whole database: the commune's thousand results stay cheap on a province of 200,000.
        deprived = Deprivation.objects.filter(assessment_id=OuterRef("result_id"))
        if indicator:
            deprived = deprived.filter(indicator__code=indicator)
        if dimension:
            deprived = deprived.filter(indicator__dimension__code=dimension)
        qs = qs.filter(Exists(deprived), result_id__isnull=False)
    if ethnicity:
        qs = qs.filter(ethnicity=ethnicity)
    if q:
        qs = qs.search(q)
    keys = SORTS.get(sort or "code", SORTS["code"])
    if q:
        # A search's matches cluster in every sort order (each "Nguyễn Văn" sits at N, a code
        # prefix in its commune), so reading a province along a sort index until a page is full
        # can pass most of its households (344 ms against 13 ms on 200,000). The matches come
        # from the trigram index and are sorted instead: the first key as an expression no
        # index holds (docs/benchmarks.md, "Province viewer (issue 16)").
        keys = (_not_along_an_index(keys[0]), *keys[1:])
    return qs.order_by(*keys)


def _not_along_an_index(key: str):
    """The sort key ``key`` ("name" or "-name") in the same order, NULLs included, but written so
    that PostgreSQL sorts the rows rather than reading them along an index."""
    name = key.removeprefix("-")
    if name == "income":
        expression = F(name) + 0
    else:
        expression = Func(F(name), template="(%(expressions)s || '')", output_field=CharField())
    return expression.desc() if key.startswith("-") else expression.asc()
