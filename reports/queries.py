"""One function per report: each reads the data with a fixed number of queries and returns a
:class:`~reports.tables.Report`, which ``render.py`` (one module per format) turns into HTML,
PDF, XLSX, CSV or JSON.

Every figure a report shows is computed here; percentages are recomputed from the counts
(two decimals, half-up), never typed. The reports:

- ``baseline``: section I of the plan (poor and near-poor households, the 12 indicators), with
  the deprivation chart and the rate across review cycles;
- ``lists``: the poor and near-poor households of a periodic review, by village (public posting);
- ``movement``: what changed between two periodic reviews, by village;
- ``mpi``: the multidimensional (Alkire–Foster) figures H, A, M0, censored headcounts and
  contributions, by village and by ethnicity;
- ``progress``: the year's targets against the results so far (the plan's Appendix 01 and its
  section II.2.2);
- ``reconciliation``: figures a document states beside the computed ones;
- ``communes``: every commune of a district or province side by side.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import HUNDRED, TWO_PLACES, format_int, percent
from households.models import Assessment, Deprivation, Household, ReviewCycle
from indicators.models import Indicator, ProgressRecord, Target
from indicators.rules import HouseholdClass

from .models import HouseholdTotal, StatedDocument
from .registry import register
from .tables import Chart, Column, Report, Table

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


def baseline(area: Area, year: int) -> Report:
    """Section I of the plan: poor and near-poor households at the end of ``year`` and their
    deprivation in each of the 12 indicators (the periodic review of that year)."""
    assessments = Assessment.objects.periodic_of_year(year).within(area)
    # Only the poor and near-poor totals are shown: totalling just those rows spares a province
    # most of its assessments (docs/benchmarks.md). With none, one more query tells "nobody poor"
    # from "no results", and the deprivation query is skipped, so the count stays five.
    totals = assessments.filter(household_class__in=[POOR, NEAR_POOR]).class_totals()
    if not totals and not assessments.exists():
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
        for row in (
            Deprivation.objects.filter(
                assessment__cycle__year=year,
                assessment__cycle__kind=ReviewCycle.Kind.PERIODIC,
                assessment__village__path__startswith=area.path,
                assessment__household_class__in=[POOR, NEAR_POOR],
            )
            .values("indicator__code", "assessment__household_class")
            .annotate(n=Count("id"))
            .order_by()
            if totals
            else []
        )
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


# --- shared helpers -------------------------------------------------------------------------

CLASS_LABELS = {
    POOR: gettext_lazy("Hộ nghèo"),
    NEAR_POOR: gettext_lazy("Hộ cận nghèo"),
    HouseholdClass.AVERAGE.value: gettext_lazy("Hộ có mức sống trung bình"),
    HouseholdClass.NOT_POOR.value: gettext_lazy("Hộ không nghèo"),
}
ON_LISTS = (POOR, NEAR_POOR)


def _total(label: str, **figures) -> dict:
    return {"key": "total", "unit": label, "_style": "total", **figures}


def _missing_review(area: Area, year: int) -> ReportError:
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


class Units:
    """The rows of a by-unit table: the villages of a commune (or the village itself), or the
    communes of a district or province. One query reads every area below ``area``."""

    def __init__(self, area: Area):
        self.area = area
        below = list(
            Area.objects.filter(path__startswith=area.path)
            .filter(kind__in=[Area.Kind.COMMUNE, Area.Kind.VILLAGE])
            .values("id", "kind", "name", "code", "parent_id")
        )
        self.by_commune = area.kind not in (Area.Kind.COMMUNE, Area.Kind.VILLAGE)
        unit_kind = Area.Kind.COMMUNE if self.by_commune else Area.Kind.VILLAGE
        self.names = {a["id"]: a["name"] for a in below}
        units = [a for a in below if a["kind"] == unit_kind]
        units.sort(key=lambda a: (a["code"], a["name"]) if self.by_commune else (a["name"],))
        self.ids = [a["id"] for a in units]
        # village -> the unit it counts in
        self.unit_of = {
            a["id"]: (a["parent_id"] if self.by_commune else a["id"])
            for a in below
            if a["kind"] == Area.Kind.VILLAGE
        }
        self.parent_of = {a["id"]: a["parent_id"] for a in below}
        unit_rank = {u: i for i, u in enumerate(self.ids)}
        villages = [a for a in below if a["kind"] == Area.Kind.VILLAGE]
        villages.sort(key=lambda a: (unit_rank.get(self.unit_of[a["id"]], 0), a["name"]))
        self.village_ids = [a["id"] for a in villages]

    @property
    def heading(self) -> str:
        return _("Xã / phường") if self.by_commune else _("Thôn / tổ dân phố")

    def name(self, unit_id: int) -> str:
        return self.names.get(unit_id, "?")

    def village_label(self, village_id: int) -> str:
        """A village's name, with its commune's name when the area spans several communes."""
        name = self.names.get(village_id, "?")
        if self.by_commune:
            return f"{self.names.get(self.parent_of.get(village_id), '?')} · {name}"
        return name


def _registry_counts(area: Area, year: int, field: str) -> Counter:
    """Households on the registry at the end of ``year``, counted by ``field``."""
    end = datetime.date(year, 12, 31)
    return Counter(
        dict(
            Household.objects.within(area)
            .in_registry_at(end)
            .values_list(field)
            .annotate(n=Count("id"))
            .order_by()
        )
    )


def _indicators_of(area: Area, year: int) -> list[Indicator]:
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


def _ratio(part, whole) -> Decimal | None:
    """``part / whole`` as a percentage (two decimals, half-up) for non-integer parts too."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES)


# --- baseline with its charts ---------------------------------------------------------------


@register("baseline", title=gettext_lazy("Thực trạng hộ nghèo, cận nghèo (mục I của kế hoạch)"))
def baseline_report(area: Area, year: int) -> Report:
    """The baseline table, with the deprivation chart (poor against near-poor) and the rate of
    poor and near-poor households in every periodic review up to ``year``."""
    report = baseline(area, year)
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
        )
    )
    report.charts.append(rate_trend_chart(area, year))
    return report


def rate_trend_chart(area: Area, year: int) -> Chart:
    """The rates of every periodic review of ``area`` up to ``year`` (three queries)."""
    by_year: dict[int, Counter] = defaultdict(Counter)
    for row in (
        Assessment.objects.filter(cycle__kind=ReviewCycle.Kind.PERIODIC, cycle__year__lte=year)
        .within(area)
        .filter(household_class__in=ON_LISTS)
        .values("cycle__year", "household_class")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_year[row["cycle__year"]][row["household_class"]] = row["n"]
    years = sorted(by_year)
    stated = dict(
        HouseholdTotal.objects.filter(area=area, year__in=years).values_list("year", "households")
    )
    left = list(
        Household.objects.within(area)
        .values_list("left_registry_on")
        .annotate(n=Count("id"))
        .order_by()
    )

    def total(y: int) -> int:
        if y in stated:
            return stated[y]
        end = datetime.date(y, 12, 31)
        return sum(n for day, n in left if day is None or day > end)

    totals = {y: total(y) for y in years}
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
    )


# --- lists ----------------------------------------------------------------------------------


def lists_row_count(area: Area, year: int) -> int:
    """How many rows ``lists`` will have (one COUNT query), to estimate rendering time."""
    return (
        Assessment.objects.periodic_of_year(year)
        .within(area)
        .filter(household_class__in=ON_LISTS)
        .count()
    )


@register(
    "lists",
    title=gettext_lazy("Danh sách hộ nghèo, hộ cận nghèo (niêm yết)"),
    personal_tables=("poor", "near_poor"),
    long_table=True,
)
def lists(area: Area, year: int) -> Report:
    """The poor and the near-poor households of the periodic review of ``year``, by village, for
    public posting: head of household, members, B1 and B2 scores and the deprived indicators."""
    assessments = (
        Assessment.objects.periodic_of_year(year).within(area).filter(household_class__in=ON_LISTS)
    )
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
    if not rows and not assessments.model.objects.periodic_of_year(year).within(area).exists():
        raise _missing_review(area, year)
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
                Column("village", _("Thôn / tổ dân phố"), width=0),
                Column("number", _("STT"), "int", width=5),
                Column("code", _("Mã hộ"), width=12),
                Column("head", _("Họ và tên chủ hộ"), width=26),
                Column("ethnicity", _("Dân tộc"), width=9),
                Column("members", _("Số khẩu"), "int", width=7),
                Column("b1", _("Điểm B1"), "int", width=7),
                Column("b2", _("Điểm B2"), "int", width=7),
                Column("deprived", _("Chỉ số thiếu hụt"), width=27),
            ],
            rows=out,
        )

    poor = table(POOR, "poor", _("Danh sách hộ nghèo năm %(year)s") % {"year": year})
    near = table(NEAR_POOR, "near_poor", _("Danh sách hộ cận nghèo năm %(year)s") % {"year": year})
    per_unit: dict[int, Counter] = defaultdict(Counter)
    for r in rows:
        per_unit[units.unit_of.get(r["village_id"])][r["household_class"]] += 1
    summary = Table(
        key="summary",
        title=_("Số hộ trong danh sách theo %(unit)s") % {"unit": units.heading.lower()},
        columns=[
            Column("unit", units.heading),
            Column("poor", _("Hộ nghèo"), "int"),
            Column("near_poor", _("Hộ cận nghèo"), "int"),
        ],
        rows=[
            {
                "key": str(u),
                "unit": units.name(u),
                "poor": per_unit[u][POOR],
                "near_poor": per_unit[u][NEAR_POOR],
            }
            for u in units.ids
        ]
        + [_total(_("Tổng cộng"), poor=len(poor.rows), near_poor=len(near.rows))],
    )
    no_b1 = sum(1 for r in rows if r["b1_score"] is None)
    footnotes = [
        _("Điểm B2 = 10 điểm cho mỗi chỉ số thiếu hụt (Thông tư 07/2021/TT-BLĐTBXH)."),
        _("Số hộ nghèo: %(poor)s; số hộ cận nghèo: %(near)s.")
        % {"poor": format_int(len(poor.rows)), "near": format_int(len(near.rows))},
    ]
    if no_b1:
        footnotes.append(
            _("%(n)s hộ được phân loại theo thu nhập, không có điểm B1 (ô để trống).")
            % {"n": format_int(no_b1)}
        )
    return Report(
        slug="lists",
        title=_("Danh sách hộ nghèo, hộ cận nghèo năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[summary, poor, near],
        footnotes=footnotes,
        provenance={"assessments": f"periodic review {year}", "rows": len(rows)},
        landscape=True,
        document_type=_("DANH SÁCH"),
        symbol="DS",
    )


# --- movement -------------------------------------------------------------------------------

MOVES = (
    "start_poor",
    "escaped_poverty",
    "poor_to_near",
    "near_to_poor",
    "newly_poor",
    "fallen_back",
    "poor_left",
    "end_poor",
    "start_near",
    "escaped_near",
    "newly_near",
    "near_left",
    "end_near",
)


def _previous_periodic_year(area: Area, year: int) -> int | None:
    return (
        ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC, year__lt=year)
        .covering(area)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def movement_of(statuses: dict[int, str | None], earlier_poor: bool) -> list[str]:
    """The movements of one household given its class in the previous and the current review
    (``statuses[0]``, ``statuses[1]``; None = not assessed) and whether it was poor in any review
    before the previous one. Pure, so the rules are tested without a database."""
    before, now = statuses.get(0), statuses.get(1)
    moves = []
    if before == POOR:
        moves.append("start_poor")
        if now == NEAR_POOR:
            moves.append("poor_to_near")
        elif now is None:
            moves.append("poor_left")
        elif now != POOR:
            moves.append("escaped_poverty")
    elif before == NEAR_POOR:
        moves.append("start_near")
        if now == POOR:
            moves.append("near_to_poor")
        elif now is None:
            moves.append("near_left")
        elif now != NEAR_POOR:
            moves.append("escaped_near")
    if now == POOR:
        moves.append("end_poor")
        if before != POOR and before != NEAR_POOR:
            moves.append("fallen_back" if earlier_poor else "newly_poor")
    elif now == NEAR_POOR:
        moves.append("end_near")
        if before != POOR and before != NEAR_POOR:
            moves.append("newly_near")
    return moves


@register(
    "movement",
    title=gettext_lazy("Biến động hộ nghèo, hộ cận nghèo giữa hai kỳ rà soát"),
    options=("since",),
)
def movement(area: Area, year: int, since: int | str | None = None) -> Report:
    """Escaped poverty, escaped near-poverty, poor → near-poor, near-poor → poor, newly poor and
    fallen back into poverty (poor in a review before the previous one but not in it), by unit,
    between the periodic review of ``since`` (default: the one before ``year``) and ``year``."""
    if since in (None, ""):
        previous = _previous_periodic_year(area, year)
    else:
        try:
            previous = int(since)
        except (TypeError, ValueError):
            raise ReportError(_("Năm so sánh không hợp lệ: %(v)s."), params={"v": since}) from None
        if previous >= year:
            raise ReportError(_("Năm so sánh phải trước năm %(year)s."), params={"year": year})
    rows = list(
        Assessment.objects.filter(cycle__kind=ReviewCycle.Kind.PERIODIC)
        .within(area)
        .filter(
            Q(cycle__year=year)
            | Q(cycle__year=previous or 0)
            | Q(cycle__year__lt=previous or 0, household_class=POOR)
        )
        .values_list("household_id", "cycle__year", "household_class", "village_id")
    )
    if not any(r[1] == year for r in rows):
        raise _missing_review(area, year)
    if previous is None or not any(r[1] == previous for r in rows):
        raise ReportError(
            _("Không có kết quả rà soát định kỳ trước năm %(year)s của %(area)s để so sánh.")
            if previous is None
            else _("Không có kết quả rà soát định kỳ năm %(since)s của %(area)s để so sánh."),
            params={"year": year, "since": previous, "area": area.name},
        )
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    villages: dict[int, dict[int, int]] = defaultdict(dict)
    earlier: set[int] = set()
    for household_id, cycle_year, klass, village_id in rows:
        if cycle_year == year:
            statuses[household_id][1], villages[household_id][1] = klass, village_id
        elif cycle_year == previous:
            statuses[household_id][0], villages[household_id][0] = klass, village_id
        else:
            earlier.add(household_id)
    units = Units(area)
    counts: dict[int, Counter] = defaultdict(Counter)
    for household_id, status in statuses.items():
        where = villages[household_id]
        unit = units.unit_of.get(where.get(1, where.get(0)))
        counts[unit].update(movement_of(status, household_id in earlier))
    poor_g, near_g = _("Hộ nghèo"), _("Hộ cận nghèo")
    columns = [
        Column("unit", units.heading),
        Column("start_poor", _("Đầu kỳ"), "int", poor_g),
        Column("escaped_poverty", _("Thoát nghèo"), "int", poor_g),
        Column("poor_to_near", _("Nghèo → cận nghèo"), "int", poor_g),
        Column("near_to_poor", _("Cận nghèo → nghèo"), "int", poor_g),
        Column("newly_poor", _("Nghèo phát sinh mới"), "int", poor_g),
        Column("fallen_back", _("Tái nghèo"), "int", poor_g),
        Column("poor_left", _("Không rà soát lại"), "int", poor_g),
        Column("end_poor", _("Cuối kỳ"), "int", poor_g),
        Column("start_near", _("Đầu kỳ"), "int", near_g),
        Column("escaped_near", _("Thoát cận nghèo"), "int", near_g),
        Column("newly_near", _("Cận nghèo phát sinh mới"), "int", near_g),
        Column("near_left", _("Không rà soát lại"), "int", near_g),
        Column("end_near", _("Cuối kỳ"), "int", near_g),
    ]
    table_rows = [
        {"key": str(u), "unit": units.name(u), **{m: counts[u][m] for m in MOVES}}
        for u in units.ids
    ]
    everything = Counter()
    for c in counts.values():
        everything.update(c)
    table_rows.append(_total(_("Tổng cộng"), **{m: everything[m] for m in MOVES}))
    return Report(
        slug="movement",
        title=_("Biến động hộ nghèo, hộ cận nghèo từ cuối năm %(since)s đến cuối năm %(year)s")
        % {"since": previous, "year": year},
        area=area,
        year=year,
        tables=[
            Table(
                key="movement",
                title=_("Biến động theo %(unit)s") % {"unit": units.heading.lower()},
                columns=columns,
                rows=table_rows,
            )
        ],
        footnotes=[
            _(
                "Cuối kỳ = Đầu kỳ − thoát − chuyển sang loại khác − không rà soát lại + chuyển "
                "đến + phát sinh mới (+ tái nghèo). Cận nghèo → nghèo được tính ở cả hai nhóm."
            ),
            _(
                "Tái nghèo: hộ nghèo năm %(year)s, không nghèo năm %(since)s nhưng đã là hộ "
                "nghèo ở một kỳ rà soát trước đó."
            )
            % {"year": year, "since": previous},
        ],
        provenance={"from": previous, "to": year},
        landscape=True,
    )


# --- multidimensional figures ---------------------------------------------------------------


@register("mpi", title=gettext_lazy("Chỉ số nghèo đa chiều (H, A, M0) theo thôn và dân tộc"))
def mpi(area: Area, year: int) -> Report:
    """Alkire–Foster figures of the periodic review of ``year``, with the poor as identified by
    the national standard (income under the line and ≥ 3 of the indicators):

    - H, the headcount ratio: poor households / all households;
    - A, the intensity: the average share of the indicators in which the poor are deprived;
    - M0 = H × A; the censored headcount of each indicator (poor and deprived in it / all
      households), and each indicator's and dimension's contribution to M0 (equal weights).
    """
    assessed = Assessment.objects.periodic_of_year(year).within(area)
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
    if not by_group and not assessed.exists():
        raise _missing_review(area, year)
    indicators = _indicators_of(area, year)
    d = len(indicators) or 1
    units = Units(area)
    by_village_total = _registry_counts(area, year, "village_id")
    by_ethnicity_total = _registry_counts(area, year, "ethnicity")
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
    village_rows.append(_total(_("Toàn địa bàn"), **figures(all_households, area_poor, area_dep)))
    ethnicities = sorted(set(ethnicity_total) | set(poor_n["eth"]))
    eth_rows = [
        {"key": e, "unit": e, **figures(ethnicity_total[e], poor_n["eth"][e], dep_sum["eth"][e])}
        for e in ethnicities
    ]
    eth_rows.append(_total(_("Toàn địa bàn"), **figures(all_households, area_poor, area_dep)))

    indicator_rows = []
    for ind in indicators:
        n = area_deprived[ind.code]
        indicator_rows.append(
            {
                "key": ind.code,
                "code": ind.code,
                "indicator": ind.name,
                "dimension": ind.dimension.name,
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
        total_row = _total(_("Toàn địa bàn"))
        for ind in indicators:
            total_row[ind.code] = percent(area_deprived[ind.code], all_households)
        out.append(total_row)
        return out

    dimensions: list[tuple[str, str, list[str]]] = []
    for ind in indicators:
        if not dimensions or dimensions[-1][0] != ind.dimension.code:
            dimensions.append((ind.dimension.code, ind.dimension.name, []))
        dimensions[-1][2].append(ind.code)

    def contribution_rows(kind: str, keys: list, names, totals: Counter) -> list[dict]:
        out = []
        for key in keys + [None]:
            deprived = area_deprived if key is None else deprived_in[kind][key]
            households = all_households if key is None else totals[key]
            total_dep = sum(deprived[c] for c in deprived)
            row = (
                _total(_("Toàn địa bàn")) if key is None else {"key": str(key), "unit": names(key)}
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
            title=_("Tỷ lệ thiếu hụt có kiểm duyệt theo %(unit)s")
            % {"unit": units.heading.lower()},
            columns=[unit_col, *ind_cols],
            rows=censored_rows("unit", units.ids, units.name, unit_total),
        ),
        Table(
            key="censored_by_ethnicity",
            title=_("Tỷ lệ thiếu hụt có kiểm duyệt theo dân tộc"),
            columns=[eth_col, *ind_cols],
            rows=censored_rows("eth", ethnicities, eth_name, ethnicity_total),
        ),
        Table(
            key="dimensions_by_unit",
            title=_("Đóng góp của từng chiều vào M0 theo %(unit)s")
            % {"unit": units.heading.lower()},
            columns=[unit_col, *dim_cols, Column("m0", _("M0"), "decimal", places=4)],
            rows=contribution_rows("unit", units.ids, units.name, unit_total),
        ),
        Table(
            key="dimensions_by_ethnicity",
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


# --- targets and progress -------------------------------------------------------------------


def _latest_status(area: Area, year: int) -> tuple[dict[int, tuple], dict[int, tuple], list]:
    """Each household's class at the start of ``year`` (the previous year's periodic review) and
    now (its latest result in a cycle of ``year``, ad hoc ones included, else the start)."""
    rows = list(
        Assessment.objects.within(area)
        .filter(
            Q(cycle__year=year - 1, cycle__kind=ReviewCycle.Kind.PERIODIC) | Q(cycle__year=year)
        )
        .values_list(
            "id",
            "household_id",
            "household_class",
            "village_id",
            "cycle__year",
            "cycle__reference_date",
        )
        .order_by("cycle__reference_date", "id")
    )
    start: dict[int, tuple] = {}
    now: dict[int, tuple] = {}
    for assessment_id, household_id, klass, village_id, cycle_year, _day in rows:
        if cycle_year == year - 1:
            start[household_id] = (klass, village_id, assessment_id)
        else:
            now[household_id] = (klass, village_id, assessment_id)  # later rows win
    for household_id, status in start.items():
        now.setdefault(household_id, status)
    return start, now, rows


@register(
    "progress",
    title=gettext_lazy("Chỉ tiêu giảm nghèo và kết quả thực hiện (phụ lục 01)"),
)
def progress(area: Area, year: int) -> Report:
    """The plan's Appendix 01 and section II.2.2: per unit, poor and near-poor households at the
    start of ``year``, the target reduction, the result so far, the rate now against the target
    rate and the share achieved; then the social-service targets against their current value."""
    start, now, rows = _latest_status(area, year)
    if not rows:
        raise ReportError(
            _(
                "Chưa có kết quả rà soát định kỳ năm %(previous)s (đầu năm %(year)s) hay kết quả "
                "rà soát năm %(year)s cho %(area)s."
            ),
            params={"previous": year - 1, "year": year, "area": area.name},
        )
    units = Units(area)
    targets = list(
        Target.objects.filter(year=year)
        .filter(Q(area__path__startswith=area.path))
        .values("id", "area_id", "metric", "value", "source")
    )
    progress_rows = list(
        ProgressRecord.objects.filter(target_id__in=[t["id"] for t in targets])
        .values("target_id", "as_of", "value", "source")
        .order_by("as_of", "id")
    )
    households_by_village = _registry_counts(area, year, "village_id")
    all_households, denominator_source = household_total(area, year)
    watched = [Target.REVIEW_INDICATOR[m] for m in Target.REVIEW_INDICATOR]
    now_ids = {status[2] for status in now.values() if status[0] in ON_LISTS}
    deprived_now: Counter = Counter(
        code
        for assessment_id, code in Deprivation.objects.filter(
            assessment__in=Assessment.objects.within(area).filter(
                Q(cycle__year=year - 1, cycle__kind=ReviewCycle.Kind.PERIODIC)
                | Q(cycle__year=year),
                household_class__in=ON_LISTS,
            ),
            indicator__code__in=watched,
        ).values_list("assessment_id", "indicator__code")
        if assessment_id in now_ids
    )

    def tally(statuses: dict[int, tuple]) -> dict[int, Counter]:
        out: dict[int, Counter] = defaultdict(Counter)
        for klass, village_id, _id in statuses.values():
            out[units.unit_of.get(village_id)][klass] += 1
        return out

    at_start, at_now = tally(start), tally(now)
    target_of: dict[tuple[int, str], Decimal] = {
        (t["area_id"], t["metric"]): t["value"] for t in targets
    }
    unit_households: Counter = Counter()
    for village_id, n in households_by_village.items():
        unit_households[units.unit_of.get(village_id)] += n

    def figures(s: Counter, n: Counter, households: int, own: int | None, parts: list) -> dict:
        def target(metric: str) -> Decimal | None:
            if own is not None and (own, metric) in target_of:
                return target_of[(own, metric)]
            found = [target_of[(p, metric)] for p in parts if (p, metric) in target_of]
            return sum(found, Decimal(0)) if found else None

        poor_cut, near_cut = (
            target(Target.Metric.POOR_REDUCTION),
            target(Target.Metric.NEAR_POOR_REDUCTION),
        )
        poor_done, near_done = s[POOR] - n[POOR], s[NEAR_POOR] - n[NEAR_POOR]
        rate_target = target_of.get((own, Target.Metric.POVERTY_RATE)) if own else None
        if rate_target is None and poor_cut is not None and near_cut is not None:
            rate_target = _ratio(s[POOR] + s[NEAR_POOR] - poor_cut - near_cut, households)
        return {
            "households": households,
            "poor_start": s[POOR],
            "poor_target": poor_cut,
            "poor_now": n[POOR],
            "poor_done": poor_done,
            "poor_achieved": _ratio(poor_done, poor_cut) if poor_cut else None,
            "near_start": s[NEAR_POOR],
            "near_target": near_cut,
            "near_now": n[NEAR_POOR],
            "near_done": near_done,
            "near_achieved": _ratio(near_done, near_cut) if near_cut else None,
            "rate_start": percent(s[POOR] + s[NEAR_POOR], households),
            "rate_now": percent(n[POOR] + n[NEAR_POOR], households),
            "rate_target": rate_target,
        }

    table_rows = []
    for u in units.ids:
        table_rows.append(
            {
                "key": str(u),
                "unit": units.name(u),
                **figures(at_start[u], at_now[u], unit_households[u], u, []),
            }
        )
    start_all, now_all = Counter(), Counter()
    for c in at_start.values():
        start_all.update(c)
    for c in at_now.values():
        now_all.update(c)
    own = area.pk if area.kind != Area.Kind.VILLAGE else None
    total = figures(start_all, now_all, all_households, own, units.ids)
    if area.kind == Area.Kind.VILLAGE:
        table_rows = []
        total = figures(start_all, now_all, all_households, area.pk, [])
    table_rows.append(_total(area.name, **total))

    poor_g, near_g, rate_g = _("Hộ nghèo"), _("Hộ cận nghèo"), _("Tỷ lệ nghèo đa chiều")
    appendix = Table(
        key="appendix",
        title=_("Chỉ tiêu giảm hộ nghèo, hộ cận nghèo năm %(year)s và kết quả đến nay")
        % {"year": year},
        columns=[
            Column("unit", units.heading),
            Column("households", _("Tổng số hộ"), "int"),
            Column("poor_start", _("Đầu năm"), "int", poor_g),
            Column("poor_target", _("Chỉ tiêu giảm"), "number", poor_g),
            Column("poor_now", _("Hiện nay"), "int", poor_g),
            Column("poor_done", _("Đã giảm"), "int", poor_g),
            Column("poor_achieved", _("% đạt"), "percent", poor_g),
            Column("near_start", _("Đầu năm"), "int", near_g),
            Column("near_target", _("Chỉ tiêu giảm"), "number", near_g),
            Column("near_now", _("Hiện nay"), "int", near_g),
            Column("near_done", _("Đã giảm"), "int", near_g),
            Column("near_achieved", _("% đạt"), "percent", near_g),
            Column("rate_start", _("Đầu năm"), "percent", rate_g),
            Column("rate_now", _("Hiện nay"), "percent", rate_g),
            Column("rate_target", _("Chỉ tiêu"), "percent", rate_g),
        ],
        rows=table_rows,
    )

    # Section II.2.2: the area's own targets (or, for a district, the sum of its communes').
    on_lists_now = sum(1 for s in now.values() if s[0] in ON_LISTS)
    latest_record: dict[int, dict] = {}
    for record in progress_rows:
        latest_record[record["target_id"]] = record  # ordered by date: the last one wins
    service_rows = []
    own_targets = [t for t in targets if t["area_id"] == area.pk]
    for metric in Target.Metric:
        if metric in (
            Target.Metric.POOR_REDUCTION,
            Target.Metric.NEAR_POOR_REDUCTION,
            Target.Metric.POVERTY_RATE,
        ):
            continue
        target = next((t for t in own_targets if t["metric"] == metric), None)
        if target is None:
            continue
        code = Target.REVIEW_INDICATOR.get(metric)
        if code is not None:
            covered = on_lists_now - deprived_now[code]
            value = percent(covered, on_lists_now)
            how = _(
                "Tính từ kết quả rà soát: %(covered)s/%(all)s hộ nghèo, cận nghèo hiện nay không "
                "thiếu hụt chỉ số %(code)s."
            ) % {"covered": format_int(covered), "all": format_int(on_lists_now), "code": code}
        elif target["id"] in latest_record:
            record = latest_record[target["id"]]
            value = record["value"]
            how = _("Số liệu nhập đến ngày %(day)s: %(source)s") % {
                "day": record["as_of"].strftime("%d/%m/%Y"),
                "source": record["source"],
            }
        else:
            value, how = None, _("Chưa có số liệu thực hiện (nhập tại trang chỉ tiêu).")
        is_percent = metric in Target.PERCENT_METRICS
        service_rows.append(
            {
                "key": metric.value,
                "metric": str(metric.label),
                "target": target["value"],
                "value": value,
                "unit": "%" if is_percent else _("lao động"),
                "achieved": _ratio(value, target["value"]) if value is not None else None,
                "how": how,
                "source": target["source"],
            }
        )
    services_table = Table(
        key="services",
        title=_("Các chỉ tiêu giải quyết mức độ thiếu hụt các dịch vụ xã hội cơ bản"),
        columns=[
            Column("metric", _("Chỉ tiêu")),
            Column("target", _("Kế hoạch"), "number"),
            Column("value", _("Thực hiện"), "number"),
            Column("unit", _("Đơn vị")),
            Column("achieved", _("% so với kế hoạch"), "percent"),
            Column("how", _("Nguồn số liệu thực hiện")),
        ],
        rows=service_rows,
    )
    footnotes = [
        _(
            "Đầu năm: kết quả rà soát định kỳ cuối năm %(previous)s. Hiện nay: kết quả mới nhất "
            "của từng hộ trong năm %(year)s (kể cả rà soát thường xuyên)."
        )
        % {"previous": year - 1, "year": year},
        _("Tỷ lệ toàn địa bàn trên %(source)s; theo đơn vị: sổ theo dõi của hệ thống.")
        % {"source": denominator_source},
        _(
            "Chỉ tiêu tỷ lệ: lấy theo kế hoạch nếu có, nếu không thì tính từ số hộ đầu năm trừ "
            "chỉ tiêu giảm."
        ),
    ]
    if not targets:
        footnotes.insert(
            0,
            _("Chưa có chỉ tiêu năm %(year)s cho %(area)s.") % {"year": year, "area": area.name},
        )
    return Report(
        slug="progress",
        title=_("Chỉ tiêu giảm nghèo năm %(year)s và kết quả thực hiện") % {"year": year},
        area=area,
        year=year,
        tables=[appendix, services_table],
        footnotes=footnotes,
        provenance={"targets": len(targets), "households": all_households},
        landscape=True,
    )


# --- reconciliation -------------------------------------------------------------------------

EQUAL, ROUNDING, WRONG, MISSING = "equal", "rounding", "wrong", "missing"
VERDICT_LABELS = {
    EQUAL: gettext_lazy("Khớp"),
    ROUNDING: gettext_lazy("Lệch do làm tròn"),
    WRONG: gettext_lazy("Sai"),
    MISSING: gettext_lazy("Không có số liệu tính"),
}


def row_key(row: dict) -> str:
    return str(row.get("key") or row.get("code") or "")


def cells_of(report: Report) -> dict[tuple[str, str], tuple[Table, dict, Column]]:
    """Every numeric cell of a report, addressed by (row key, column key)."""
    cells = {}
    for table in report.tables:
        for row in table.rows:
            for column in table.columns:
                if column.numeric:
                    cells[(row_key(row), column.key)] = (table, row, column)
    return cells


def _baseline_exact(report: Report) -> dict[tuple[str, str], Fraction]:
    """The unrounded percentages of the baseline, from its own counts (to tell a rounding
    difference from a wrong figure)."""
    summary = {r["key"]: r for r in report.table("summary").rows}
    whole = summary["all"]["households"]
    exact = {}
    for key in ("poor_and_near_poor", "poor", "near_poor"):
        if whole:
            exact[(key, "rate")] = Fraction(summary[key]["households"] * 100, whole)
    for row in report.table("indicators").rows:
        for col, base in (("poor_rate", "poor"), ("near_poor_rate", "near_poor")):
            total = summary[base]["households"]
            if total:
                exact[(row["code"], col)] = Fraction(row[base] * 100, total)
    return exact


EXACT_VALUES = {"baseline": _baseline_exact}


def decimals_of(text: str) -> int:
    """How many decimals a figure was written with ("37,75" → 2, "100" → 0)."""
    text = text.strip().replace("%", "").strip()
    for mark in (",", "."):
        if mark in text:
            tail = text.rsplit(mark, 1)[1]
            # "1.295" groups thousands; a decimal part has at most two or three digits
            if mark == "." and len(tail) == 3 and "," not in text:
                return 0
            return len(tail)
    return 0


def verdict(stated: Decimal, text: str, computed, column: Column, exact: Fraction | None) -> str:
    """equal, rounding (the stated figure is the exact value rounded another way, or to fewer
    decimals) or wrong."""
    if computed is None:
        return MISSING
    if Decimal(stated) == Decimal(computed):
        return EQUAL
    if column.kind != "percent":
        return WRONG
    places = decimals_of(text)
    unit = Fraction(1, 10**places)
    if exact is not None:
        return ROUNDING if abs(Fraction(stated) - exact) < unit else WRONG
    return ROUNDING if abs(Fraction(stated) - Fraction(computed)) <= unit else WRONG


@register(
    "reconciliation",
    title=gettext_lazy("Đối chiếu số liệu văn bản nêu với số liệu tính từ dữ liệu"),
    options=("document",),
)
def reconciliation(area: Area, year: int, document: int | str | None = None) -> Report:
    """Each figure a document states beside the one computed from the data, marked equal,
    rounding difference or wrong."""
    documents = StatedDocument.objects.filter(area=area, year=year).prefetch_related("figures")
    if document not in (None, ""):
        if not str(document).isdigit():
            raise ReportError(_("Mã văn bản không hợp lệ: %(v)s."), params={"v": document})
        documents = documents.filter(pk=int(document))
    documents = list(documents.order_by("reference"))
    if not documents:
        raise ReportError(
            _(
                "Chưa có số liệu văn bản nào của %(area)s năm %(year)s để đối chiếu; hãy nhập "
                "tại trang Đối chiếu số liệu."
            ),
            params={"area": area.name, "year": year},
        )
    built: dict[str, Report] = {}
    tables, tally = [], Counter()
    for doc in documents:
        spec_build = REPORT_BUILDERS_FOR_RECONCILIATION.get(doc.report)
        if spec_build is None:
            raise ReportError(
                _("Không đối chiếu được với báo cáo “%(slug)s”."), params={"slug": doc.report}
            )
        if doc.report not in built:
            built[doc.report] = spec_build(area, year)
        computed_report = built[doc.report]
        cells = cells_of(computed_report)
        exact = EXACT_VALUES.get(doc.report, lambda r: {})(computed_report)
        rows = []
        for figure in doc.figures.all():
            table, row, column = cells.get((figure.row, figure.column), (None, None, None))
            computed = row.get(column.key) if row is not None else None
            mark = (
                verdict(
                    figure.value,
                    figure.text,
                    computed,
                    column,
                    exact.get((figure.row, figure.column)),
                )
                if column is not None
                else MISSING
            )
            tally[mark] += 1
            label = row.get("label") or row.get("indicator") or row_key(row) if row else figure.row
            if row is not None and row.get("code"):
                label = f"{row['code']} {label}"
            rows.append(
                {
                    "key": f"{figure.row}/{figure.column}",
                    "row": label,
                    "column": (f"{column.group} – " if column and column.group else "")
                    + (column.label if column else figure.column),
                    "stated": figure.text,
                    "computed": column.format(computed) if column else "–",
                    "difference": (
                        Decimal(figure.value) - Decimal(computed) if computed is not None else None
                    ),
                    "verdict": str(VERDICT_LABELS[mark]),
                    "_verdict": mark,
                    "_style": "" if mark == EQUAL else mark,
                }
            )
        tables.append(
            Table(
                key=f"document_{doc.pk}",
                title=_("Đối chiếu: %(reference)s") % {"reference": doc.reference},
                columns=[
                    Column("row", _("Chỉ tiêu"), width=27),
                    Column("column", _("Cột"), width=25),
                    Column("stated", _("Văn bản nêu"), width=11),
                    Column("computed", _("Tính từ dữ liệu"), width=12),
                    Column("difference", _("Chênh lệch"), "decimal", width=11),
                    Column("verdict", _("Kết luận"), width=14),
                ],
                rows=rows,
            )
        )
    return Report(
        slug="reconciliation",
        title=_("Đối chiếu số liệu năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=[
            _(
                "Khớp: bằng số tính được. Lệch do làm tròn: con số văn bản nêu là giá trị chính "
                "xác được làm tròn cách khác (ví dụ cắt bỏ thay vì làm tròn lên) hoặc ít chữ số "
                "thập phân hơn, sai khác nhỏ hơn một đơn vị của chữ số cuối. Sai: các trường hợp "
                "còn lại."
            ),
            _("Tổng hợp: %(equal)s khớp, %(rounding)s lệch do làm tròn, %(wrong)s sai.")
            % {"equal": tally[EQUAL], "rounding": tally[ROUNDING], "wrong": tally[WRONG]},
        ],
        provenance={k: tally[k] for k in (EQUAL, ROUNDING, WRONG, MISSING)},
    )


REPORT_BUILDERS_FOR_RECONCILIATION = {"baseline": baseline}


# --- communes side by side ------------------------------------------------------------------


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
    for row in (
        Assessment.objects.periodic_of_year(year)
        .within(area)
        .values("cycle__commune_id", "household_class")
        .annotate(n=Count("id"), m=Sum("member_count"))
        .order_by()
    ):
        totals[row["cycle__commune_id"]][row["household_class"]] = row["n"]
        members[row["cycle__commune_id"]][row["household_class"]] = row["m"] or 0
    registry = _registry_counts(area, year, "commune_id")
    stated = dict(
        HouseholdTotal.objects.filter(area_id__in=units.ids, year=year).values_list(
            "area_id", "households"
        )
    )
    rows = []
    grand = Counter()
    for commune_id in units.ids:
        t = totals.get(commune_id)
        households = stated.get(commune_id, registry[commune_id])
        poor, near = (t or Counter())[POOR], (t or Counter())[NEAR_POOR]
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
            "status": "" if t else _("Chưa có kết quả rà soát"),
            "_area_id": commune_id,
        }
        if t:
            grand.update({"households": households, "poor": poor, "near": near})
            grand["members"] += members[commune_id][POOR]
        rows.append(row)
    if not any(totals.values()):
        raise _missing_review(area, year)
    rows.append(
        _total(
            _("Các xã có số liệu"),
            households=grand["households"],
            poor=grand["poor"],
            poor_members=grand["members"],
            poor_rate=percent(grand["poor"], grand["households"]),
            near_poor=grand["near"],
            near_poor_rate=percent(grand["near"], grand["households"]),
            both_rate=percent(grand["poor"] + grand["near"], grand["households"]),
            status="",
        )
    )
    poor_g, near_g = _("Hộ nghèo"), _("Hộ cận nghèo")
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
                    Column("status", _("Ghi chú")),
                ],
                rows=rows,
            )
        ],
        footnotes=[
            _(
                "Tổng số hộ: số hộ khai báo của xã nếu có, nếu không thì số hộ trong sổ theo dõi "
                "tại 31/12/%(year)s."
            )
            % {"year": year},
        ],
        provenance={"communes": len(units.ids)},
        landscape=True,
    )


def expected_rows(slug: str, area: Area, year: int) -> int:
    """A cheap estimate of a report's rows (at most one COUNT query), to refuse in the browser a
    request that would take too long to render."""
    if slug == "lists":
        return lists_row_count(area, year)
    # by-unit tables: a few rows per village (commune) or per commune (district, province)
    below = Area.objects.filter(path__startswith=area.path)
    units = below.filter(
        kind=Area.Kind.COMMUNE
        if area.kind in (Area.Kind.PROVINCE, Area.Kind.DISTRICT)
        else Area.Kind.VILLAGE
    ).count()
    return 4 * units + 40
