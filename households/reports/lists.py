"""``lists``: the poor, near-poor and average-living-standard households of a year's figures
(or as of a date), by village (public posting). Its tables are long: the PDF draws them
directly (``long_table``)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int
from households import standing
from households.models import Assessment, Deprivation
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .common import (
    AVERAGE,
    NEAR_POOR,
    ON_LISTS,
    POOR,
    missing_review,
    no_decided_result,
    option_day,
    total_line,
)

LISTED = (*ON_LISTS, AVERAGE)


def lists_row_count(area: Area, year: int, on=None) -> int:
    """How many rows ``lists`` will have (one COUNT query), to estimate rendering time."""
    return _listed(area, year, option_day(on)).count()


def _listed(area: Area, year: int, day):
    """The results listed: the figures of ``year``, or as of ``day`` (households/standing.py)."""
    results = standing.year_results(year) if day is None else standing.results_as_of(day)
    return results.within(area).filter(household_class__in=LISTED)


@register(
    "lists",
    title=gettext_lazy("Danh sách hộ nghèo, hộ cận nghèo (niêm yết)"),
    personal_tables=("poor", "near_poor", "average"),
    long_table=True,
    row_count=lists_row_count,
    options=("on",),
)
def lists(area: Area, year: int, on=None) -> Report:
    """The poor, the near-poor and the average-living-standard households of the figures of
    ``year`` (households/standing.py), by village, for public posting: head of household,
    members, B1 and B2 scores and the deprived indicators. With ``on`` (a date, YYYY-MM-DD):
    each household's latest decided result on that date."""
    day = option_day(on)
    assessments = _listed(area, year, day)
    rows = list(
        assessments.values(
            "id",
            "village_id",
            "household_class",
            "household__code",
            "household__head_name",
            "household__ethnicity",
            "member_count",
            "b1_score",
            "income_per_capita",
            "deprivation_count",
            "standard__b2_points_per_indicator",
        ).order_by()
    )
    if not rows and day is not None:
        raise no_decided_result(area, day)
    if not rows and not Assessment.objects.periodic_of_year(year).within(area).exists():
        raise missing_review(area, year)
    deprived: dict[int, list[str]] = defaultdict(list)
    for assessment_id, code in (
        Deprivation.objects.filter(assessment__in=assessments)
        .values_list("assessment_id", "indicator__code")
        .order_by("indicator__dimension__order", "indicator__order")
    ):
        deprived[assessment_id].append(code)
    units = Units(area)
    # Villages in the order of the by-unit tables (by name), not by the order they were created.
    village_order = {v: i for i, v in enumerate(units.village_ids)}
    rows.sort(key=lambda r: (village_order.get(r["village_id"], 0), r["household__code"]))

    def table(klass: str, key: str, title: str) -> Table:
        out, number, last_village = [], 0, None
        for r in rows:
            if r["household_class"] != klass:
                continue
            if r["village_id"] != last_village:
                number, last_village = 0, r["village_id"]
            number += 1
            out.append(
                {
                    "key": r["household__code"],
                    "village": units.village_label(r["village_id"]),
                    "number": number,
                    "code": r["household__code"],
                    "head": r["household__head_name"],
                    "ethnicity": r["household__ethnicity"],
                    "members": r["member_count"],
                    "b1": r["b1_score"],
                    "b2": r["deprivation_count"] * r["standard__b2_points_per_indicator"],
                    "deprived": ", ".join(deprived.get(r["id"], [])),
                }
            )
        return Table(
            key=key,
            title=title,
            group_by="village",
            columns=[
                Column("village", _("Thôn / tổ dân phố")),
                Column("number", _("STT"), "int"),
                Column("code", _("Mã hộ")),
                Column("head", _("Họ và tên chủ hộ")),
                Column("ethnicity", _("Dân tộc")),
                Column("members", _("Số khẩu"), "int"),
                Column("b1", _("Điểm B1"), "int"),
                Column("b2", _("Điểm B2"), "int"),
                Column("deprived", _("Chỉ số thiếu hụt")),
            ],
            rows=out,
        )

    when = (
        _("năm %(year)s") % {"year": year}
        if day is None
        else _("tại ngày %(day)s") % {"day": day.strftime("%d/%m/%Y")}
    )
    poor = table(POOR, "poor", _("Danh sách hộ nghèo %(when)s") % {"when": when})
    near = table(NEAR_POOR, "near_poor", _("Danh sách hộ cận nghèo %(when)s") % {"when": when})
    average = table(
        AVERAGE,
        "average",
        _("Danh sách hộ có mức sống trung bình %(when)s") % {"when": when},
    )
    per_unit: dict[int, Counter] = defaultdict(Counter)
    for r in rows:
        per_unit[units.unit_of.get(r["village_id"])][r["household_class"]] += 1
    summary = Table(
        key="summary",
        sheet=_("Số hộ theo thôn"),
        title=_("Số hộ trong danh sách theo %(unit)s") % {"unit": units.heading.lower()},
        columns=[
            Column("unit", units.heading),
            Column("poor", _("Hộ nghèo"), "int"),
            Column("near_poor", _("Hộ cận nghèo"), "int"),
            Column("average", _("Hộ có mức sống trung bình"), "int"),
        ],
        rows=[
            {
                "key": str(u),
                "unit": units.name(u),
                "poor": per_unit[u][POOR],
                "near_poor": per_unit[u][NEAR_POOR],
                "average": per_unit[u][AVERAGE],
            }
            for u in units.ids
        ]
        + [
            total_line(
                _("Tổng cộng"),
                poor=len(poor.rows),
                near_poor=len(near.rows),
                average=len(average.rows),
            )
        ],
    )
    no_b1 = sum(1 for r in rows if r["b1_score"] is None)
    footnotes = [
        _("Điểm B2 = 10 điểm cho mỗi chỉ số thiếu hụt (Thông tư 07/2021/TT-BLĐTBXH)."),
        _(
            "Số hộ nghèo: %(poor)s; số hộ cận nghèo: %(near)s; số hộ có mức sống trung bình: "
            "%(avg)s."
        )
        % {
            "poor": format_int(len(poor.rows)),
            "near": format_int(len(near.rows)),
            "avg": format_int(len(average.rows)),
        },
    ]
    if no_b1:
        footnotes.append(
            _("%(n)s hộ được phân loại theo thu nhập, không có điểm B1 (ô để trống).")
            % {"n": format_int(no_b1)}
        )
    return Report(
        slug="lists",
        # the document type "DANH SÁCH" stands above the subject: the title does not repeat it
        title=_("Hộ nghèo, hộ cận nghèo %(when)s") % {"when": when},
        area=area,
        year=year,
        tables=[summary, poor, near, average],
        footnotes=footnotes,
        provenance={
            "assessments": f"periodic review {year}" if day is None else f"decided on {day}",
            "rows": len(rows),
        },
        landscape=True,
        document_type=_("DANH SÁCH"),
        symbol="DS",
    )
