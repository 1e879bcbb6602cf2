"""What the household reports share: the classes shown, the denominator (all households of an
area), the registry counts, the indicators of a year's standard and the "no review" error."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import HUNDRED, TWO_PLACES
from households import standing
from households.models import Household, ReviewCycle
from households.standing import on_registry, registry_of_year
from indicators.models import Indicator
from indicators.rules import HouseholdClass
from reports.errors import ReportError
from reports.models import HouseholdTotal

POOR, NEAR_POOR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value
AVERAGE = HouseholdClass.AVERAGE.value


def household_total(area: Area, year: int, *, registry: int | None = None) -> tuple[int, str]:
    """All households of ``area`` at the end of ``year``, and where that figure comes from: the
    declared figure (``HouseholdTotal``) first, else the registry on the reference date of the
    year's review (households/standing.py): ``registry`` when the caller has counted it (from
    the summary counts), else counted here."""
    stated = HouseholdTotal.objects.filter(area=area, year=year).first()
    if stated is not None:
        return stated.households, _("số hộ khai báo: %(source)s") % {"source": stated.source}
    if registry is not None:
        return registry, registry_source(year)
    return registry_of_year(area, year).count(), registry_source(year)


def registry_source(year: int) -> str:
    return _(
        "số hộ trong sổ theo dõi của hệ thống tại ngày chốt số liệu của kỳ rà soát định kỳ năm "
        "%(year)s (31/12/%(year)s nếu xã chưa có kỳ rà soát)"
    ) % {"year": year}


def day_total(area: Area, day: datetime.date) -> tuple[int, str]:
    """All households of ``area`` on the registry on ``day`` (figures as of a date)."""
    count = Household.objects.within(area).filter(on_registry(day)).count()
    return count, _("số hộ trong sổ theo dõi của hệ thống tại ngày %(day)s") % {
        "day": day.strftime("%d/%m/%Y")
    }


CLASS_LABELS = {
    POOR: gettext_lazy("Hộ nghèo"),
    NEAR_POOR: gettext_lazy("Hộ cận nghèo"),
    AVERAGE: gettext_lazy("Hộ có mức sống trung bình"),
    HouseholdClass.NOT_POOR.value: gettext_lazy("Hộ không nghèo"),
}
ON_LISTS = (POOR, NEAR_POOR)


def total_line(label: str, **figures) -> dict:
    return {"key": "total", "unit": label, "_style": "total", **figures}


def missing_review(area: Area, year: int) -> ReportError:
    """The same two messages as the baseline: no cycle at all, or a cycle without results."""
    has_cycle = (
        ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
        .covering(area)
        .exists()
    )
    return ReportError(
        _("Chưa có kết quả rà soát định kỳ năm %(year)s cho %(area)s.")
        if has_cycle
        else _("Không có đợt rà soát định kỳ năm %(year)s cho %(area)s."),
        params={"year": year, "area": area.name},
    )


def registry_counts(area: Area, year: int, field: str) -> Counter:
    """Households in the denominator of ``year`` (households/standing.py), counted by
    ``field``."""
    return Counter(standing.registry_counts(area, [year], field)[year])


def indicators_of(area: Area, year: int) -> list[Indicator]:
    standard_ids = (
        ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
        .covering(area)
        .values("standard_id")
    )
    return list(
        Indicator.objects.filter(dimension__standard_id__in=standard_ids)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )


def ratio(part, whole) -> Decimal | None:
    """``part / whole`` as a percentage (two decimals, half-up) for non-integer parts too."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES)


def option_day(on) -> datetime.date | None:
    """The ``on`` option (figures as of a date, YYYY-MM-DD); None when not given."""
    try:
        return standing.parse_day(on)
    except ValueError as exc:
        raise ReportError(str(exc)) from None


def no_decided_result(area: Area, day: datetime.date) -> ReportError:
    return ReportError(
        _("Chưa có kết quả rà soát nào được quyết định đến ngày %(day)s cho %(area)s."),
        params={"day": day.strftime("%d/%m/%Y"), "area": area.name},
    )
