"""``review_households``: the list of households to review (danh sách hộ cần rà soát) of a
periodic review: the households on the registry at its reference date, by village, with each
one's previous result and what the cycle records about it."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int
from households.models import Household, ReviewExemption
from reports.documents import in_running_text
from reports.registry import register
from reports.tables import Column, Table

from .common import (
    NEAR_POOR,
    POOR,
    ReviewDocument,
    class_label,
    common_values,
    cycle_for,
    latest_before,
    only_if_unset,
    registry,
    village_order,
)

SLUG = "review_households"


def row_count(area: Area, year: int) -> int:
    return Household.objects.within(area).filter(left_registry_on__isnull=True).count()


@register(
    SLUG,
    title=gettext_lazy("Danh sách hộ cần rà soát (rà soát định kỳ)"),
    personal_tables=("households",),
    long_table=True,
    row_count=row_count,
)
def review_households(area: Area, year: int) -> ReviewDocument:
    cycle = cycle_for(area, year)
    households = list(
        registry(cycle, area)
        .annotate(members_now=Count("members"))
        .values(
            "id",
            "village_id",
            "code",
            "head_name",
            "ethnicity",
            "members_now",
            "joined_registry_on",
            "joined_how",
        )
        .order_by()
    )
    ids = [h["id"] for h in households]
    previous = latest_before(cycle, ids)
    exemptions = dict(
        ReviewExemption.objects.filter(cycle=cycle, household_id__in=ids).values_list(
            "household_id", "reason"
        )
    )
    reasons = dict(ReviewExemption.Reason.choices)
    joined = dict(Household.Joined.choices)
    units, order = village_order(area)
    households.sort(key=lambda h: (order.get(h["village_id"], 0), h["code"]))
    start = cycle.reference_date.replace(month=1, day=1)
    rows, number, last_village = [], 0, None
    per_village: dict[int, Counter] = defaultdict(Counter)
    for h in households:
        if h["village_id"] != last_village:
            number, last_village = 0, h["village_id"]
        number += 1
        before = previous.get(h["id"])
        klass = before.household_class if before else None
        notes = []
        if h["joined_registry_on"] and h["joined_registry_on"] >= start:
            notes.append(str(joined.get(h["joined_how"], "")))
        if h["id"] in exemptions:
            notes.append(str(reasons.get(exemptions[h["id"]], "")))
        per_village[h["village_id"]]["all"] += 1
        per_village[h["village_id"]][klass] += 1
        rows.append(
            {
                "key": h["code"],
                "village": units.village_label(h["village_id"]),
                "number": number,
                "code": h["code"],
                "head": h["head_name"],
                "ethnicity": h["ethnicity"],
                "members": h["members_now"],
                "previous": class_label(klass) or _("Chưa có kết quả"),
                "previous_year": before.cycle.year if before else None,
                "note": "; ".join(n for n in notes if n),
            }
        )
    listing = Table(
        key="households",
        title=_("Danh sách hộ cần rà soát năm %(year)s") % {"year": year},
        group_by="village",
        columns=[
            Column("village", _("Thôn / tổ dân phố")),
            Column("number", _("STT"), "int"),
            Column("code", _("Mã hộ")),
            Column("head", _("Họ và tên chủ hộ")),
            Column("ethnicity", _("Dân tộc")),
            Column("members", _("Số khẩu"), "int"),
            Column("previous", _("Kết quả rà soát lần trước")),
            Column("previous_year", _("Năm")),
            Column("note", _("Ghi chú")),
        ],
        rows=rows,
    )
    villages = [v for v in units.village_ids if per_village.get(v)]
    summary = Table(
        key="summary",
        title=_("Số hộ cần rà soát theo thôn"),
        columns=[
            Column("unit", _("Thôn / tổ dân phố")),
            Column("households", _("Số hộ cần rà soát"), "int"),
            Column("poor", _("Trong đó: hộ nghèo lần trước"), "int"),
            Column("near_poor", _("Hộ cận nghèo lần trước"), "int"),
        ],
        rows=[
            {
                "key": str(v),
                "unit": units.village_label(v),
                "households": per_village[v]["all"],
                "poor": per_village[v][POOR],
                "near_poor": per_village[v][NEAR_POOR],
            }
            for v in villages
        ]
        + [
            {
                "key": "total",
                "unit": _("Tổng cộng"),
                "_style": "total",
                "households": len(rows),
                "poor": sum(per_village[v][POOR] for v in villages),
                "near_poor": sum(per_village[v][NEAR_POOR] for v in villages),
            }
        ],
    )
    values = common_values(cycle)
    return ReviewDocument(
        slug=SLUG,
        title=_("Danh sách hộ cần rà soát năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[summary, listing],
        footnotes=[
            _(
                "Hộ trong sổ theo dõi của %(xa)s tại ngày chốt số liệu %(day)s: %(n)s hộ. Kết quả "
                "lần trước là kết quả rà soát gần nhất của hộ trước đợt này."
            )
            % {"xa": values["xa"], "day": values["ngay_chot"], "n": format_int(len(rows))}
        ],
        provenance={"cycle": cycle.pk, "rows": len(rows)},
        landscape=True,
        document_type=_("DANH SÁCH"),
        symbol="DS",
        document_values={
            "document_year": year,
            **only_if_unset(
                area,
                SLUG,
                {
                    "title": _("Hộ gia đình cần rà soát năm %(year)s trên địa bàn %(area)s")
                    % {"year": year, "area": in_running_text(area.name)}
                },
            ),
        },
    )
