"""``communes``: every commune of a district or province side by side (the district view)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import percent
from households import standing, summary
from reports.errors import ReportError
from reports.models import HouseholdTotal
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .baseline import reads_summary
from .common import (
    AVERAGE,
    NEAR_POOR,
    POOR,
    missing_review,
    registry_counts,
    total_line,
)
from .status import cycle_states, provenance


@register(
    "communes",
    title=gettext_lazy("Các xã trong địa bàn: số liệu so sánh"),
    per_commune=False,
)
def communes(area: Area, year: int) -> Report:
    """Every commune below a district or province with its figures side by side."""
    if area.kind in (Area.Kind.COMMUNE, Area.Kind.VILLAGE):
        raise ReportError(
            _("Báo cáo này dành cho huyện hoặc tỉnh; %(area)s là một %(kind)s."),
            params={"area": area.name, "kind": area.get_kind_display().lower()},
        )
    units = Units(area)
    totals: dict[int, Counter] = defaultdict(Counter)
    members: dict[int, Counter] = defaultdict(Counter)
    if reads_summary(area):  # the summary counts (households/summary.py)
        for commune_id, classes in summary.year_totals_by_commune(area.path, year).items():
            for household_class, counts in classes.items():
                totals[commune_id][household_class] = counts["households"]
                members[commune_id][household_class] = counts["members"]
        registry = summary.registry_by_commune(area.path, [year])[year]
    else:
        for row in (
            standing.year_results(year)
            .within(area)
            .values("cycle__commune_id", "household_class")
            .annotate(n=Count("id"), m=Sum("member_count"))
            .order_by()
        ):
            totals[row["cycle__commune_id"]][row["household_class"]] = row["n"]
            members[row["cycle__commune_id"]][row["household_class"]] = row["m"] or 0
        registry = registry_counts(area, year, "commune_id")
    stated = dict(
        HouseholdTotal.objects.filter(area_id__in=units.ids, year=year).values_list(
            "area_id", "households"
        )
    )
    states = cycle_states(area, year)  # each commune's review: decided, or how far it is
    rows = []
    grand = Counter()
    for commune_id in units.ids:
        t = totals.get(commune_id)
        households = stated.get(commune_id, registry[commune_id])
        poor, near = (t or Counter())[POOR], (t or Counter())[NEAR_POOR]
        average = (t or Counter())[AVERAGE]
        row = {
            "key": str(commune_id),
            "unit": units.name(commune_id),
            "households": households,
            "poor": poor if t else None,
            "poor_members": members[commune_id][POOR] if t else None,
            "poor_rate": percent(poor, households) if t else None,
            "near_poor": near if t else None,
            "near_poor_rate": percent(near, households) if t else None,
            "both_rate": percent(poor + near, households) if t else None,
            "average": average if t else None,
            "average_members": members[commune_id][AVERAGE] if t else None,
            "average_rate": percent(average, households) if t else None,
            "status": states[commune_id].note
            if commune_id in states
            else _("Chưa có kết quả rà soát"),
            "_area_id": commune_id,
        }
        if t:
            grand.update({"households": households, "poor": poor, "near": near})
            grand.update({"average": average, "average_members": members[commune_id][AVERAGE]})
            grand["members"] += members[commune_id][POOR]
        rows.append(row)
    if not any(totals.values()):
        raise missing_review(area, year)
    rows.append(
        total_line(
            _("Các xã có số liệu"),
            households=grand["households"],
            poor=grand["poor"],
            poor_members=grand["members"],
            poor_rate=percent(grand["poor"], grand["households"]),
            near_poor=grand["near"],
            near_poor_rate=percent(grand["near"], grand["households"]),
            both_rate=percent(grand["poor"] + grand["near"], grand["households"]),
            average=grand["average"],
            average_members=grand["average_members"],
            average_rate=percent(grand["average"], grand["households"]),
            status="",
        )
    )
    poor_g, near_g = _("Hộ nghèo"), _("Hộ cận nghèo")
    average_g = _("Hộ có mức sống trung bình")
    return Report(
        slug="communes",
        title=_("Hộ nghèo, hộ cận nghèo các xã cuối năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[
            Table(
                key="communes",
                title=_("So sánh các xã"),
                columns=[
                    Column("unit", _("Xã / phường")),
                    Column("households", _("Tổng số hộ"), "int"),
                    Column("poor", _("Số hộ"), "int", poor_g),
                    Column("poor_members", _("Số khẩu"), "int", poor_g),
                    Column("poor_rate", _("Tỷ lệ"), "percent", poor_g),
                    Column("near_poor", _("Số hộ"), "int", near_g),
                    Column("near_poor_rate", _("Tỷ lệ"), "percent", near_g),
                    Column("both_rate", _("Tỷ lệ nghèo và cận nghèo"), "percent"),
                    Column("average", _("Số hộ"), "int", average_g),
                    Column("average_members", _("Số khẩu"), "int", average_g),
                    Column("average_rate", _("Tỷ lệ"), "percent", average_g),
                    Column("status", _("Ghi chú")),
                ],
                rows=rows,
            )
        ],
        footnotes=[
            _(
                "Tổng số hộ: số hộ khai báo của xã nếu có, nếu không thì số hộ trong sổ theo dõi "
                "tại ngày chốt số liệu của kỳ rà soát định kỳ năm %(year)s (31/12/%(year)s nếu xã "
                "chưa có kỳ rà soát)."
            )
            % {"year": year},
        ],
        provenance={"communes": len(units.ids)},
        status=provenance(states),
        landscape=True,
    )
