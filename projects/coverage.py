"""Which deprived households the sub-projects have reached, per indicator.

The households are the poor and near-poor households of the periodic review at the end of the
year before the plan year (the plan's section I: "cuối năm 2023" for the 2024 plan), deprived in
the indicator. A household counts as reached when it is a beneficiary, in the plan year, of a
sub-project that names the indicator among those it addresses. Indicators are matched by code,
so a sub-project keeps working when the review was judged by another standard with the same codes.
Each function runs a fixed number of queries whatever the number of households.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from areas.models import Area
from households.models import Deprivation, Household, ReviewCycle
from indicators.models import Indicator
from indicators.rules import HouseholdClass

from .models import Beneficiary, SubProject

TARGET_CLASSES = (HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value)


@dataclass
class IndicatorCoverage:
    code: str
    name: str
    dimension: str
    subprojects: list[str]
    deprived: set[int] = field(default_factory=set)
    reached: set[int] = field(default_factory=set)

    @property
    def not_reached(self) -> set[int]:
        return self.deprived - self.reached

    @property
    def addressed(self) -> bool:
        return bool(self.subprojects)


def _commune_scope(area: Area) -> Area:
    # A village's figures come from its commune's programme: sub-projects are assigned to communes.
    return area.commune or area


def indicator_coverage(area: Area, year: int) -> list[IndicatorCoverage]:
    """Per indicator of the baseline review: deprived, reached and not-reached household ids."""
    baseline_year = year - 1
    cycles = ReviewCycle.objects.filter(
        year=baseline_year, kind=ReviewCycle.Kind.PERIODIC
    ).covering(area)
    standard_ids = list(cycles.values_list("standard_id", flat=True).distinct())
    if not standard_ids:
        raise ValidationError(
            _(
                "Không có đợt rà soát định kỳ cuối năm %(year)s cho %(area)s, nên chưa xác định "
                "được hộ thiếu hụt."
            ),
            params={"year": baseline_year, "area": area.name},
        )
    indicators = list(
        Indicator.objects.filter(dimension__standard_id__in=standard_ids)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    addressing = defaultdict(list)
    for code, sp_code in (
        SubProject.objects.filter(indicators__code__in=[i.code for i in indicators])
        .values_list("indicators__code", "code")
        .distinct()
        .order_by("code")
    ):
        addressing[code].append(sp_code)
    rows: dict[str, IndicatorCoverage] = {}
    for indicator in indicators:
        rows.setdefault(
            indicator.code,
            IndicatorCoverage(
                code=indicator.code,
                name=indicator.localized_name,
                dimension=indicator.dimension.localized_name,
                subprojects=addressing.get(indicator.code, []),
            ),
        )
    for code, household_id in Deprivation.objects.filter(
        assessment__cycle__year=baseline_year,
        assessment__cycle__kind=ReviewCycle.Kind.PERIODIC,
        assessment__village__path__startswith=area.path,
        assessment__household_class__in=TARGET_CLASSES,
    ).values_list("indicator__code", "assessment__household_id"):
        if code in rows:
            rows[code].deprived.add(household_id)
    for household_id, code in (
        Beneficiary.objects.filter(
            assignment__year=year,
            assignment__commune__path__startswith=_commune_scope(area).path,
            assignment__subproject__indicators__code__isnull=False,
        )
        .values_list("household_id", "assignment__subproject__indicators__code")
        .distinct()
    ):
        row = rows.get(code)
        if row is not None and household_id in row.deprived:
            row.reached.add(household_id)
    return list(rows.values())


def not_reached_households(
    coverage: list[IndicatorCoverage], households
) -> dict[str, list[Household]]:
    """The not-reached households of each indicator, drawn from ``households`` (a queryset the
    caller has already scoped to what the user may see), in one query."""
    wanted = set().union(*(row.not_reached for row in coverage)) if coverage else set()
    found = {h.pk: h for h in households.filter(pk__in=wanted).select_related("village")}
    return {
        row.code: sorted((found[pk] for pk in row.not_reached if pk in found), key=lambda h: h.code)
        for row in coverage
    }
