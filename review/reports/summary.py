"""``review_summary``: the summary of a periodic review sent up to the province (biểu tổng hợp kết
quả rà soát): by village (by commune for a wider area) and by ethnic group, all households and
members on the registry at the reference date, and the poor, near-poor and
average-living-standard households and members with their rates. Rates are computed from the
counts (``core.formatting.percent``); a household's members are those of its result, or the
registry's for a household without one."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int, percent
from households.models import Household, ReviewCycle
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, Table
from reports.units import Units

from .common import AVERAGE, NEAR_POOR, POOR, ReviewDocument, classes_of, ethnic_order

SLUG = "review_summary"
CLASSES = (
    (POOR, "poor", gettext_lazy("Hộ nghèo")),
    (NEAR_POOR, "near", gettext_lazy("Hộ cận nghèo")),
    (AVERAGE, "average", gettext_lazy("Hộ có mức sống trung bình")),
)


def _columns(first: Column) -> list[Column]:
    columns = [
        first,
        Column("households", _("Tổng số hộ"), "int", group=_("Toàn địa bàn")),
        Column("members", _("Tổng số khẩu"), "int", group=_("Toàn địa bàn")),
    ]
    for _value, key, label in CLASSES:
        group = str(label)
        columns += [
            Column(f"{key}_households", _("Số hộ"), "int", group=group),
            Column(f"{key}_members", _("Số khẩu"), "int", group=group),
            Column(f"{key}_rate", _("Tỷ lệ hộ"), "percent", group=group),
        ]
    return columns


def _row(key: str, label: str, counts: Counter, **extra) -> dict:
    row = {
        "key": key,
        "label": label,
        "households": counts["households"],
        "members": counts["members"],
        **extra,
    }
    for value, name, _label in CLASSES:
        row[f"{name}_households"] = counts[f"{value}_households"]
        row[f"{name}_members"] = counts[f"{value}_members"]
        row[f"{name}_rate"] = percent(counts[f"{value}_households"], counts["households"])
    return row


@register(SLUG, title=gettext_lazy("Biểu tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo"))
def review_summary(area: Area, year: int) -> ReviewDocument:
    cycles = list(
        ReviewCycle.objects.filter(year=year, kind=ReviewCycle.Kind.PERIODIC)
        .covering(area)
        .select_related("commune")
    )
    if not cycles:
        raise ReportError(
            _("Không có đợt rà soát định kỳ năm %(year)s cho %(area)s."),
            params={"year": year, "area": area.name},
        )
    # each commune's registry at its own cycle's reference date
    on_registry = Q()
    for cycle in cycles:
        on_registry |= (
            Q(commune_id=cycle.commune_id)
            & (Q(left_registry_on__isnull=True) | Q(left_registry_on__gt=cycle.reference_date))
            & (Q(joined_registry_on__isnull=True) | Q(joined_registry_on__lte=cycle.reference_date))
        )
    households = list(
        Household.objects.within(area)
        .filter(on_registry)
        .annotate(n=Count("members"))
        .values_list("id", "village_id", "ethnicity", "n")
        .order_by()
    )
    results: dict[int, dict] = {}
    for cycle in cycles:
        results.update(classes_of(cycle, area))
    units = Units(area)
    by_unit: dict[int, Counter] = defaultdict(Counter)
    by_ethnicity: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for household_id, village_id, ethnicity, registry_members in households:
        result = results.get(household_id)
        members = result["members"] if result else registry_members
        unit = units.unit_of.get(result["village_id"] if result else village_id)
        for counts in (by_unit[unit], by_ethnicity[ethnicity.strip()], total):
            counts["households"] += 1
            counts["members"] += members
            if result:
                counts[f"{result['class']}_households"] += 1
                counts[f"{result['class']}_members"] += members
    unit_rows = [
        _row(str(u), units.name(u), by_unit[u], _area_id=u) for u in units.ids if by_unit.get(u)
    ]
    unit_rows.append(_row("total", _("Tổng cộng"), total, _style="total"))
    ethnic_rows = [
        _row(name or "-", name or _("Chưa ghi dân tộc"), by_ethnicity[name])
        for name in sorted(by_ethnicity, key=ethnic_order)
    ]
    ethnic_rows.append(_row("total", _("Tổng cộng"), total, _style="total"))
    unfinished = [c for c in cycles if not c.is_finalised]
    footnotes = [
        _(
            "Tỷ lệ hộ = số hộ của nhóm / tổng số hộ trong sổ theo dõi tại ngày chốt số liệu, "
            "tính từ số hộ (hai chữ số thập phân)."
        ),
        _("Số khẩu của hộ theo kết quả rà soát; hộ chưa có kết quả theo sổ theo dõi."),
    ]
    if unfinished:
        footnotes.append(
            _("Số liệu tạm thời: %(n)s đợt rà soát chưa có quyết định công nhận.")
            % {"n": format_int(len(unfinished))}
        )
    return ReviewDocument(
        slug=SLUG,
        title=_("Kết quả rà soát hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình năm %(year)s")
        % {"year": year},
        area=area,
        year=year,
        tables=[
            Table(
                key="by_unit",
                title=_("Biểu 1. Kết quả rà soát theo %(unit)s") % {"unit": units.heading.lower()},
                columns=_columns(Column("label", units.heading)),
                rows=unit_rows,
            ),
            Table(
                key="by_ethnicity",
                title=_("Biểu 2. Kết quả rà soát theo dân tộc"),
                columns=_columns(Column("label", _("Dân tộc"))),
                rows=ethnic_rows,
            ),
        ],
        footnotes=footnotes,
        provenance={"cycles": [c.pk for c in cycles], "households": total["households"]},
        landscape=True,
        document_values={"document_year": year},
    )
