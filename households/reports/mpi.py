"""``mpi``: the multidimensional (Alkire–Foster) figures H, A, M0, censored headcounts and
contributions, by village and by ethnicity."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import percent
from households import standing
from households.models import Assessment, Deprivation
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .common import (
    POOR,
    household_total,
    indicators_of,
    missing_review,
    registry_counts,
    total_line,
)


@register("mpi", title=gettext_lazy("Chỉ số nghèo đa chiều (H, A, M0) theo thôn và dân tộc"))
def mpi(area: Area, year: int) -> Report:
    """Alkire–Foster figures of ``year`` (households/standing.py), with the poor as identified by
    the national standard (income under the line and ≥ 3 of the indicators):

    - H, the headcount ratio: poor households / all households;
    - A, the intensity: the average share of the indicators in which the poor are deprived;
    - M0 = H × A; the censored headcount of each indicator (poor and deprived in it / all
      households), and each indicator's and dimension's contribution to M0 (equal weights).
    """
    assessed = standing.year_results(year).within(area)
    by_group = list(
        assessed.filter(household_class=POOR)
        .values("village_id", "household__ethnicity")
        .annotate(poor=Count("id"), deprivations=Sum("deprivation_count"))
        .order_by()
    )
    censored = list(
        Deprivation.objects.filter(assessment__in=assessed.filter(household_class=POOR))
        .values("assessment__village_id", "assessment__household__ethnicity", "indicator__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    if not by_group and not Assessment.objects.periodic_of_year(year).within(area).exists():
        raise missing_review(area, year)
    indicators = indicators_of(area, year)
    d = len(indicators) or 1
    units = Units(area)
    by_village_total = registry_counts(area, year, "village_id")
    by_ethnicity_total = registry_counts(area, year, "ethnicity")
    all_households, denominator_source = household_total(area, year)

    unit_total: Counter = Counter()
    for village_id, n in by_village_total.items():
        unit_total[units.unit_of.get(village_id)] += n
    ethnicity_total = Counter({(e or _("Không rõ")): n for e, n in by_ethnicity_total.items()})

    poor_n: dict[str, Counter] = {"unit": Counter(), "eth": Counter()}
    dep_sum: dict[str, Counter] = {"unit": Counter(), "eth": Counter()}
    for row in by_group:
        unit = units.unit_of.get(row["village_id"])
        eth = row["household__ethnicity"] or _("Không rõ")
        for kind, key in (("unit", unit), ("eth", eth)):
            poor_n[kind][key] += row["poor"]
            dep_sum[kind][key] += row["deprivations"] or 0
    deprived_in: dict[str, dict] = {"unit": defaultdict(Counter), "eth": defaultdict(Counter)}
    for row in censored:
        unit = units.unit_of.get(row["assessment__village_id"])
        eth = row["assessment__household__ethnicity"] or _("Không rõ")
        deprived_in["unit"][unit][row["indicator__code"]] += row["n"]
        deprived_in["eth"][eth][row["indicator__code"]] += row["n"]
    area_deprived: Counter = Counter()
    for c in deprived_in["unit"].values():
        area_deprived.update(c)
    area_poor = sum(poor_n["unit"].values())
    area_dep = sum(dep_sum["unit"].values())

    def figures(households: int, poor: int, deps: int) -> dict:
        h = Fraction(poor, households) if households else None
        a = Fraction(deps, poor * d) if poor else None
        m0 = h * a if h is not None and a is not None else (Fraction(0) if h == 0 else None)
        return {
            "households": households,
            "poor": poor,
            "h": percent(poor, households),
            "a": percent(deps, poor * d),
            "m0": None if m0 is None else Decimal(m0.numerator) / Decimal(m0.denominator),
        }

    hatable_columns = [
        Column("households", _("Tổng số hộ"), "int"),
        Column("poor", _("Số hộ nghèo"), "int"),
        Column("h", _("H – tỷ lệ hộ nghèo"), "percent"),
        Column("a", _("A – mức độ thiếu hụt bình quân"), "percent"),
        Column("m0", _("M0 = H × A"), "decimal", places=4),
    ]
    village_rows = [
        {
            "key": str(u),
            "unit": units.name(u),
            **figures(unit_total[u], poor_n["unit"][u], dep_sum["unit"][u]),
        }
        for u in units.ids
    ]
    village_rows.append(
        total_line(_("Toàn địa bàn"), **figures(all_households, area_poor, area_dep))
    )
    ethnicities = sorted(set(ethnicity_total) | set(poor_n["eth"]))
    eth_rows = [
        {"key": e, "unit": e, **figures(ethnicity_total[e], poor_n["eth"][e], dep_sum["eth"][e])}
        for e in ethnicities
    ]
    eth_rows.append(total_line(_("Toàn địa bàn"), **figures(all_households, area_poor, area_dep)))

    indicator_rows = []
    for ind in indicators:
        n = area_deprived[ind.code]
        indicator_rows.append(
            {
                "key": ind.code,
                "code": ind.code,
                "indicator": ind.localized_name,
                "dimension": ind.dimension.localized_name,
                "deprived": n,
                "censored": percent(n, all_households),
                # (n / (N·d)) / M0 with equal weights: the indicator's share of all deprivations
                "contribution": percent(n, area_dep),
            }
        )

    def censored_rows(kind: str, keys: list, names, totals: Counter) -> list[dict]:
        out = []
        for key in keys:
            row = {"key": str(key), "unit": names(key)}
            for ind in indicators:
                row[ind.code] = percent(deprived_in[kind][key][ind.code], totals[key])
            out.append(row)
        total_row = total_line(_("Toàn địa bàn"))
        for ind in indicators:
            total_row[ind.code] = percent(area_deprived[ind.code], all_households)
        out.append(total_row)
        return out

    dimensions: list[tuple[str, str, list[str]]] = []
    for ind in indicators:
        if not dimensions or dimensions[-1][0] != ind.dimension.code:
            dimensions.append((ind.dimension.code, ind.dimension.localized_name, []))
        dimensions[-1][2].append(ind.code)

    def contribution_rows(kind: str, keys: list, names, totals: Counter) -> list[dict]:
        out = []
        for key in keys + [None]:
            deprived = area_deprived if key is None else deprived_in[kind][key]
            households = all_households if key is None else totals[key]
            total_dep = sum(deprived[c] for c in deprived)
            row = (
                total_line(_("Toàn địa bàn"))
                if key is None
                else {"key": str(key), "unit": names(key)}
            )
            for code, _name, codes in dimensions:
                row[f"dim_{code}"] = (
                    percent(sum(deprived[c] for c in codes), total_dep) if total_dep else None
                )
            row["m0"] = Decimal(total_dep) / Decimal(households * d) if households else None
            out.append(row)
        return out

    unit_col = Column("unit", units.heading)
    eth_col = Column("unit", _("Dân tộc"))
    ind_cols = [Column(ind.code, ind.code, "percent") for ind in indicators]
    dim_cols = [Column(f"dim_{code}", name, "percent") for code, name, _c in dimensions]
    eth_name = str
    tables = [
        Table(
            key="by_unit",
            title=_("H, A và M0 theo %(unit)s") % {"unit": units.heading.lower()},
            columns=[unit_col, *hatable_columns],
            rows=village_rows,
        ),
        Table(
            key="by_ethnicity",
            title=_("H, A và M0 theo dân tộc"),
            columns=[eth_col, *hatable_columns],
            rows=eth_rows,
        ),
        Table(
            key="indicators",
            sheet=_("Thiếu hụt theo chỉ số"),
            title=_("Tỷ lệ thiếu hụt có kiểm duyệt và đóng góp của từng chỉ số"),
            columns=[
                Column("code", _("Chỉ số")),
                Column("indicator", _("Tên chỉ số")),
                Column("dimension", _("Chiều")),
                Column("deprived", _("Số hộ nghèo thiếu hụt"), "int"),
                Column("censored", _("Tỷ lệ thiếu hụt có kiểm duyệt"), "percent"),
                Column("contribution", _("Đóng góp vào M0"), "percent"),
            ],
            rows=indicator_rows,
        ),
        Table(
            key="censored_by_unit",
            sheet=_("Thiếu hụt theo thôn"),
            title=_("Tỷ lệ thiếu hụt có kiểm duyệt theo %(unit)s")
            % {"unit": units.heading.lower()},
            columns=[unit_col, *ind_cols],
            rows=censored_rows("unit", units.ids, units.name, unit_total),
        ),
        Table(
            key="censored_by_ethnicity",
            sheet=_("Thiếu hụt theo dân tộc"),
            title=_("Tỷ lệ thiếu hụt có kiểm duyệt theo dân tộc"),
            columns=[eth_col, *ind_cols],
            rows=censored_rows("eth", ethnicities, eth_name, ethnicity_total),
        ),
        Table(
            key="dimensions_by_unit",
            sheet=_("Đóng góp vào M0 theo thôn"),
            title=_("Đóng góp của từng chiều vào M0 theo %(unit)s")
            % {"unit": units.heading.lower()},
            columns=[unit_col, *dim_cols, Column("m0", _("M0"), "decimal", places=4)],
            rows=contribution_rows("unit", units.ids, units.name, unit_total),
        ),
        Table(
            key="dimensions_by_ethnicity",
            sheet=_("Đóng góp vào M0 theo dân tộc"),
            title=_("Đóng góp của từng chiều vào M0 theo dân tộc"),
            columns=[eth_col, *dim_cols, Column("m0", _("M0"), "decimal", places=4)],
            rows=contribution_rows("eth", ethnicities, eth_name, ethnicity_total),
        ),
    ]
    return Report(
        slug="mpi",
        title=_("Chỉ số nghèo đa chiều năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=[
            _(
                "Hộ nghèo theo chuẩn nghèo đa chiều (thu nhập dưới chuẩn và thiếu hụt từ 3 chỉ "
                "số trở lên). H = số hộ nghèo / tổng số hộ; A = số chỉ số thiếu hụt bình quân của "
                "hộ nghèo / %(d)s; M0 = H × A; các chỉ số có trọng số bằng nhau."
            )
            % {"d": d},
            _(
                "Tỷ lệ thiếu hụt có kiểm duyệt: số hộ nghèo thiếu hụt chỉ số / tổng số hộ. "
                "Đóng góp làm tròn nên tổng có thể lệch 0,01 %."
            ),
            _("Mẫu số toàn địa bàn: %(source)s; theo thôn và dân tộc: sổ theo dõi của hệ thống.")
            % {"source": denominator_source},
            _("Dân tộc theo sổ theo dõi hộ hiện tại."),
        ],
        provenance={"households": all_households, "indicators": d},
        landscape=True,
    )


def percent_fraction(value: Fraction) -> Decimal:
    """An exact fraction as a percentage, two decimals, half-up."""
    return percent(value.numerator, value.denominator)
