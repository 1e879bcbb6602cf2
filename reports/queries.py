"""One function per report: each reads the data with a fixed number of queries and returns a
:class:`~reports.tables.Report`, which ``render.py`` turns into HTML, CSV or JSON.

Every figure a report shows is computed here; percentages are recomputed from the counts
(two decimals, half-up), never typed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from areas.models import Area
from households.models import Assessment, Deprivation, Household, ReviewCycle
from indicators.models import Indicator
from indicators.rules import HouseholdClass

from .formatting import percent
from .models import HouseholdTotal
from .registry import register
from .tables import Column, Report, Table

POOR, NEAR_POOR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value


class ReportError(ValidationError):
    """A report cannot be built for these parameters; the message says why."""


def household_total(area: Area, year: int) -> tuple[int, str]:
    """All households of ``area`` at the end of ``year``, and where that figure comes from."""
    stated = HouseholdTotal.objects.filter(area=area, year=year).first()
    if stated is not None:
        return stated.households, _("số hộ khai báo: %(source)s") % {"source": stated.source}
    end = datetime.date(year, 12, 31)
    count = Household.objects.within(area).in_registry_at(end).count()
    return count, _("số hộ trong sổ theo dõi của hệ thống tại 31/12/%(year)s") % {"year": year}


@register("baseline")
def baseline(area: Area, year: int) -> Report:
    """Section I of the plan: poor and near-poor households at the end of ``year`` and their
    deprivation in each of the 12 indicators (the periodic review of that year)."""
    assessments = Assessment.objects.periodic_of_year(year).within(area)
    totals = assessments.class_totals()
    if not totals:
        has_cycle = (
            ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
            .covering(area)
            .exists()
        )
        raise ReportError(
            _("Chưa có kết quả rà soát định kỳ năm %(year)s cho %(area)s.")
            if has_cycle
            else _("Không có đợt rà soát định kỳ năm %(year)s cho %(area)s."),
            params={"year": year, "area": area.name},
        )
    all_households, denominator_source = household_total(area, year)

    deprived = {
        (row["indicator__code"], row["assessment__household_class"]): row["n"]
        for row in Deprivation.objects.filter(
            assessment__cycle__year=year,
            assessment__cycle__kind=ReviewCycle.Kind.PERIODIC,
            assessment__village__path__startswith=area.path,
            assessment__household_class__in=[POOR, NEAR_POOR],
        )
        .values("indicator__code", "assessment__household_class")
        .annotate(n=Count("id"))
        .order_by()
    }
    standard_ids = (
        ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
        .covering(area)
        .values("standard_id")
    )
    indicators = list(
        Indicator.objects.filter(dimension__standard_id__in=standard_ids)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )

    poor = totals.get(POOR, {"households": 0, "members": 0})
    near = totals.get(NEAR_POOR, {"households": 0, "members": 0})
    both = {k: poor[k] + near[k] for k in ("households", "members")}
    summary = Table(
        key="summary",
        title=_("Số hộ nghèo, hộ cận nghèo đa chiều cuối năm %(year)s") % {"year": year},
        columns=[
            Column("label", _("Chỉ tiêu")),
            Column("households", _("Số hộ"), "int"),
            Column("members", _("Số khẩu"), "int"),
            Column("rate", _("Tỷ lệ trên tổng số hộ"), "percent"),
        ],
        rows=[
            {
                "key": "poor_and_near_poor",
                "label": _("Hộ nghèo và cận nghèo"),
                **both,
                "rate": percent(both["households"], all_households),
            },
            {
                "key": "poor",
                "label": _("Hộ nghèo"),
                **poor,
                "rate": percent(poor["households"], all_households),
            },
            {
                "key": "near_poor",
                "label": _("Hộ cận nghèo"),
                **near,
                "rate": percent(near["households"], all_households),
            },
            {
                "key": "all",
                "label": _("Tổng số hộ của địa bàn"),
                "households": all_households,
                "members": None,
                "rate": None,
            },
        ],
    )
    poor_group, near_group = _("Hộ nghèo"), _("Hộ cận nghèo")
    indicator_rows = []
    for indicator in indicators:
        n_poor = deprived.get((indicator.code, POOR), 0)
        n_near = deprived.get((indicator.code, NEAR_POOR), 0)
        indicator_rows.append(
            {
                "code": indicator.code,
                "dimension": indicator.dimension.name,
                "indicator": indicator.name,
                "definition": indicator.definition,
                "poor": n_poor,
                "poor_rate": percent(n_poor, poor["households"]),
                "near_poor": n_near,
                "near_poor_rate": percent(n_near, near["households"]),
            }
        )
    by_indicator = Table(
        key="indicators",
        title=_("Mức độ thiếu hụt các nhu cầu xã hội cơ bản của hộ nghèo đa chiều"),
        columns=[
            Column("code", _("Chỉ số")),
            Column("dimension", _("Chiều")),
            Column("indicator", _("Tên chỉ số")),
            Column("poor", _("Số hộ"), "int", poor_group),
            Column("poor_rate", _("% tổng số hộ nghèo"), "percent", poor_group),
            Column("near_poor", _("Số hộ"), "int", near_group),
            Column("near_poor_rate", _("% tổng số hộ cận nghèo"), "percent", near_group),
        ],
        rows=indicator_rows,
    )
    return Report(
        slug="baseline",
        title=_("Thực trạng hộ nghèo đa chiều cuối năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[summary, by_indicator],
        footnotes=[
            _("Tỷ lệ được tính lại từ số liệu, làm tròn hai chữ số thập phân."),
            _("Mẫu số: %(source)s.") % {"source": denominator_source},
        ],
        provenance={
            "assessments": f"periodic review {year}",
            "denominator": denominator_source,
            "households": all_households,
        },
    )
