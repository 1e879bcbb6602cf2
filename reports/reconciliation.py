"""The ``reconciliation`` report: each figure a document states (``StatedDocument``) beside the
one computed by the registered report it is about, marked equal, rounding difference or wrong.

It belongs to the engine because it compares against any report registered with ``figures``
(and, for percentages, ``exact_values``); it finds them through the registry only.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area

from . import registry
from .errors import NotEntered, ReportError
from .models import StatedDocument
from .registry import register
from .tables import Column, Report, Table

EQUAL, ROUNDING, WRONG, MISSING = "equal", "rounding", "wrong", "missing"
VERDICT_LABELS = {
    EQUAL: gettext_lazy("Khớp"),
    ROUNDING: gettext_lazy("Lệch do làm tròn"),
    WRONG: gettext_lazy("Sai"),
    MISSING: gettext_lazy("Không có số liệu tính"),
}


def row_key(row: dict) -> str:
    return str(row.get("key") or row.get("code") or "")


def row_label(row: dict, *, with_code: bool = True) -> str:
    """A row as an officer reads it: "1.1 Việc làm" (its code first, unless ``with_code`` is
    False, for a page that shows the code in a column of its own)."""
    label = row.get("label") or row.get("indicator") or row_key(row)
    if with_code and row.get("code"):
        return f"{row['code']} {label}"
    return str(label)


def stated_marks(spec, computed: Report, cells: dict, document) -> dict[tuple[str, str], str]:
    """The verdict of each figure ``document`` states against the report ``computed`` (its
    ``cells``, :func:`cells_of`): MISSING where the report has no such cell."""
    exact = spec.exact_values(computed) if spec.exact_values else {}
    marks = {}
    for figure in document.figures.all():
        key = (figure.row, figure.column)
        if key not in cells:
            marks[key] = MISSING
            continue
        _table, row, column = cells[key]
        marks[key] = verdict(figure.value, figure.text, row.get(column.key), column, exact.get(key))
    return marks


def cells_of(report: Report) -> dict[tuple[str, str], tuple[Table, dict, Column]]:
    """Every numeric cell of a report, addressed by (row key, column key)."""
    cells = {}
    for table in report.tables:
        for row in table.rows:
            for column in table.columns:
                if column.numeric:
                    cells[(row_key(row), column.key)] = (table, row, column)
    return cells


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
        message = _(
            "Chưa nhập số liệu văn bản nào của %(area)s năm %(year)s để đối chiếu: hãy nhập "
            "các số liệu văn bản nêu (hoặc dán bảng của văn bản) tại trang Đối chiếu số liệu."
        ) % {"area": area.name, "year": year}
        entered = sorted(
            set(StatedDocument.objects.filter(area=area).values_list("year", flat=True))
        )
        if entered:  # the plan of a year states the figures of the year before
            message += " " + _("Đã có số liệu văn bản nêu của năm: %(years)s.") % {
                "years": ", ".join(str(y) for y in entered)
            }
        raise NotEntered(message, entry="report_reconcile", years=entered)
    built: dict[str, Report] = {}
    tables, tally = [], Counter()
    for doc in documents:
        spec = registry.spec(doc.report)
        spec_build = spec.figures if spec else None
        if spec_build is None:
            raise ReportError(
                _("Không đối chiếu được với báo cáo “%(slug)s”."), params={"slug": doc.report}
            )
        if doc.report not in built:
            built[doc.report] = spec_build(area, year)
        computed_report = built[doc.report]
        cells = cells_of(computed_report)
        marks = stated_marks(spec, computed_report, cells, doc)
        rows = {"count": [], "rate": []}
        for figure in doc.figures.all():
            table, row, column = cells.get((figure.row, figure.column), (None, None, None))
            computed = row.get(column.key) if row is not None else None
            mark = marks[(figure.row, figure.column)]
            tally[mark] += 1
            label = row_label(row) if row is not None else figure.row
            kind = "rate" if column is not None and column.kind == "percent" else "count"
            rows[kind].append(
                {
                    "key": f"{figure.row}/{figure.column}",
                    "row": label,
                    "column": (f"{column.group} – " if column and column.group else "")
                    + (column.label if column else figure.column),
                    # numbers, so that every format shows and stores them as numbers; the text
                    # as the document wrote it decided the verdict ("37,8" has one decimal)
                    "stated": figure.value,
                    "computed": computed,
                    "difference": (
                        Decimal(figure.value) - Decimal(computed) if computed is not None else None
                    ),
                    "verdict": str(VERDICT_LABELS[mark]),
                    "_verdict": mark,
                    "_style": "" if mark == EQUAL else mark,
                }
            )
        for kind, title, value_kind, places in (
            ("count", _("số hộ, số khẩu"), "int", 0),
            ("rate", _("tỷ lệ"), "percent", 2),
        ):
            if not rows[kind]:
                continue
            tables.append(
                Table(
                    key=f"document_{doc.pk}_{kind}",
                    title=_("Đối chiếu %(what)s: %(reference)s")
                    % {"what": title, "reference": doc.reference},
                    columns=[
                        Column("row", _("Chỉ tiêu"), width=27),
                        Column("column", _("Cột"), width=25),
                        Column("stated", _("Văn bản nêu"), value_kind, width=11),
                        Column("computed", _("Tính từ dữ liệu"), value_kind, width=12),
                        Column("difference", _("Chênh lệch"), "decimal", width=11, places=places),
                        Column("verdict", _("Kết luận"), width=14),
                    ],
                    rows=rows[kind],
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
