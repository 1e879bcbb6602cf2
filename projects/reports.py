"""The ``projects`` report: sections III and V of the plan — who carries out which sub-project,
with which legal bases and tasks, how far the activities are, whom they reached, which deprived
households no sub-project has reached yet, and what each unit is charged with.

Built once as a :class:`reports.tables.Report` with a fixed number of queries; every format
renders the same rows.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.collation import vietnamese_key
from core.formatting import percent
from core.names import localized_name
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, MillionColumn, Report, Table, million

from .coverage import indicator_coverage
from .models import (
    Activity,
    Assignment,
    Beneficiary,
    Responsibility,
    SubProject,
    SubProjectLegalBasis,
)


def _assignments(scope: Area, year: int) -> list[Assignment]:
    return list(Assignment.objects.within(scope).for_year(year).for_listing())


def bases_by_subproject(assignments) -> dict[int, list[str]]:
    bases = defaultdict(list)
    for link in (
        SubProjectLegalBasis.objects.filter(subproject__in={a.subproject_id for a in assignments})
        .select_related("document")
        .order_by("subproject", "order", "id")
    ):
        text = link.document.citation()
        bases[link.subproject_id].append(f"{link.articles} {text}" if link.articles else text)
    return bases


def indicators_by_subproject(assignments) -> dict[int, list[str]]:
    out = defaultdict(set)
    for sp_id, code in SubProject.indicators.through.objects.filter(
        subproject_id__in={a.subproject_id for a in assignments}
    ).values_list("subproject_id", "indicator__code"):
        out[sp_id].add(code)
    return {k: sorted(v) for k, v in out.items()}


@register(
    "projects",
    title=gettext_lazy("Dự án, tiểu dự án và phân công thực hiện (mục III, V)"),
    review_offset=None,  # assignments, not review figures: never provisional
)
def projects_report(area: Area, year: int) -> Report:
    """Sections III and V for a commune (a village: its commune's programme, the village's
    beneficiaries), or for every commune below a wider area."""
    scope = area.commune or area
    assignments = _assignments(scope, year)
    if not assignments:
        raise ReportError(
            _("Chưa có phân công thực hiện dự án, tiểu dự án năm %(year)s cho %(area)s."),
            params={"year": year, "area": scope.name},
        )
    several = scope.kind != Area.Kind.COMMUNE
    tables = [
        assignment_table(assignments, year, several),
        task_table(assignments, several),
        activity_table(scope, year, several),
        beneficiary_table(area, year),
    ]
    footnotes = []
    try:
        tables.append(coverage_table(area, year))
    except ValidationError as exc:
        footnotes.extend(exc.messages)
    tables.append(responsibility_table(scope, year, several))
    samples = (
        Activity.objects.within(scope).filter(assignment__year=year, is_sample=True).exists()
        or Beneficiary.objects.within(area).filter(assignment__year=year, is_sample=True).exists()
    )
    if samples:
        footnotes.append(
            _("Có hoạt động, người thụ hưởng là dữ liệu mẫu (minh họa), không phải số liệu thật.")
        )
    return Report(
        slug="projects",
        title=_("Dự án, tiểu dự án và phân công thực hiện năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=footnotes,
        provenance={"assignments": len(assignments)},
        landscape=True,
    )


def assignment_table(assignments, year: int, several: bool) -> Table:
    """Who leads and who coordinates each sub-project (short cells; the tasks and the legal
    bases are in :func:`task_table`, one line per row, so that a long text never has to fit in
    one table row of a printed page)."""
    indicators = indicators_by_subproject(assignments)
    columns = [
        Column("project", _("Dự án")),
        Column("subproject", _("Tiểu dự án")),
        Column("lead", _("Đơn vị chủ trì")),
        Column("officer", _("Công chức tham mưu")),
        Column("coordinating", _("Đơn vị phối hợp")),
        Column("indicators", _("Chỉ số thiếu hụt giải quyết")),
    ]
    if several:
        columns.insert(0, Column("commune", _("Xã")))
    rows = []
    for a in assignments:
        sp = a.subproject
        rows.append(
            {
                "key": sp.code if not several else f"{a.commune_id}-{sp.code}",
                "commune": a.commune.name,
                "project": str(sp.project),
                "subproject": (
                    _("Tiểu dự án %(n)s: %(name)s") % {"n": sp.number, "name": sp.localized_name}
                    if sp.number is not None
                    else _("Toàn dự án")
                ),
                "code": sp.code,
                "lead": a.lead_unit.name,
                "officer": a.officer_in_charge.name if a.officer_in_charge_id else "",
                "coordinating": "; ".join(u.name for u in a.coordinating_units.all()),
                "indicators": ", ".join(indicators.get(sp.pk, [])),
            }
        )
    return Table(
        key="assignments",
        title=_("Tổ chức thực hiện các dự án, tiểu dự án năm %(year)s") % {"year": year},
        columns=columns,
        rows=rows,
    )


def task_table(assignments, several: bool) -> Table:
    """The tasks and the legal bases of each assigned sub-project, one line per row."""
    bases = bases_by_subproject(assignments)
    task_kind, basis_kind = _("Nhiệm vụ"), _("Căn cứ thực hiện")
    rows = []
    for a in assignments:
        sp = a.subproject
        lines = [(task_kind, t) for t in a.task_list()] + [
            (basis_kind, b) for b in bases.get(sp.pk, [])
        ]
        for n, (kind, text) in enumerate(lines, start=1):
            rows.append(
                {
                    "key": f"{a.commune_id}-{sp.code}-{n}",
                    "commune": a.commune.name,
                    "subproject": sp.code,
                    "kind": kind,
                    "text": text,
                }
            )
    columns = [
        Column("subproject", _("Tiểu dự án")),
        Column("kind", _("Nội dung")),
        Column("text", _("Chi tiết")),
    ]
    if several:
        columns.insert(0, Column("commune", _("Xã")))
    return Table(
        key="tasks",
        title=_("Nhiệm vụ và căn cứ thực hiện từng tiểu dự án"),
        columns=columns,
        rows=rows,
    )


def commune_order(commune: Area) -> tuple:
    """Rows of several communes by commune in Vietnamese order of their names (core.collation);
    a stable sort keeps the database's order within each commune."""
    return vietnamese_key(commune.name), commune.path


def activity_table(scope: Area, year: int, several: bool) -> Table:
    activities = (
        Activity.objects.within(scope)
        .filter(assignment__year=year)
        .select_related("assignment__subproject", "assignment__commune", "area")
        .order_by("assignment__commune__path", "assignment__subproject__code", "planned_start")
    )
    activities = sorted(activities, key=lambda act: commune_order(act.assignment.commune))
    columns = [
        Column("subproject", _("Tiểu dự án")),
        Column("title", _("Hoạt động")),
        Column("area", _("Địa bàn")),
        Column("period", _("Thời gian (kế hoạch)")),
        Column("status", _("Trạng thái")),
        Column("progress", _("Tiến độ (%)"), "int"),
        Column("result", _("Kết quả")),
    ]
    if several:
        columns.insert(0, Column("commune", _("Xã")))
    return Table(
        key="activities",
        title=_("Tiến độ các hoạt động"),
        columns=columns,
        rows=[
            {
                "key": f"activity-{act.pk}",
                "commune": act.assignment.commune.name,
                "subproject": act.assignment.subproject.code,
                "title": act.title + (_(" (dữ liệu mẫu)") if act.is_sample else ""),
                "area": act.area.name,
                "period": f"{act.planned_start:%d/%m/%Y} – {act.planned_end:%d/%m/%Y}",
                "status": act.get_status_display(),
                "progress": act.progress,
                "result": act.result,
            }
            for act in activities
        ],
    )


def beneficiary_table(area: Area, year: int) -> Table:
    grouped = (
        Beneficiary.objects.within(area)
        .filter(assignment__year=year)
        .values(
            "assignment__subproject__code",
            "assignment__subproject__name",
            "assignment__subproject__name_en",
        )
        .annotate(
            households=Count("household", distinct=True),
            records=Count("id"),
            value=Sum("value"),
        )
        .order_by("assignment__subproject__code")
    )
    rows = [
        {
            "key": g["assignment__subproject__code"],
            "subproject": f"{g['assignment__subproject__code']} · "
            f"{localized_name(g, 'assignment__subproject__name')}",
            "households": g["households"],
            "records": g["records"],
            "value": million(g["value"] or 0),
        }
        for g in grouped
    ]
    totals = (
        Beneficiary.objects.within(area)
        .filter(assignment__year=year)
        .aggregate(
            households=Count("household", distinct=True), records=Count("id"), value=Sum("value")
        )
    )
    rows.append(
        {
            "key": "total",
            "_style": "total",
            "subproject": _("Tổng cộng (một hộ có thể được nhiều tiểu dự án hỗ trợ)"),
            "households": totals["households"],
            "records": totals["records"],
            "value": million(totals["value"] or 0),
        }
    )
    return Table(
        key="beneficiaries",
        title=_("Hộ được hỗ trợ theo tiểu dự án"),
        columns=[
            Column("subproject", _("Tiểu dự án")),
            Column("households", _("Số hộ"), "int"),
            Column("records", _("Lượt hỗ trợ"), "int"),
            MillionColumn("value", _("Giá trị hỗ trợ (triệu đồng)")),
        ],
        rows=rows,
    )


def coverage_table(area: Area, year: int) -> Table:
    rows = []
    for r in indicator_coverage(area, year):
        rows.append(
            {
                "key": r.code,
                "code": r.code,
                "indicator": r.name,
                "subprojects": ", ".join(r.subprojects) or _("chưa có tiểu dự án"),
                "deprived": len(r.deprived),
                "reached": len(r.reached),
                "not_reached": len(r.not_reached),
                "reach_rate": percent(len(r.reached), len(r.deprived)) if r.addressed else None,
            }
        )
    return Table(
        key="coverage",
        sheet=_("Mức độ được hỗ trợ"),
        title=_(
            "Hộ nghèo, hộ cận nghèo thiếu hụt (cuối năm %(base)s) và mức độ được hỗ trợ năm "
            "%(year)s"
        )
        % {"base": year - 1, "year": year},
        columns=[
            Column("code", _("Chỉ số")),
            Column("indicator", _("Tên chỉ số")),
            Column("subprojects", _("Tiểu dự án giải quyết")),
            Column("deprived", _("Số hộ thiếu hụt"), "int"),
            Column("reached", _("Đã được hỗ trợ"), "int"),
            Column("not_reached", _("Chưa được hỗ trợ"), "int"),
            Column("reach_rate", _("Tỷ lệ đã hỗ trợ"), "percent"),
        ],
        rows=rows,
    )


def responsibility_table(scope: Area, year: int, several: bool) -> Table:
    """Section V: each unit's duties, one row per unit, its paragraphs in one cell (one per
    line: a page breaks them, a spreadsheet keeps them in the cell, wrapped)."""
    items = (
        Responsibility.objects.within(scope)
        .filter(year=year)
        .select_related("unit__commune")
        .order_by("unit__commune__path", "order", "id")
    )
    items = sorted(items, key=lambda item: commune_order(item.unit.commune))
    columns = [
        Column("order", _("STT")),
        Column("unit", _("Đơn vị")),
        Column("duties", _("Nhiệm vụ")),
    ]
    if several:
        columns.insert(0, Column("commune", _("Xã")))
    rows = [
        {
            "key": f"unit-{item.unit_id}",
            "commune": item.unit.commune.name,
            "order": str(item.order),
            "unit": item.title,
            "duties": "\n".join(item.paragraphs()),
        }
        for item in items
    ]
    return Table(
        key="responsibilities",
        title=_("Tổ chức thực hiện: nhiệm vụ của các đơn vị"),
        columns=columns,
        rows=rows,
    )
