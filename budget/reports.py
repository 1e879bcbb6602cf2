"""The ``budget`` report: section IV of the plan, the budget and its execution.

Built once as a :class:`reports.tables.Report`; every format renders the same figures. Amounts are
shown in triệu đồng with one decimal; the data (JSON, CSV) carries the same figures as exact
decimals of millions, so nothing is lost to rounding. Each stated total is checked against the
lines it covers, and a total the lines do not make is flagged in the table and in a footnote.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, MillionColumn, Report, Table, million

from .models import BudgetLine, Execution, StatedTotal


def _execution_columns(first: Column) -> list[Column]:
    return [
        first,
        MillionColumn("allocated", _("Kinh phí được giao (triệu đồng)")),
        MillionColumn("disbursed", _("Đã giải ngân (triệu đồng)")),
        Column("rate", _("Tỷ lệ giải ngân"), "percent"),
    ]


def _execution_row(e: Execution, label_key: str, **extra) -> dict:
    return {
        label_key: e.label,
        "allocated": million(e.allocated),
        "disbursed": million(e.disbursed),
        "rate": e.rate,
        **extra,
    }


@register(
    "budget",
    title=gettext_lazy("Kinh phí và tình hình giải ngân (mục IV)"),
    review_offset=None,  # money, not review figures: never provisional
)
def budget_report(area: Area, year: int) -> Report:
    """Section IV for ``area`` (a commune, its village's commune, or every commune below a wider
    area) and ``year``: lines, execution per source and per sub-project, stated-total checks."""
    scope = area.commune or area
    lines = BudgetLine.objects.within(scope).for_year(year)
    rows = list(lines.for_listing())
    checks = StatedTotal.objects.within(scope).filter(year=year).checked()
    if not rows and not checks:
        raise ReportError(
            _("Chưa có kinh phí năm %(year)s cho %(area)s."),
            params={"year": year, "area": scope.name},
        )
    several = len({line.commune_id for line in rows}) > 1 or scope.kind != Area.Kind.COMMUNE
    line_columns = [
        Column("subproject", _("Dự án, tiểu dự án")),
        Column("source", _("Nguồn vốn")),
        Column("kind", _("Loại vốn")),
        MillionColumn("allocated", _("Kinh phí được giao (triệu đồng)")),
        MillionColumn("disbursed", _("Đã giải ngân (triệu đồng)")),
        Column("rate", _("Tỷ lệ giải ngân"), "percent"),
        Column("document", _("Văn bản giao vốn")),
    ]
    if several:
        line_columns.insert(0, Column("commune", _("Xã")))
    line_rows = [
        {
            "key": f"line-{line.pk}",
            "commune": line.commune.name,
            "subproject": str(line.subproject) if line.subproject_id else _("Chung"),
            "source": line.source.name,
            "kind": line.get_kind_display(),
            "allocated": million(line.allocated),
            "disbursed": million(line.disbursed),
            "rate": line.rate,
            "document": line.document,
        }
        for line in rows
    ]
    total = _sum(rows)
    line_rows.append(_execution_row(total, "subproject", key="total", _style="total"))
    tables = [
        Table(
            key="lines",
            title=_("Kinh phí thực hiện năm %(year)s") % {"year": year},
            columns=line_columns,
            rows=line_rows,
        ),
        _grouped(rows, "source", _("Theo nguồn vốn"), Column("source", _("Nguồn vốn"))),
        _grouped(
            rows, "subproject", _("Theo dự án, tiểu dự án"), Column("subproject", _("Tiểu dự án"))
        ),
    ]
    footnotes = [_("Đơn vị: triệu đồng; tỷ lệ giải ngân = đã giải ngân / được giao.")]
    if checks:
        tables.append(checks_table(checks, several=several))
        footnotes += [c.message() for c in checks if not c.agrees]
    if lines.filter(disbursements__is_sample=True).exists():
        footnotes.append(
            _("Có khoản giải ngân là dữ liệu mẫu (minh họa), không phải số liệu thật.")
        )
    return Report(
        slug="budget",
        title=_("Kinh phí thực hiện Chương trình năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=footnotes,
        provenance={
            "lines": len(rows),
            "allocated_dong": total.allocated,
            "disbursed_dong": total.disbursed,
            "stated_totals_disagreeing": sum(1 for c in checks if not c.agrees),
        },
    )


def _sum(rows) -> Execution:
    return Execution(
        None,
        _("Tổng cộng"),
        sum(line.allocated for line in rows),
        sum(line.disbursed for line in rows),
    )


def _grouped(rows, by: str, title: str, first: Column) -> Table:
    groups: dict = {}
    for line in rows:
        if by == "source":
            key, label = line.source_id, line.source.name
        else:
            key = line.subproject_id
            label = str(line.subproject) if key else _("Chung (không phân theo tiểu dự án)")
        entry = groups.setdefault(key, [label, 0, 0])
        entry[1] += line.allocated
        entry[2] += line.disbursed
    out = [
        _execution_row(Execution(k, label, a, d), first.key, key=f"{by}-{k}")
        for k, (label, a, d) in groups.items()
    ]
    out.append(_execution_row(_sum(rows), first.key, key="total", _style="total"))
    return Table(key=f"by_{by}", title=title, columns=_execution_columns(first), rows=out)


def checks_table(
    checks,
    *,
    several: bool = False,
    with_document: bool = True,
    key: str = "checks",
    title: str | None = None,
) -> Table:
    """Stated totals against the sum of their lines: the budget report's table, and section IV of
    the plan (without the document column, under its own key and title)."""
    columns = [
        Column("label", _("Tổng số nêu trong văn bản")),
        MillionColumn("stated", _("Tổng số (triệu đồng)")),
        MillionColumn("parts", _("Cộng các dòng (triệu đồng)")),
        MillionColumn("difference", _("Chênh lệch (triệu đồng)")),
        Column("status", _("Đối chiếu")),
    ]
    if with_document:
        columns.insert(1, Column("document", _("Văn bản")))
    if several:
        columns.insert(0, Column("commune", _("Xã")))
    return Table(
        key=key,
        title=title or _("Đối chiếu tổng số với các dòng kinh phí"),
        sheet=_("Đối chiếu tổng số"),
        columns=columns,
        rows=[
            {
                "key": f"check-{c.stated.pk}",
                "commune": c.stated.commune.name,
                "label": c.stated.label,
                "document": c.stated.document,
                "stated": million(c.stated.amount),
                "parts": million(c.parts),
                "difference": million(c.difference),
                "status": _("Khớp") if c.agrees else _("KHÔNG KHỚP"),
                "_style": "" if c.agrees else "wrong",
            }
            for c in checks
        ],
    )
