"""Section I of the plan (``baseline``): poor and near-poor households and their deprivation in
the 12 indicators, with the deprivation chart and the rate across review cycles. Its figures are
the ones a stated document is usually compared with (``reports.reconciliation``)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import percent
from households import standing
from households import summary as summary_counts
from households.models import Assessment, Deprivation, ReviewCycle
from indicators.models import Indicator
from reports.errors import ReportError
from reports.models import HouseholdTotal
from reports.registry import register
from reports.tables import Chart, Column, Report, Table

from .common import (
    AVERAGE,
    NEAR_POOR,
    ON_LISTS,
    POOR,
    day_total,
    household_total,
    no_decided_result,
    option_day,
)


def baseline(area: Area, year: int, on=None) -> Report:
    """Section I of the plan: poor and near-poor households at the end of ``year`` and their
    deprivation in each of the 12 indicators (the figures of the year, households/standing.py),
    with the average-living-standard band. With ``on`` (a date), the latest decided result of
    each household on that date instead."""
    day = option_day(on)
    wide = day is None and reads_summary(area)
    if day is None:
        assessments = standing.year_results(year).within(area)
    else:
        assessments = standing.results_as_of(day).within(area)
    on_lists = [POOR, NEAR_POOR]
    if wide:  # a district, a province: section I from the summary counts (households/summary.py)
        section = summary_counts.section_one(area.path, year, on_lists)
        every_class = section.totals
        totals = {k: v for k, v in every_class.items() if k in (*ON_LISTS, AVERAGE)}
    else:
        # Only the poor, near-poor and average totals are shown: totalling just those rows spares
        # a province most of its assessments (docs/benchmarks.md). With none, one more query
        # tells "nobody poor" from "no results", and the deprivation query is skipped, so the
        # count stays five.
        totals = assessments.filter(household_class__in=[*ON_LISTS, AVERAGE]).class_totals()
    if not totals and not (every_class if wide else assessments.exists()):
        if day is not None:
            raise no_decided_result(area, day)
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
    if day is None:
        all_households, denominator_source = household_total(
            area, year, registry=section.registry if wide else None
        )
    else:
        all_households, denominator_source = day_total(area, day)

    if wide:
        deprived = section.deprived
    else:
        deprived = {
            (row["indicator__code"], row["assessment__household_class"]): row["n"]
            for row in (
                Deprivation.objects.filter(
                    assessment__in=assessments.filter(household_class__in=on_lists)
                )
                .values("indicator__code", "assessment__household_class")
                .annotate(n=Count("id"))
                .order_by()
                if any(k in totals for k in on_lists)
                else []
            )
        }
    if day is None:
        standard_ids = (
            ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
            .covering(area)
            .values("standard_id")
        )
    else:
        standard_ids = assessments.values("standard_id")
    indicators = list(
        Indicator.objects.filter(dimension__standard_id__in=standard_ids)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )

    empty = {"households": 0, "members": 0}
    poor, near = totals.get(POOR, empty), totals.get(NEAR_POOR, empty)
    average = totals.get(AVERAGE, empty)
    both = {k: poor[k] + near[k] for k in ("households", "members")}
    when = (
        _("cuối năm %(year)s") % {"year": year}
        if day is None
        else _("tại ngày %(day)s") % {"day": day.strftime("%d/%m/%Y")}
    )
    summary = Table(
        key="summary",
        sheet=_("Số hộ nghèo, cận nghèo"),
        title=_("Số hộ nghèo, hộ cận nghèo đa chiều %(when)s") % {"when": when},
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
                "key": "average",
                "label": _("Hộ có mức sống trung bình"),
                **average,
                "rate": percent(average["households"], all_households),
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
                "dimension": indicator.dimension.localized_name,
                "indicator": indicator.localized_name,
                "definition": indicator.definition,
                "poor": n_poor,
                "poor_rate": percent(n_poor, poor["households"]),
                "near_poor": n_near,
                "near_poor_rate": percent(n_near, near["households"]),
            }
        )
    by_indicator = Table(
        key="indicators",
        sheet=_("Mức độ thiếu hụt"),
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
        title=_("Thực trạng hộ nghèo đa chiều %(when)s") % {"when": when},
        area=area,
        year=year,
        tables=[summary, by_indicator],
        footnotes=[
            _("Tỷ lệ được tính lại từ số liệu, làm tròn hai chữ số thập phân."),
            _("Mẫu số: %(source)s.") % {"source": denominator_source},
        ],
        provenance={
            "assessments": f"periodic review {year}" if day is None else f"decided on {day}",
            "denominator": denominator_source,
            "households": all_households,
        },
    )


def reads_summary(area: Area) -> bool:
    """Whether the figures of ``area`` come from the summary counts: an area above a commune,
    unless ``settings.SUMMARY_READS`` is False (the tests comparing both ways)."""
    return area.kind in WIDE and settings.SUMMARY_READS


WIDE = (Area.Kind.PROVINCE, Area.Kind.DISTRICT)


def baseline_exact(report: Report) -> dict[tuple[str, str], Fraction]:
    """The unrounded percentages of the baseline, from its own counts (to tell a rounding
    difference from a wrong figure)."""
    summary = {r["key"]: r for r in report.table("summary").rows}
    whole = summary["all"]["households"]
    exact = {}
    for key in ("poor_and_near_poor", "poor", "near_poor", "average"):
        if whole:
            exact[(key, "rate")] = Fraction(summary[key]["households"] * 100, whole)
    for row in report.table("indicators").rows:
        for col, base in (("poor_rate", "poor"), ("near_poor_rate", "near_poor")):
            total = summary[base]["households"]
            if total:
                exact[(row["code"], col)] = Fraction(row[base] * 100, total)
    return exact


@register(
    "baseline",
    title=gettext_lazy("Thực trạng hộ nghèo, cận nghèo (mục I của kế hoạch)"),
    figures=baseline,
    exact_values=baseline_exact,
    options=("on",),
)
def baseline_report(area: Area, year: int, on=None) -> Report:
    """The baseline table, with the deprivation chart (poor against near-poor) and the rate of
    poor and near-poor households in every periodic review up to ``year``. ``on``: figures as
    of that date (YYYY-MM-DD), each household's latest decided result."""
    report = baseline(area, year, on)
    indicators = report.table("indicators")
    report.charts.append(
        Chart(
            key="deprivation",
            title=_("Tỷ lệ hộ thiếu hụt theo chỉ số: hộ nghèo và hộ cận nghèo"),
            kind="bars",
            categories=[f"{r['code']} {r['indicator']}" for r in indicators.rows],
            series=[
                (_("Hộ nghèo"), [r["poor_rate"] for r in indicators.rows]),
                (_("Hộ cận nghèo"), [r["near_poor_rate"] for r in indicators.rows]),
            ],
            classes=("poor", "near_poor"),
        )
    )
    report.charts.append(rate_trend_chart(area, year))
    return report


def rate_trend_chart(area: Area, year: int) -> Chart:
    """The rates of every periodic review of ``area`` up to ``year``, each by the figures of its
    year (households/standing.py), in four queries whatever the number of years: the years, the
    poor and near-poor of every year counted in one pass, the stated totals and the registry."""
    years = sorted(
        set(
            ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC, year__lte=year)
            .covering(area)
            .values_list("year", flat=True)
        )
    )
    if reads_summary(area):
        return _trend(area, years, *_summary_trend(area, year, years))
    counts = (
        Assessment.objects.within(area)
        .filter(household_class__in=ON_LISTS)
        .aggregate(
            **{
                f"{cls}_{y}": Count(
                    "id", filter=standing.year_condition(y) & Q(household_class=cls)
                )
                for y in years
                for cls in ON_LISTS
            }
        )
        if years
        else {}
    )
    by_year: dict[int, Counter] = {}
    for y in years:
        found = Counter({cls: counts[f"{cls}_{y}"] for cls in ON_LISTS if counts[f"{cls}_{y}"]})
        if found:
            by_year[y] = found
    years = sorted(by_year)
    stated = dict(
        HouseholdTotal.objects.filter(area=area, year__in=years).values_list("year", "households")
    )
    unstated = [y for y in years if y not in stated]
    registry = standing.registry_counts(area, unstated, "commune_id") if unstated else {}
    return _trend(area, years, by_year, stated, registry)


def _summary_trend(area: Area, year: int, years: list[int]):
    """The trend's counts from the summary: the poor and near-poor of each year, the stated
    totals and the registry (three queries, and one per year a commune had no review)."""
    found = summary_counts.years_on_lists(area.path, year, ON_LISTS)
    by_year = {y: found[y] for y in years if found.get(y)}
    stated = dict(
        HouseholdTotal.objects.filter(area=area, year__in=by_year).values_list("year", "households")
    )
    unstated = [y for y in sorted(by_year) if y not in stated]
    registry = summary_counts.registry_by_commune(area.path, unstated) if unstated else {}
    return by_year, stated, registry


def _trend(area: Area, years, by_year, stated, registry) -> Chart:
    years = sorted(by_year)
    totals = {y: stated[y] if y in stated else sum(registry[y].values()) for y in years}
    return Chart(
        key="trend",
        title=_("Tỷ lệ hộ nghèo, hộ cận nghèo qua các kỳ rà soát định kỳ"),
        kind="lines",
        categories=[str(y) for y in years],
        series=[
            (
                _("Hộ nghèo và cận nghèo"),
                [percent(by_year[y][POOR] + by_year[y][NEAR_POOR], totals[y]) for y in years],
            ),
            (_("Hộ nghèo"), [percent(by_year[y][POOR], totals[y]) for y in years]),
            (_("Hộ cận nghèo"), [percent(by_year[y][NEAR_POOR], totals[y]) for y in years]),
        ],
        classes=("poor_or_near_poor", "poor", "near_poor"),
    )
