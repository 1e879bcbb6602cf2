"""Planned against actual exits of a year: of the households the commune planned to lift, how many
escaped, which escaped without being planned, which planned households fell back; per village and
per sub-project, with the cost per household lifted.

A household's movement is the ``movement`` report's own (``households.reports.movement``) between
the figures of ``year - 1`` (the plan's baseline) and of ``year``, so the counts here agree with
that report on the same data (a test holds them together):
- a poor household escaped poverty when it is near-poor or above at the end (the movement's
  "thoát nghèo" plus "nghèo → cận nghèo");
- a near-poor household escaped near-poverty when it is above both lists (its "thoát cận nghèo");
- a planned household fell back when it is in a lower class at the end ("cận nghèo → nghèo").
A household not reviewed again counts in none of these.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from areas.models import Area
from households import standing
from households.models import Assessment, Household, ReviewCycle
from households.reports.movement import movement_of
from indicators.rules import HouseholdClass
from projects.models import Beneficiary

from .models import Pathway

POOR, NEAR_POOR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value


@dataclass
class Outcome:
    household_id: int
    village_id: int
    planned: bool
    before: str | None
    after: str | None
    moves: list[str]

    @property
    def escaped(self) -> bool:
        return bool({"escaped_poverty", "poor_to_near", "escaped_near"} & set(self.moves))

    @property
    def fell_back(self) -> bool:
        return "near_to_poor" in self.moves


def outcomes(area: Area, year: int) -> list[Outcome]:
    """Every household of ``area`` that was planned in ``year`` or was poor or near-poor at its
    start, with its movement to the end of ``year`` (module docstring)."""
    fields = ("household_id", "household_class", "village_id")
    start = {
        h: (c, v)
        for h, c, v in standing.year_results(year - 1).within(area).values_list(*fields).order_by()
    }
    end = {
        h: (c, v)
        for h, c, v in standing.year_results(year).within(area).values_list(*fields).order_by()
    }
    planned = set(
        Pathway.objects.filter(year=year, planned=True)
        .filter(household__village__path__startswith=area.path)
        .values_list("household_id", flat=True)
    )
    earlier = set(
        Assessment.objects.filter(
            cycle__kind=ReviewCycle.Kind.PERIODIC,
            cycle__year__lt=year - 1,
            household_class=POOR,
        )
        .within(area)
        .values_list("household_id", flat=True)
        .order_by()
    )
    concerned = planned | {h for h, (c, _v) in start.items() if c in (POOR, NEAR_POOR)}
    missing_village = concerned - set(start) - set(end)
    villages = dict(
        Household.objects.filter(pk__in=missing_village).values_list("pk", "village_id")
    )
    rows = []
    for household_id in concerned:
        before = start.get(household_id, (None, None))
        after = end.get(household_id, (None, None))
        statuses = {0: before[0], 1: after[0]}
        rows.append(
            Outcome(
                household_id=household_id,
                village_id=after[1] or before[1] or villages.get(household_id),
                planned=household_id in planned,
                before=before[0],
                after=after[0],
                moves=movement_of(statuses, household_id in earlier),
            )
        )
    return rows


@dataclass
class Tally:
    planned: int = 0
    planned_escaped: int = 0
    unplanned_escaped: int = 0
    planned_fell_back: int = 0


def by_village(rows: list[Outcome]) -> dict[int, Tally]:
    tallies: dict[int, Tally] = defaultdict(Tally)
    for row in rows:
        tally = tallies[row.village_id]
        if row.planned:
            tally.planned += 1
            tally.planned_escaped += row.escaped
            tally.planned_fell_back += row.fell_back
        else:
            tally.unplanned_escaped += row.escaped
    return dict(tallies)


@dataclass
class SubProjectCost:
    subproject_id: int
    households: int  # planned households that received its support in the year
    lifted: int  # of them, those that escaped
    delivered: int  # đồng delivered to them in the year (beneficiary records)

    @property
    def per_household_lifted(self) -> int | None:
        return round(self.delivered / self.lifted) if self.lifted else None


def by_subproject(rows: list[Outcome], year: int) -> list[SubProjectCost]:
    """What each sub-project delivered in ``year`` to planned households, and the cost per planned
    household that escaped (beneficiary records' values)."""
    escaped = {r.household_id for r in rows if r.planned and r.escaped}
    planned = [r.household_id for r in rows if r.planned]
    delivered = (
        Beneficiary.objects.filter(assignment__year=year, household_id__in=planned)
        .values("assignment__subproject_id", "household_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    per: dict[int, Counter] = defaultdict(Counter)
    for item in delivered:
        counts = per[item["assignment__subproject_id"]]
        counts["households"] += 1
        counts["lifted"] += item["household_id"] in escaped
        counts["delivered"] += item["total"] or 0
    return [
        SubProjectCost(pk, c["households"], c["lifted"], c["delivered"])
        for pk, c in sorted(per.items())
    ]
