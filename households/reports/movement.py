"""``movement``: what changed between two periodic reviews, by village."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from households import standing
from households.models import Assessment, ReviewCycle
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from .common import (
    NEAR_POOR,
    POOR,
    missing_review,
    total_line,
)

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
    # The start and the end are the figures of each year (households/standing.py): a household
    # kept at its previous result counts at both ends, one that left counts at neither.
    fields = ("household_id", "household_class", "village_id")
    end_rows = list(standing.year_results(year).within(area).values_list(*fields).order_by())
    if not end_rows:
        raise missing_review(area, year)
    start_rows = (
        list(standing.year_results(previous).within(area).values_list(*fields).order_by())
        if previous is not None
        else []
    )
    if not start_rows:
        raise ReportError(
            _("Không có kết quả rà soát định kỳ trước năm %(year)s của %(area)s để so sánh.")
            if previous is None
            else _("Không có kết quả rà soát định kỳ năm %(since)s của %(area)s để so sánh."),
            params={"year": year, "since": previous, "area": area.name},
        )
    earlier = set(
        Assessment.objects.filter(
            cycle__kind=ReviewCycle.Kind.PERIODIC,
            cycle__year__lt=previous,
            household_class=POOR,
        )
        .within(area)
        .values_list("household_id", flat=True)
        .order_by()
    )
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    villages: dict[int, dict[int, int]] = defaultdict(dict)
    for end, rows in ((0, start_rows), (1, end_rows)):
        for household_id, klass, village_id in rows:
            statuses[household_id][end], villages[household_id][end] = klass, village_id
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
    table_rows.append(total_line(_("Tổng cộng"), **{m: everything[m] for m in MOVES}))
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
            _(
                "Không rà soát lại: hộ đầu kỳ không có trong số liệu cuối kỳ (đã ra khỏi danh "
                "sách trước ngày chốt số liệu, hoặc chưa có kết quả). Hộ được giữ kết quả năm "
                "trước được tính theo kết quả đó."
            ),
        ],
        provenance={"from": previous, "to": year},
        landscape=True,
    )
