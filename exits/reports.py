"""The exit pathway reports:

- ``exits``: the pathway list, every poor and near-poor household ranked by the effort to change
  class, with what it lacks, the support that covers it and its cost, and whether it is planned;
  with the planned support against the sub-projects' budget lines;
- ``exits_planned``: "Danh sách hộ dự kiến thoát nghèo năm …", by village with the helpers, as
  the commune signs it;
- ``exits_outcome``: planned against actual exits at the year's review, by village and by
  sub-project (cost per household lifted).
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from households.reports.common import total_line
from projects.models import SubProject
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, Report, Table
from reports.units import Units

from . import outcome as outcomes
from .models import PlannedSupport
from .queries import budget_check, pathway_rows

CLASS_LABELS = {"poor": gettext_lazy("Nghèo"), "near_poor": gettext_lazy("Cận nghèo")}


def _class_label(household_class) -> str:
    return str(CLASS_LABELS.get(str(household_class), ""))


def _commune(area: Area) -> Area:
    commune = area.commune
    if commune is None:
        raise ReportError(
            _("Lộ trình thoát nghèo được lập theo từng xã: hãy chọn một xã (%(area)s là cấp trên).")
            % {"area": area.name}
        )
    return commune


def _village_of(area: Area) -> Area | None:
    return area if area.kind == Area.Kind.VILLAGE else None


def _no_baseline(area: Area, year: int) -> ReportError:
    return ReportError(
        _(
            "Chưa có số liệu chính thức năm %(before)s của %(area)s (đợt rà soát cuối năm "
            "%(before)s chưa chốt): lộ trình năm %(year)s lập từ số liệu đó."
        ),
        params={"before": year - 1, "area": area.name, "year": year},
    )


@register(
    "exits",
    title=gettext_lazy("Lộ trình thoát nghèo: hộ nghèo, cận nghèo xếp theo mức cần hỗ trợ"),
    personal_tables=("pathways",),
    review_offset=-1,
)
def exits(area: Area, year: int) -> Report:
    commune = _commune(area)
    rows = pathway_rows(commune, year, village=_village_of(area))
    if not rows:
        raise _no_baseline(area, year)
    units = Units(area)
    table_rows = []
    for rank, row in enumerate(rows, start=1):
        found, pathway = row.needs, row.pathway
        items = [f"{c.norm.item} ({c.need or _('thu nhập')})" for c in row.covered]
        if row.uncovered:
            missing = ", ".join(n or _("thu nhập") for n in row.uncovered)
            items.append(_("chưa có định mức: %(needs)s") % {"needs": missing})
        table_rows.append(
            {
                "key": row.household.code,
                "rank": rank,
                "village": units.village_label(row.household.village_id),
                "code": row.household.code,
                "head": row.household.head_name,
                "class": _class_label(found.household_class),
                "members": row.result.member_count,
                "to_lift": found.deprivations_to_lift,
                "deprived": ", ".join(found.deprived),
                "gap_month": found.income_gap_month,
                "gap_year": found.income_gap_year,
                "cost": row.cost if row.covered else None,
                "support": "; ".join(items),
                "registered": _("Có") if pathway and pathway.registered else "",
                "planned": _("Có") if pathway and pathway.planned else "",
                "helper": pathway.helper if pathway and pathway.planned else "",
            }
        )
    pathways = Table(
        key="pathways",
        title=_("Hộ nghèo, cận nghèo năm %(before)s, xếp theo mức cần hỗ trợ để chuyển loại")
        % {"before": year - 1},
        columns=[
            Column("rank", _("TT"), "int", width=4),
            Column("village", _("Thôn"), width=9),
            Column("code", _("Mã hộ"), width=9),
            Column("head", _("Chủ hộ"), width=14),
            Column("class", _("Loại"), width=6),
            Column("members", _("Số khẩu"), "int", width=5),
            Column("to_lift", _("Chỉ số cần giảm"), "int", width=6),
            Column("deprived", _("Chỉ số thiếu hụt"), width=10),
            Column("gap_month", _("Thiếu thu nhập (đ/người/tháng)"), "int", width=9),
            Column("gap_year", _("Thiếu thu nhập cả hộ (đ/năm)"), "int", width=10),
            Column("cost", _("Kinh phí hỗ trợ ước tính (đ)"), "int", width=10),
            Column("support", _("Hỗ trợ đáp ứng"), width=18),
            Column("registered", _("Đăng ký thoát nghèo"), width=6),
            Column("planned", _("Dự kiến thoát nghèo"), width=6),
            Column("helper", _("Người giúp đỡ"), width=12),
        ],
        rows=table_rows,
    )
    budget_rows = budget_check(commune, year)
    tables = [pathways]
    if budget_rows:
        tables.append(
            Table(
                key="budget",
                title=_("Kinh phí hỗ trợ dự kiến so với kế hoạch vốn của tiểu dự án"),
                columns=[
                    Column("subproject", _("Tiểu dự án")),
                    Column("planned", _("Hỗ trợ dự kiến (đ)"), "int"),
                    Column("allocated", _("Kế hoạch vốn (đ)"), "int"),
                    Column("shortfall", _("Còn thiếu (đ)"), "int"),
                    Column("flag", _("Kiểm tra")),
                ],
                rows=budget_rows,
            )
        )
    return Report(
        slug="exits",
        title=_("Lộ trình thoát nghèo năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=[
            _(
                "Xếp theo: số chỉ số thiếu hụt cần giảm để chuyển loại, rồi mức thiếu thu nhập "
                "cả hộ trong năm, rồi kinh phí hỗ trợ ước tính. Hộ nghèo chuyển sang cận nghèo "
                "khi còn thiếu hụt dưới 3 chỉ số; hộ nghèo, cận nghèo ra khỏi danh sách khi thu "
                "nhập vượt chuẩn."
            ),
            _(
                "Kinh phí ước tính: định mức rẻ nhất của mỗi chỉ số cần giảm (hộ nghèo), hoặc "
                "của hỗ trợ sinh kế (hộ cận nghèo); định mức theo người nhân với số khẩu. Nhu "
                "cầu chưa có định mức được ghi rõ và không tính vào kinh phí."
            ),
        ],
        provenance={"from": year - 1},
        landscape=True,
    )


@register(
    "exits_planned",
    title=gettext_lazy("Danh sách hộ dự kiến thoát nghèo"),
    personal_tables=("planned",),
    review_offset=-1,
)
def exits_planned(area: Area, year: int) -> Report:
    commune = _commune(area)
    rows = [r for r in pathway_rows(commune, year, village=_village_of(area)) if r.pathway]
    rows = [r for r in rows if r.pathway.planned]
    if not rows:
        raise ReportError(
            _("%(area)s chưa có hộ dự kiến thoát nghèo năm %(year)s."),
            params={"area": area.name, "year": year},
        )
    units = Units(area)
    order = {v: i for i, v in enumerate(units.village_ids)}
    rows.sort(key=lambda r: (order.get(r.household.village_id, 0), r.household.code))
    supports = defaultdict(list)
    for item in PlannedSupport.objects.filter(pathway__in=[r.pathway for r in rows]).select_related(
        "norm"
    ):
        supports[item.pathway_id].append(item)
    table_rows, number, last = [], 0, None
    for row in rows:
        if row.household.village_id != last:
            number, last = 0, row.household.village_id
        number += 1
        items = supports.get(row.pathway.pk, [])
        table_rows.append(
            {
                "key": row.household.code,
                "village": units.village_label(row.household.village_id),
                "number": number,
                "code": row.household.code,
                "head": row.household.head_name,
                "class": _class_label(row.needs.household_class),
                "members": row.result.member_count,
                "support": "; ".join(i.norm.item for i in items),
                "amount": sum(i.amount for i in items),
                "helper": row.pathway.helper,
            }
        )
    return Report(
        slug="exits_planned",
        title=_("Danh sách hộ dự kiến thoát nghèo năm %(year)s") % {"year": year},
        area=area,
        year=year,
        document_type=_("DANH SÁCH"),
        symbol="DS",
        tables=[
            Table(
                key="planned",
                title=_("Hộ dự kiến thoát nghèo, người giúp đỡ và hỗ trợ dự kiến"),
                group_by="village",
                columns=[
                    Column("village", _("Thôn"), width=0),
                    Column("number", _("STT"), "int", width=5),
                    Column("code", _("Mã hộ"), width=10),
                    Column("head", _("Họ và tên chủ hộ"), width=20),
                    Column("class", _("Loại hộ"), width=8),
                    Column("members", _("Số khẩu"), "int", width=6),
                    Column("support", _("Hỗ trợ dự kiến"), width=22),
                    Column("amount", _("Kinh phí (đ)"), "int", width=11),
                    Column("helper", _("Người, tổ chức giúp đỡ"), width=18),
                ],
                rows=table_rows,
            )
        ],
        provenance={"from": year - 1},
        landscape=True,
    )


@register(
    "exits_outcome",
    title=gettext_lazy("Kết quả thoát nghèo so với dự kiến"),
)
def exits_outcome(area: Area, year: int) -> Report:
    _commune(area)
    rows = outcomes.outcomes(area, year)
    if not any(r.after for r in rows):
        raise ReportError(
            _("Chưa có kết quả rà soát năm %(year)s của %(area)s để so với dự kiến."),
            params={"year": year, "area": area.name},
        )
    units = Units(area)
    tallies = outcomes.by_village(rows)
    village_rows = []
    for village_id in units.village_ids:
        t = tallies.get(village_id, outcomes.Tally())
        village_rows.append(
            {
                "key": str(village_id),
                "unit": units.name(village_id),
                "planned": t.planned,
                "planned_escaped": t.planned_escaped,
                "not_escaped": t.planned - t.planned_escaped,
                "fell_back": t.planned_fell_back,
                "unplanned_escaped": t.unplanned_escaped,
            }
        )
    totals = {
        k: sum(r[k] for r in village_rows)
        for k in ("planned", "planned_escaped", "not_escaped", "fell_back", "unplanned_escaped")
    }
    village_rows.append(total_line(_("Tổng cộng"), **totals))
    costs = outcomes.by_subproject(rows, year)
    names = dict(
        SubProject.objects.filter(pk__in=[c.subproject_id for c in costs]).values_list("pk", "code")
    )
    cost_rows = [
        {
            "key": names[c.subproject_id],
            "subproject": names[c.subproject_id],
            "households": c.households,
            "lifted": c.lifted,
            "delivered": c.delivered,
            "per_lifted": c.per_household_lifted,
        }
        for c in costs
    ]
    tables = [
        Table(
            key="villages",
            title=_("Hộ dự kiến thoát nghèo và kết quả rà soát cuối năm"),
            columns=[
                Column("unit", units.heading),
                Column("planned", _("Dự kiến thoát"), "int"),
                Column("planned_escaped", _("Đã thoát"), "int"),
                Column("not_escaped", _("Chưa thoát"), "int"),
                Column("fell_back", _("Trong đó: tụt loại"), "int"),
                Column("unplanned_escaped", _("Thoát ngoài dự kiến"), "int"),
            ],
            rows=village_rows,
        )
    ]
    if cost_rows:
        tables.append(
            Table(
                key="subprojects",
                title=_("Hỗ trợ đã trao cho hộ dự kiến thoát nghèo, theo tiểu dự án"),
                columns=[
                    Column("subproject", _("Tiểu dự án")),
                    Column("households", _("Số hộ được hỗ trợ"), "int"),
                    Column("lifted", _("Trong đó: đã thoát"), "int"),
                    Column("delivered", _("Giá trị hỗ trợ (đ)"), "int"),
                    Column("per_lifted", _("Chi phí cho mỗi hộ thoát (đ)"), "int"),
                ],
                rows=cost_rows,
            )
        )
    return Report(
        slug="exits_outcome",
        title=_("Kết quả thoát nghèo năm %(year)s so với dự kiến") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=[
            _(
                "Đã thoát: hộ nghèo thành cận nghèo hoặc ra khỏi danh sách, hộ cận nghèo ra khỏi "
                "danh sách, theo kết quả rà soát cuối năm %(year)s (cùng cách tính với báo cáo "
                "biến động). Tụt loại: hộ cận nghèo thành hộ nghèo."
            )
            % {"year": year},
            _(
                "Chi phí cho mỗi hộ thoát = giá trị hỗ trợ của tiểu dự án cho các hộ dự kiến "
                "trong năm / số hộ trong số đó đã thoát."
            ),
        ],
        provenance={"from": year - 1, "to": year},
    )
