"""``progress``: the year's targets (``indicators.Target``) against the results so far (the
plan's Appendix 01 and its section II.2.2)."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int, percent
from households import standing
from households.models import Assessment, Deprivation, ReviewCycle
from indicators.models import ProgressRecord, Target
from reports.errors import ReportError
from reports.models import HouseholdTotal
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .common import (
    NEAR_POOR,
    ON_LISTS,
    POOR,
    ratio,
    registry_source,
    total_line,
)


def _previous_finalised_year(area: Area, year: int) -> int | None:
    return (
        ReviewCycle.objects.filter(
            kind=ReviewCycle.Kind.PERIODIC, status=ReviewCycle.Status.FINALISED, year__lt=year
        )
        .covering(area)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def _latest_status(area: Area, year: int, previous: int | None):
    """Each household's class at the start of ``year`` (the figures of the previous finalised
    periodic review, households/standing.py) and now (its latest result in ``year``: the year's
    figures so far and the ad-hoc results, else the start), as {household: (class, village,
    assessment)}; a household not on the registry of ``year``'s figures is not counted now.
    Also the condition that selects every result read (for the deprivations)."""
    fields = (
        "id",
        "household_id",
        "household_class",
        "village_id",
        "household__left_registry_on",
        "household__joined_registry_on",
        "_day",
    )
    day = standing.reference_day(year, "household__commune_id")
    start_condition = (
        standing.year_condition(previous, finalised_only=True) if previous else Q(pk__in=[])
    )
    start_rows = (
        list(
            Assessment.objects.within(area)
            .filter(start_condition)
            .annotate(_day=day)
            .values_list(*fields)
            .order_by()
        )
        if previous
        else []
    )
    year_figures = standing.year_condition(year)
    now_condition = year_figures | Q(cycle__year=year, cycle__kind=ReviewCycle.Kind.AD_HOC)
    now_rows = list(
        Assessment.objects.within(area)
        .filter(now_condition)
        .annotate(
            _day=day,
            _periodic=ExpressionWrapper(year_figures, output_field=BooleanField()),
        )
        .values_list(*fields, "_periodic", "cycle__reference_date")
        .order_by()
    )
    start: dict[int, tuple] = {}
    now: dict[int, tuple] = {}

    def on_registry(left, joined, on) -> bool:
        return (left is None or left > on) and (joined is None or joined <= on)

    for assessment_id, household_id, klass, village_id, left, joined, on in start_rows:
        start[household_id] = (klass, village_id, assessment_id)
        if on_registry(left, joined, on):
            now[household_id] = (klass, village_id, assessment_id)
    # Later results win: a result of the year's periodic figures (a carried one too) stands on
    # the review's reference date, an ad-hoc one on its own cycle's.
    now_rows.sort(key=lambda r: (r[6] if r[7] else r[8], r[0]))
    for assessment_id, household_id, klass, village_id, left, joined, on, _p, _d in now_rows:
        if on_registry(left, joined, on):
            now[household_id] = (klass, village_id, assessment_id)
        else:
            now.pop(household_id, None)
    read = start_condition | now_condition if previous else now_condition
    return start, now, bool(start_rows or now_rows), read


@register(
    "progress",
    title=gettext_lazy("Chỉ tiêu giảm nghèo và kết quả thực hiện (phụ lục 01)"),
)
def progress(area: Area, year: int) -> Report:
    """The plan's Appendix 01 and section II.2.2: per unit, poor and near-poor households at the
    start of ``year``, the target reduction, the result so far, the rate now against the target
    rate and the share achieved; then the social-service targets against their current value."""
    previous = _previous_finalised_year(area, year)
    start, now, found, read = _latest_status(area, year, previous)
    if not found:
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
    # The start's rate over the registry of its own review, the rate now over this year's.
    years = [year] if previous is None else [previous, year]
    registry = standing.registry_counts(area, years, "village_id")
    stated = dict(
        HouseholdTotal.objects.filter(area=area, year__in=years).values_list("year", "households")
    )

    def denominator(y: int | None) -> tuple[int, str]:
        if y is None:
            return 0, ""
        if y in stated:
            return stated[y], _("số hộ khai báo năm %(year)s") % {"year": y}
        return sum(registry[y].values()), registry_source(y)

    all_households, denominator_source = denominator(year)
    start_households, start_source = denominator(previous)
    watched = [Target.REVIEW_INDICATOR[m] for m in Target.REVIEW_INDICATOR]
    now_ids = {status[2] for status in now.values() if status[0] in ON_LISTS}
    deprived_now: Counter = Counter(
        code
        for assessment_id, code in Deprivation.objects.filter(
            assessment__in=Assessment.objects.within(area).filter(
                read, household_class__in=ON_LISTS
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
    unit_households: dict[int | None, Counter] = {y: Counter() for y in years}
    for y in years:
        for village_id, n in registry[y].items():
            unit_households[y][units.unit_of.get(village_id)] += n

    def figures(
        s: Counter, n: Counter, both: tuple[int, int], own: int | None, parts: list
    ) -> dict:
        households_start, households = both

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
            rate_target = ratio(s[POOR] + s[NEAR_POOR] - poor_cut - near_cut, households)
        return {
            "households_start": households_start,
            "households": households,
            "poor_start": s[POOR],
            "poor_target": poor_cut,
            "poor_now": n[POOR],
            "poor_done": poor_done,
            "poor_achieved": ratio(poor_done, poor_cut) if poor_cut else None,
            "near_start": s[NEAR_POOR],
            "near_target": near_cut,
            "near_now": n[NEAR_POOR],
            "near_done": near_done,
            "near_achieved": ratio(near_done, near_cut) if near_cut else None,
            "rate_start": percent(s[POOR] + s[NEAR_POOR], households_start),
            "rate_now": percent(n[POOR] + n[NEAR_POOR], households),
            "rate_target": rate_target,
        }

    def unit_pair(u) -> tuple[int, int]:
        start_n = unit_households[previous][u] if previous is not None else 0
        return start_n, unit_households[year][u]

    table_rows = []
    for u in units.ids:
        table_rows.append(
            {
                "key": str(u),
                "unit": units.name(u),
                **figures(at_start[u], at_now[u], unit_pair(u), u, []),
            }
        )
    start_all, now_all = Counter(), Counter()
    for c in at_start.values():
        start_all.update(c)
    for c in at_now.values():
        now_all.update(c)
    own = area.pk if area.kind != Area.Kind.VILLAGE else None
    area_pair = (start_households, all_households)
    total = figures(start_all, now_all, area_pair, own, units.ids)
    if area.kind == Area.Kind.VILLAGE:
        table_rows = []
        total = figures(start_all, now_all, area_pair, area.pk, [])
    table_rows.append(total_line(area.name, **total))

    poor_g, near_g, rate_g = _("Hộ nghèo"), _("Hộ cận nghèo"), _("Tỷ lệ nghèo đa chiều")
    appendix = Table(
        key="appendix",
        sheet=_("Chỉ tiêu giảm nghèo"),
        title=_("Chỉ tiêu giảm hộ nghèo, hộ cận nghèo năm %(year)s và kết quả đến nay")
        % {"year": year},
        columns=[
            Column("unit", units.heading),
            Column("households_start", _("Tổng số hộ đầu năm"), "int"),
            Column("households", _("Tổng số hộ hiện nay"), "int"),
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
                "achieved": ratio(value, target["value"]) if value is not None else None,
                "how": how,
                "source": target["source"],
            }
        )
    services_table = Table(
        key="services",
        sheet=_("Chỉ tiêu dịch vụ xã hội cơ bản"),
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
            "Đầu năm: số liệu của kỳ rà soát định kỳ đã chốt gần nhất (năm %(previous)s), tỷ lệ "
            "trên tổng số hộ của kỳ đó. Hiện nay: kết quả mới nhất của từng hộ trong năm "
            "%(year)s (kể cả rà soát thường xuyên); hộ đã ra khỏi danh sách không được tính."
        )
        % {"previous": previous or "–", "year": year},
        _(
            "Tỷ lệ toàn địa bàn: đầu năm trên %(start)s; hiện nay trên %(source)s. Theo đơn vị: "
            "sổ theo dõi của hệ thống."
        )
        % {"start": start_source or "–", "source": denominator_source},
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
