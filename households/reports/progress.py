"""``progress``: the year's targets (``indicators.Target``) against the results so far (the
plan's Appendix 01 and its section II.2.2)."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int, percent
from households.models import Assessment, Deprivation, ReviewCycle
from indicators.models import ProgressRecord, Target
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .common import (
    NEAR_POOR,
    ON_LISTS,
    POOR,
    household_total,
    ratio,
    registry_counts,
    total_line,
)


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
    households_by_village = registry_counts(area, year, "village_id")
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
            rate_target = ratio(s[POOR] + s[NEAR_POOR] - poor_cut - near_cut, households)
        return {
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
    table_rows.append(total_line(area.name, **total))

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
                "achieved": ratio(value, target["value"]) if value is not None else None,
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
