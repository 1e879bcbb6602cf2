"""Summary counts: the figures of wide areas read from counts kept per village, not from rows.

Two tables (``SummaryCount``; ``SummaryIndicatorCount``, the same per deprived indicator) hold,
per village, counts of four kinds (``SummaryBasis``), each defined by the code every figure
already reads, so that a report summed from them is the report computed from the rows:

- **FIGURES** (year, village, commune, class): the figures of ``year``
  (``standing.year_results``: the household's result in the year's periodic review, or the result
  carried by "kept the previous result", households on the review's registry only). ``village``
  is the result's own village (``Assessment.village``, the one ``.within(area)`` reads), ``commune``
  the commune of the result's cycle (the one the ``communes`` table groups by); ``households`` is
  the number of results, ``members`` the sum of their member counts. Per indicator: the results
  deprived in it.
- **RESULTS** (cycle, village, commune, class): the results recorded in ``cycle`` (any kind),
  counted by the household's *current* village and commune: what the household list counts when
  it filters a cycle's (or a year's periodic cycles') results by class or indicator.
- **REGISTRY** (cycle, village, commune): the households of a commune with a periodic ``cycle``
  on its registry on the cycle's reference date (``standing.registry_of_year``), by current
  village and commune. A commune without a periodic review in a year has no row: its
  denominator (the registry on 31/12) is counted from the households of the communes that lack
  one, in one query.
- **HOUSEHOLDS** (village, commune; year 0): every household of the village, whatever its dates:
  the unfiltered household list.

Every write that can change a count names the villages it touches (:func:`touch`) inside its
transaction; the outermost :func:`collecting` block (or the write itself when there is none)
recomputes those villages' rows once with grouped queries (:func:`refresh`), after locking the
villages' ``Area`` rows so that two writers of one village take turns. ``manage.py
rebuild_summary`` recomputes everything (:func:`rebuild`); :func:`recount` computes the rows in
memory, for tests. Decisions: docs/architecture.md, "Summary counts".
"""

from __future__ import annotations

import contextvars
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from areas.models import Area
from areas.scoping import sees_beyond_a_commune
from core.chunks import chunks

from . import standing
from .models import (
    Assessment,
    Deprivation,
    Household,
    ReviewCycle,
    SummaryBasis,
    SummaryCount,
    SummaryIndicatorCount,
)

FIGURES, RESULTS = SummaryBasis.FIGURES.value, SummaryBasis.RESULTS.value
REGISTRY, HOUSEHOLDS = SummaryBasis.REGISTRY.value, SummaryBasis.HOUSEHOLDS.value
PERIODIC = ReviewCycle.Kind.PERIODIC
REBUILD_CHUNK = 400  # villages recomputed per pass of a rebuild (memory stays bounded)


# --- keeping the counts -------------------------------------------------------------------------


@dataclass
class _Pending:
    villages: set[int] = field(default_factory=set)
    registry_villages: set[int] = field(default_factory=set)  # their registry rows only
    years: set[int] | None = field(default_factory=set)  # None: every year


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
    "summary_pending", default=None
)


@contextmanager
def collecting():
    """Collect the villages touched inside the block and refresh them once at its end (still
    inside the caller's transaction: open it inside ``transaction.atomic``). Nested blocks join
    the outermost one; a block left by an exception refreshes nothing (its transaction rolls
    back)."""
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    registry_only = pending.registry_villages - pending.villages
    if not pending.villages and not registry_only:
        return
    with transaction.atomic():
        _lock(pending.villages | registry_only)  # once, in one order (see _lock)
        if pending.villages:
            _refresh(pending.villages, pending.years)
        if registry_only:
            _refresh(registry_only, None, registry_only=True)


def touch(
    villages: Iterable[int | None],
    years: Iterable[int] | None = None,
    *,
    registry_only: bool = False,
) -> None:
    """The counts of ``villages`` (ids) may have changed, for ``years`` (None: any year); with
    ``registry_only``, only their REGISTRY and HOUSEHOLDS rows (a new household, with no result
    yet). Inside :func:`collecting`, remembered for its end; outside, refreshed now."""
    villages = {v for v in villages if v is not None}
    if not villages:
        return
    pending = _pending.get()
    if pending is None:
        refresh(villages, years=years, registry_only=registry_only)
        return
    if registry_only:
        pending.registry_villages |= villages
        return
    pending.villages |= villages
    if years is None or pending.years is None:
        pending.years = None
    else:
        pending.years |= set(years)


def villages_of_households(household_ids: Iterable[int]) -> set[int]:
    """The villages whose rows a change to these households can alter: their current villages
    and the villages of all their results (a result counts in the village it was recorded in)."""
    ids = list(household_ids)
    found: set[int] = set()
    for part in chunks(ids):
        found.update(Household.objects.filter(pk__in=part).values_list("village_id", flat=True))
        found.update(
            Assessment.objects.filter(household_id__in=part)
            .values_list("village_id", flat=True)
            .distinct()
        )
    return found


def villages_of_commune(commune_id: int) -> set[int]:
    """The commune's villages, and the villages of its households and of their results."""
    found = set(Area.objects.filter(parent_id=commune_id).values_list("pk", flat=True))
    found.update(
        Household.objects.filter(commune_id=commune_id)
        .values_list("village_id", flat=True)
        .distinct()
    )
    found.update(
        Assessment.objects.filter(household__commune_id=commune_id)
        .values_list("village_id", flat=True)
        .distinct()
    )
    return found


def villages_of_cycle(cycle: ReviewCycle) -> set[int]:
    """The villages whose figures a cycle's finalising or reopening can change: those of every
    result of the households with a result in the cycle. A household kept at its previous
    result in a later year carries the cycle's result while it is finalised, else an older
    one, which counts in the village it was recorded in (the household may have moved since)."""
    households = Assessment.objects.filter(cycle=cycle).values("household_id")
    return set(
        Assessment.objects.filter(household_id__in=households)
        .values_list("village_id", flat=True)
        .distinct()
    )


@transaction.atomic
def refresh(
    villages: Iterable[int], years: Iterable[int] | None = None, *, registry_only: bool = False
) -> None:
    """Recompute the rows of ``villages`` (for ``years`` and the HOUSEHOLDS rows; every year
    when None; only REGISTRY and HOUSEHOLDS with ``registry_only``) from the registry and the
    results, in the caller's transaction."""
    ids = sorted(set(villages))
    _lock(ids)
    _refresh(ids, years, registry_only=registry_only)


def _lock(villages: Iterable[int]) -> None:
    """One writer per village at a time: the second waits here, then reads the first one's
    rows. FOR NO KEY UPDATE, not FOR UPDATE: every insert of a row that references an ``Area``
    (a household, a result, a summary row) takes FOR KEY SHARE on it, which FOR UPDATE waits
    for, so two writers that had both inserted in the village would deadlock; FOR NO KEY
    UPDATE waits only for the other's FOR NO KEY UPDATE. Locked in the order of their ids, all
    at once, so that two writers of overlapping villages take them in one order."""
    ids = sorted(set(villages))
    for part in chunks(ids):
        list(
            Area.objects.select_for_update(no_key=True)
            .filter(pk__in=part)
            .order_by("pk")
            .values_list("pk")
        )


def _refresh(villages, years, *, registry_only: bool = False) -> None:
    ids = sorted(set(villages))
    years = None if years is None else set(years)
    for part in chunks(ids):
        _delete(part, years, registry_only)
        counts, indicators = _rows(part, years, registry_only)
        SummaryCount.objects.bulk_create(counts, batch_size=2000)
        SummaryIndicatorCount.objects.bulk_create(indicators, batch_size=2000)


def _delete(villages, years, registry_only: bool = False) -> None:
    for model in (SummaryCount,) if registry_only else (SummaryCount, SummaryIndicatorCount):
        qs = model.objects.filter(village_id__in=villages)
        if registry_only:
            qs = qs.filter(basis__in=[REGISTRY, HOUSEHOLDS])
        if years is not None:
            qs = qs.filter(year__in=[*years, 0])
        qs.delete()


@transaction.atomic
def rebuild(area: Area | None = None) -> dict:
    """Recompute every row (of the villages within ``area``, when given) from scratch, in one
    transaction (the caller's, if any); returns the rows written and the seconds taken."""
    started = time.perf_counter()
    areas = Area.objects.exclude(kind__in=[Area.Kind.PROVINCE, Area.Kind.DISTRICT])
    if area is not None:
        areas = areas.filter(path__startswith=area.path)
    # Writers of these villages wait until the rebuild commits (locked as _lock() does: FOR NO
    # KEY UPDATE, which leaves inserts referencing the areas free, in the order of their ids).
    list(areas.select_for_update(no_key=True).order_by("pk").values_list("pk"))
    if area is None:
        SummaryCount.objects.all().delete()
        SummaryIndicatorCount.objects.all().delete()
    ids = [pk for (pk,) in areas.order_by("path").values_list("pk")]  # a commune's together
    written = Counter()
    for part in chunks(ids, REBUILD_CHUNK):
        if area is not None:
            _delete(part, None)
        counts, indicators = _rows(part, None)
        SummaryCount.objects.bulk_create(counts, batch_size=2000)
        SummaryIndicatorCount.objects.bulk_create(indicators, batch_size=2000)
        written.update(counts=len(counts), indicators=len(indicators))
    return {**written, "villages": len(ids), "seconds": time.perf_counter() - started}


def recount() -> tuple[Counter, Counter]:
    """Every row computed from the registry and the results, in memory, keyed like
    :func:`stored` (the test of the summary against a full recount)."""
    counts, indicators = _rows(None, None)
    return _keyed(counts), _keyed(indicators)


def stored() -> tuple[Counter, Counter]:
    """The rows in the summary tables, keyed like :func:`recount`."""
    return _keyed(SummaryCount.objects.all()), _keyed(SummaryIndicatorCount.objects.all())


def _keyed(rows) -> Counter:
    out = Counter()
    for r in rows:
        key = (r.basis, r.year, r.cycle_id, r.village_id, r.commune_id, r.household_class)
        if isinstance(r, SummaryIndicatorCount):
            key += (r.indicator_id,)
        out[(*key, "households")] += r.households
        out[(*key, "members")] += r.members
    return +out


def _rows(
    villages, years, registry_only: bool = False
) -> tuple[list[SummaryCount], list[SummaryIndicatorCount]]:
    """The rows of ``villages`` (None: all) for ``years`` (None: all), in a fixed number of
    grouped queries per year of periodic reviews."""
    counts: list[SummaryCount] = []
    indicators: list[SummaryIndicatorCount] = []

    def where(qs, lookup):
        return qs if villages is None else qs.filter(**{f"{lookup}__in": villages})

    if not registry_only:
        _result_rows(where, years, counts, indicators)
    _registry_rows(where, years, counts)
    return counts, indicators


def _result_rows(where, years, counts: list, indicators: list) -> None:
    """The FIGURES and RESULTS rows."""
    periodic_years = set(
        ReviewCycle.objects.filter(kind=PERIODIC)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    for year in sorted(periodic_years if years is None else periodic_years & years):
        results = where(standing.year_results(year), "village_id")
        for r in (
            results.values("village_id", "cycle__commune_id", "household_class")
            .annotate(n=Count("id"), m=Sum("member_count"))
            .order_by()
        ):
            counts.append(
                SummaryCount(
                    basis=FIGURES,
                    year=year,
                    village_id=r["village_id"],
                    commune_id=r["cycle__commune_id"],
                    household_class=r["household_class"],
                    households=r["n"],
                    members=r["m"] or 0,
                )
            )
        for r in (
            Deprivation.objects.filter(assessment__in=results)
            .values(
                "assessment__village_id",
                "assessment__cycle__commune_id",
                "assessment__household_class",
                "indicator_id",
            )
            .annotate(n=Count("id"), m=Sum("assessment__member_count"))
            .order_by()
        ):
            indicators.append(
                SummaryIndicatorCount(
                    basis=FIGURES,
                    year=year,
                    village_id=r["assessment__village_id"],
                    commune_id=r["assessment__cycle__commune_id"],
                    indicator_id=r["indicator_id"],
                    household_class=r["assessment__household_class"],
                    households=r["n"],
                    members=r["m"] or 0,
                )
            )

    # Through the households of the villages (their index), not a join over every result.
    households = where(Household.objects.all(), "village_id").values("pk")
    results = Assessment.objects.filter(household_id__in=households)
    if years is not None:
        results = results.filter(cycle__year__in=years)
    for r in (
        results.values(
            "cycle_id",
            "cycle__year",
            "household__village_id",
            "household__commune_id",
            "household_class",
        )
        .annotate(n=Count("id"), m=Sum("member_count"))
        .order_by()
    ):
        counts.append(
            SummaryCount(
                basis=RESULTS,
                year=r["cycle__year"],
                cycle_id=r["cycle_id"],
                village_id=r["household__village_id"],
                commune_id=r["household__commune_id"],
                household_class=r["household_class"],
                households=r["n"],
                members=r["m"] or 0,
            )
        )
    for r in (
        Deprivation.objects.filter(assessment__in=results)
        .values(
            "assessment__cycle_id",
            "assessment__cycle__year",
            "assessment__household__village_id",
            "assessment__household__commune_id",
            "assessment__household_class",
            "indicator_id",
        )
        .annotate(n=Count("id"), m=Sum("assessment__member_count"))
        .order_by()
    ):
        indicators.append(
            SummaryIndicatorCount(
                basis=RESULTS,
                year=r["assessment__cycle__year"],
                cycle_id=r["assessment__cycle_id"],
                village_id=r["assessment__household__village_id"],
                commune_id=r["assessment__household__commune_id"],
                indicator_id=r["indicator_id"],
                household_class=r["assessment__household_class"],
                households=r["n"],
                members=r["m"] or 0,
            )
        )


def _registry_rows(where, years, counts: list) -> None:
    """The REGISTRY and HOUSEHOLDS rows."""
    # The registry on each periodic cycle's reference date, for the households of its commune
    # (one filter() call, so the condition and the grouping read the same joined cycle).
    cycle = "commune__review_cycles"
    registry = where(Household.objects.all(), "village_id").filter(
        standing.on_registry(F(f"{cycle}__reference_date")),
        **{f"{cycle}__kind": PERIODIC},
        **({f"{cycle}__year__in": years} if years is not None else {}),
    )
    for r in (
        registry.values("village_id", "commune_id", f"{cycle}__id", f"{cycle}__year")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.append(
            SummaryCount(
                basis=REGISTRY,
                year=r[f"{cycle}__year"],
                cycle_id=r[f"{cycle}__id"],
                village_id=r["village_id"],
                commune_id=r["commune_id"],
                households=r["n"],
            )
        )
    for r in (
        where(Household.objects.all(), "village_id")
        .values("village_id", "commune_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.append(
            SummaryCount(
                basis=HOUSEHOLDS,
                year=0,
                village_id=r["village_id"],
                commune_id=r["commune_id"],
                households=r["n"],
            )
        )


# --- reading the counts -------------------------------------------------------------------------


def _within(qs, path_prefix: str):
    return qs.filter(village__path__startswith=path_prefix) if path_prefix else qs


def year_totals(path_prefix: str, year: int, classes=None) -> dict[str, dict[str, int]]:
    """``standing.year_results(year).within(area).class_totals()`` from the summary (``area``
    given by its path; "" for every area): {class: {"households": n, "members": m}}."""
    qs = _within(SummaryCount.objects.filter(basis=FIGURES, year=year), path_prefix)
    if classes is not None:
        qs = qs.filter(household_class__in=classes)
    return {
        r["household_class"]: {"households": r["n"], "members": r["m"] or 0}
        for r in qs.values("household_class")
        .annotate(n=Sum("households"), m=Sum("members"))
        .order_by()
    }


def year_deprived(path_prefix: str, year: int, classes) -> dict[tuple[str, str], int]:
    """{(indicator code, class): results of ``year``'s figures deprived in it}, for ``classes``."""
    qs = _within(
        SummaryIndicatorCount.objects.filter(basis=FIGURES, year=year, household_class__in=classes),
        path_prefix,
    )
    return {
        (r["indicator__code"], r["household_class"]): r["n"]
        for r in qs.values("indicator__code", "household_class")
        .annotate(n=Sum("households"))
        .order_by()
    }


def registry_by_commune(path_prefix: str, years: Iterable[int]) -> dict[int, Counter]:
    """``standing.registry_counts(area, years, "commune_id")`` from the summary: {year: {commune
    id: households in the denominator}}. Communes without a periodic review in a year are
    counted from the households on 31/12 of that year (one more query for all the years)."""
    years = list(years)
    out: dict[int, Counter] = {y: Counter() for y in years}
    if not years:
        return out
    qs = _within(SummaryCount.objects.filter(basis=REGISTRY, year__in=years), path_prefix)
    for r in qs.values("year", "commune_id").annotate(n=Sum("households")).order_by():
        out[r["year"]][r["commune_id"]] += r["n"]
    # As standing.registry_counts selects them: the households whose village is within the
    # area, by their own commune's review (the commune a village is now under may differ). The
    # communes of those households are read off the HOUSEHOLDS rows, which keep the commune.
    present = _within(SummaryCount.objects.filter(basis=HOUSEHOLDS), path_prefix).values(
        "commune_id"
    )
    reviewed = {
        f"y{y}": Exists(
            ReviewCycle.objects.filter(commune_id=OuterRef("pk"), kind=PERIODIC, year=y)
        )
        for y in years
    }
    flags = list(
        Area.objects.filter(pk__in=present)
        .annotate(**reviewed)
        .values_list("pk", *reviewed)
        .order_by()
    )
    without = {y: [row[0] for row in flags if not row[i]] for i, y in enumerate(years, start=1)}
    counted = {
        f"n_{y}": Count(
            "id",
            filter=standing.on_registry(standing.year_end(y)) & Q(commune_id__in=without[y]),
        )
        for y in years
        if without[y]
    }
    if not counted:
        return out
    households = Household.objects.filter(commune_id__in={c for y in years for c in without[y]})
    if path_prefix:
        households = households.filter(village__path__startswith=path_prefix)
    for commune_id, *numbers in households.values_list("commune_id").annotate(**counted).order_by():
        for name, n in zip(counted, numbers, strict=True):
            if n:
                out[int(name[2:])][commune_id] += n
    return out


def registry_total(path_prefix: str, year: int) -> int:
    """``standing.registry_of_year(area, year).count()`` from the summary."""
    return sum(registry_by_commune(path_prefix, [year])[year].values())


def year_totals_by_commune(path_prefix: str, year: int) -> dict[int, dict[str, dict]]:
    """{commune id (of the result's cycle): {class: {"households", "members"}}} of ``year``'s
    figures within the area: the ``communes`` table's counts."""
    qs = _within(SummaryCount.objects.filter(basis=FIGURES, year=year), path_prefix)
    out: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in (
        qs.values("commune_id", "household_class")
        .annotate(n=Sum("households"), m=Sum("members"))
        .order_by()
    ):
        out[r["commune_id"]][r["household_class"]] = {"households": r["n"], "members": r["m"]}
    return out


def years_on_lists(path_prefix: str, up_to: int, classes) -> dict[int, Counter]:
    """{year: Counter(class: households)} of every year's figures up to ``up_to``, for
    ``classes``: the rate trend of section I."""
    qs = _within(
        SummaryCount.objects.filter(
            basis=FIGURES, year__lte=up_to, household_class__in=classes, households__gt=0
        ),
        path_prefix,
    )
    out: dict[int, Counter] = defaultdict(Counter)
    for r in qs.values("year", "household_class").annotate(n=Sum("households")).order_by():
        out[r["year"]][r["household_class"]] += r["n"]
    return dict(out)


@dataclass
class SectionOne:
    """Section I's counts for an area (or every area) and a year, from the summary."""

    totals: dict[str, dict[str, int]]  # class -> households, members (every class)
    deprived: dict[tuple[str, str], int]  # (indicator code, class) -> households
    registry: int  # households in the year's denominator (the registry)


def section_one(path_prefix: str, year: int, classes=("poor", "near_poor")) -> SectionOne:
    """Section I of the plan (the ``baseline`` report's counts) for the area whose path is
    ``path_prefix`` (``Area.path`` of a province, district or commune; "" for the whole
    country), and the figures of ``year``, read from the summary in a few grouped queries
    whatever the number of households: the households and members of each class, the poor and
    near-poor (``classes``) deprived in each indicator, and the registry's denominator. A
    declared ``HouseholdTotal`` is the caller's to prefer (the report does, for an area)."""
    return SectionOne(
        totals=year_totals(path_prefix, year),
        deprived=year_deprived(path_prefix, year, classes),
        registry=registry_total(path_prefix, year),
    )


#: the filters of the household list the summary answers; any other one (search, ethnicity,
#: dimension, "not reviewed", ticked households) leaves the count to the list's own query
ANSWERED = frozenset({"commune", "village", "cycle", "household_class", "indicator", "sort"})


def list_total(user, filters: dict, *, cycle, year, selected: bool = False) -> int | None:
    """The household list's total count (``queries.household_list`` with ``filters``, the list
    form's cleaned data) from the summary, for a user who sees more than a commune; None when
    the list's own COUNT must answer (a narrower scope, or a filter the summary does not keep).
    Every household of the scope (or of the chosen village), or those whose result in ``cycle``
    (else the periodic cycles of ``year`` the user sees) is of the chosen class and/or deprived
    in the chosen indicator."""
    used = {k for k, v in filters.items() if v not in (None, "")}
    classes = {c for c, _label in Assessment.CLASS_CHOICES}
    household_class = filters.get("household_class") or ""
    if selected or used - ANSWERED or (household_class and household_class not in classes):
        return None
    if not settings.SUMMARY_READS or not sees_beyond_a_commune(user):
        return None
    indicator = filters.get("indicator") or ""
    if cycle is not None:
        cycle_ids = [cycle.pk]
    else:
        cycle_ids = ReviewCycle.objects.visible_to(user).filter(year=year, kind=PERIODIC)
    if not household_class and not indicator:
        qs = SummaryCount.objects.visible_to(user).filter(basis=HOUSEHOLDS)
    elif indicator:
        qs = SummaryIndicatorCount.objects.visible_to(user).filter(
            basis=RESULTS, cycle__in=cycle_ids, indicator__code=indicator
        )
    else:
        qs = SummaryCount.objects.visible_to(user).filter(basis=RESULTS, cycle__in=cycle_ids)
    if household_class:
        qs = qs.filter(household_class=household_class)
    if filters.get("commune") is not None:  # the household's commune, as the list filters
        qs = qs.filter(commune=filters["commune"])
    if filters.get("village") is not None:
        qs = qs.filter(village=filters["village"])
    return qs.aggregate(n=Sum("households"))["n"] or 0
