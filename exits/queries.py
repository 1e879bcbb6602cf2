"""The pathway list: each poor or near-poor household of a commune with what it lacks to change
class (``indicators.needs``), the support that covers it and its estimated cost, ranked by effort.

The baseline is the official figures the year's plan is written from: each household's result in
the figures of the year before, finalised reviews only (``households.standing.year_results``), so
the list agrees with section I of the plan and with ``movement``.

The estimated cost of a household is the cheapest support that changes its class by one step:
- a poor household: the cheapest norm of each indicator it is deprived in, the cheapest
  ``deprivations_to_lift`` of them (a per-person norm counts the household's members);
- a near-poor household: the cheapest income (livelihood) norm.
An indicator or an income gap without a norm is listed as uncovered, and the cost is then a lower
bound (``complete`` is False).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from areas.models import Area
from budget.models import BudgetLine
from households.models import Assessment, Deprivation, Household
from households.reports.common import total_line
from households.standing import year_results
from indicators.models import Target
from indicators.needs import Needs, needs
from indicators.rules import Classification, HouseholdClass, Measure
from projects.models import SubProject

from .models import Pathway, PlannedSupport, SupportNorm

INCOME = ""  # the key of the income gap among the needs (an indicator code otherwise)
ON_A_LIST = (HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value)


@dataclass
class Covered:
    need: str  # an indicator code, or INCOME
    norm: SupportNorm
    cost: int


@dataclass
class PathwayRow:
    household: Household
    result: Assessment
    needs: Needs
    pathway: Pathway | None
    covered: list[Covered] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    @property
    def cost(self) -> int:
        return sum(c.cost for c in self.covered)

    @property
    def complete(self) -> bool:
        return not self.uncovered

    @property
    def effort(self) -> tuple:
        """The order of the list: fewest deprivations to lift, then the smallest income gap for
        the household over a year, then the cheapest support; the code breaks ties."""
        gap = self.needs.income_gap_year
        return (
            self.needs.deprivations_to_lift,
            gap if gap is not None else float("inf"),
            self.cost if self.complete else float("inf"),
            self.household.code,
        )


def norms_for(commune: Area, year: int) -> dict[str, list[SupportNorm]]:
    """The norms that apply in ``commune`` in ``year``, by need (indicator code, or INCOME): the
    norms of the commune and of its district and province; for one sub-project and item, the
    nearest area's norm wins."""
    paths = [*commune.ancestor_paths(), commune.path]
    rows = (
        SupportNorm.objects.filter(year=year, area__path__in=paths)
        .select_related("area", "indicator", "subproject__project")
        .order_by("subproject_id", "item", "-area__path")
    )
    nearest: dict[tuple, SupportNorm] = {}
    for norm in rows:
        nearest.setdefault((norm.subproject_id, norm.item), norm)
    by_need: dict[str, list[SupportNorm]] = defaultdict(list)
    for norm in nearest.values():
        by_need[norm.indicator.code if norm.indicator_id else INCOME].append(norm)
    return dict(by_need)


def _cheapest(norms: list[SupportNorm], members: int) -> tuple[SupportNorm, int] | None:
    if not norms:
        return None
    norm = min(norms, key=lambda n: (n.cost_for(members), n.item))
    return norm, norm.cost_for(members)


def cover(row: PathwayRow, norms: dict[str, list[SupportNorm]]) -> None:
    """Fill ``row.covered`` and ``row.uncovered`` (see the module's docstring)."""
    members = row.result.member_count
    found = row.needs
    if found.household_class == HouseholdClass.POOR:
        options, missing = [], []
        for code in found.deprived:
            cheapest = _cheapest(norms.get(code, []), members)
            if cheapest is None:
                missing.append(code)
            else:
                options.append(Covered(code, *cheapest))
        options.sort(key=lambda c: (c.cost, c.need))
        row.covered = options[: found.deprivations_to_lift]
        short = found.deprivations_to_lift - len(row.covered)
        row.uncovered = missing[:short] if short > 0 else []
    else:
        cheapest = _cheapest(norms.get(INCOME, []), members)
        if cheapest is None:
            row.uncovered = [INCOME]
        else:
            row.covered = [Covered(INCOME, *cheapest)]


def pathway_rows(
    commune: Area,
    year: int,
    *,
    village: Area | None = None,
    ethnicity: str = "",
    registered_only: bool = False,
) -> list[PathwayRow]:
    """The poor and near-poor households of ``commune`` (or of one ``village``) in the figures
    of ``year - 1``, with their needs, cost and pathway of ``year``, ranked by effort. A fixed
    number of queries whatever the commune's size."""
    results = (
        year_results(year - 1, finalised_only=True)
        .within(village or commune)
        .filter(household_class__in=ON_A_LIST)
        .select_related("household__village", "standard")
        .prefetch_related(
            Prefetch("deprivations", queryset=Deprivation.objects.select_related("indicator"))
        )
    )
    if ethnicity:
        results = results.filter(household__ethnicity__iexact=ethnicity)
    pathways = {
        p.household_id: p
        for p in Pathway.objects.filter(year=year, household__commune=commune).select_related(
            "helper_user"
        )
    }
    if registered_only:
        results = results.filter(
            household_id__in=[pk for pk, p in pathways.items() if p.registered]
        )
    rules = {}
    norms = norms_for(commune, year)
    rows = []
    for result in results:
        rule = rules.get(result.standard_id)
        if rule is None:
            rule = rules[result.standard_id] = result.standard.rule()
        deprived = [d.indicator.code for d in result.deprivations.all()]
        row = PathwayRow(
            household=result.household,
            result=result,
            needs=needs(
                rule,
                Classification(
                    HouseholdClass(result.household_class),
                    Measure(result.decided_by),
                    len(deprived),
                    0,
                ),
                urban=result.is_urban,
                income=result.income_per_capita,
                b1_score=result.b1_score,
                deprived=deprived,
                members=result.member_count,
            ),
            pathway=pathways.get(result.household_id),
        )
        cover(row, norms)
        rows.append(row)
    rows.sort(key=lambda r: r.effort)
    return rows


def pathway_row(household: Household, year: int) -> PathwayRow | None:
    """One household's row of the list (None when it is not poor or near-poor at the start)."""
    rows = pathway_rows(household.commune, year, village=household.village)
    return next((r for r in rows if r.household.pk == household.pk), None)


def budget_check(commune: Area, year: int) -> list[dict]:
    """The planned support of the commune's planned households by the sub-project that would pay,
    against that sub-project's budget lines of the year; then the total against those lines plus
    the capital not yet split by sub-project. A shortfall is flagged, as the budget report flags
    its gaps."""
    planned = dict(
        PlannedSupport.objects.filter(
            pathway__year=year, pathway__planned=True, pathway__household__commune=commune
        )
        .values_list("norm__subproject_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    if not planned:
        return []
    lines = BudgetLine.objects.filter(commune=commune, year=year)
    allocated = dict(
        lines.filter(subproject_id__in=planned)
        .values_list("subproject_id")
        .annotate(total=Sum("allocated"))
        .order_by()
    )
    unsplit = lines.filter(subproject__isnull=True).aggregate(t=Sum("allocated"))["t"] or 0
    rows = []
    for sub in SubProject.objects.filter(pk__in=planned).order_by("code"):
        need, have = planned[sub.pk], allocated.get(sub.pk, 0)
        # a sub-project without its own line is paid from the capital not yet split: only the
        # total can fall short then
        warn = need > have and (have > 0 or not unsplit)
        flag = _("Vượt vốn của tiểu dự án") if warn else ""
        if need > have and not warn:
            flag = _("Chờ phân bổ từ vốn chung")
        rows.append(
            {
                "key": sub.code,
                "subproject": f"{sub.code} — {sub.name}",
                "planned": need,
                "allocated": have,
                "shortfall": max(0, need - have),
                "flag": flag,
                "_warn": warn,
            }
        )
    if unsplit:
        rows.append(
            {
                "key": "unsplit",
                "subproject": _("Vốn chưa phân bổ theo tiểu dự án"),
                "planned": None,
                "allocated": unsplit,
                "shortfall": None,
                "flag": "",
                "_warn": False,
            }
        )
    need = sum(planned.values())
    have = sum(allocated.values()) + unsplit
    rows.append(
        total_line(
            _("Tổng cộng"),
            subproject=_("Tổng cộng"),
            planned=need,
            allocated=have,
            shortfall=max(0, need - have),
            flag=_("Thiếu kinh phí") if need > have else "",
            _warn=need > have,
        )
    )
    return rows


def planned_counts(commune: Area, year: int) -> dict[tuple[int, str], int]:
    """{(village id, class): households planned to escape in ``year``}, by their class and
    village in the figures of ``year - 1`` (Appendix 01 of the plan puts them beside the
    targets). One query."""
    planned = Pathway.objects.filter(year=year, planned=True).values("household_id")
    rows = (
        year_results(year - 1)
        .within(commune)
        .filter(household_id__in=planned, household_class__in=ON_A_LIST)
        .values_list("village_id", "household_class")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    return {(village_id, klass): n for village_id, klass, n in rows}


@dataclass
class VillagePlan:
    """One village's households planned to escape in a year beside its reduction targets."""

    village: Area
    poor: int
    near: int
    target_poor: object = None
    target_near: object = None


def planned_against_targets(commune: Area, year: int, villages: list[Area]) -> dict:
    """The households planned to escape in each of ``villages`` (by their class in the figures
    of ``year - 1``, ``planned_counts``) beside the reduction targets, and their totals beside the
    commune's targets (one village: its own). Two queries."""
    planned = planned_counts(commune, year)
    targets = Target.objects.filter(area__in=[commune, *villages]).reductions(year)
    poor, near = ON_A_LIST
    M = Target.Metric
    rows = [
        VillagePlan(
            v,
            planned.get((v.pk, poor), 0),
            planned.get((v.pk, near), 0),
            targets.get((v.pk, M.POOR_REDUCTION)),
            targets.get((v.pk, M.NEAR_POOR_REDUCTION)),
        )
        for v in villages
    ]
    whole = len(villages) != 1
    return {
        "villages": rows,
        "poor": sum(r.poor for r in rows),
        "near": sum(r.near for r in rows),
        "target_poor": targets.get((commune.pk, M.POOR_REDUCTION))
        if whole
        else rows[0].target_poor,
        "target_near": targets.get((commune.pk, M.NEAR_POOR_REDUCTION))
        if whole
        else rows[0].target_near,
    }
