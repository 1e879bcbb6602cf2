"""Render a :class:`~reports.tables.Report` into a format. The figures are never recomputed here.

Each format has its own module: :mod:`reports.html` (the page), :mod:`reports.pdf` (the official
document: WeasyPrint, or ``fastpdf`` for long lists), :mod:`reports.xlsx` and :mod:`reports.csv`
(CSV and JSON). This module names the formats, estimates their cost and dispatches.
"""

from __future__ import annotations

from collections.abc import Callable

from areas.models import Area

from .csv import to_csv, to_json
from .html import to_html
from .pdf import to_pdf
from .registry import ReportSpec
from .tables import Report
from .xlsx import to_xlsx

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
BINARY = frozenset({"pdf", "xlsx"})

#: seconds per row and fixed seconds per format, measured (docs/benchmarks-reports.md) and
#: rounded up, to refuse in the browser what would take too long
COST_PER_ROW = {"pdf": 0.012, "xlsx": 0.0004, "html": 0.0008, "csv": 0.00005, "json": 0.00005}
COST_FIXED = {"pdf": 1.5, "xlsx": 0.2, "html": 0.2, "csv": 0.05, "json": 0.05}
#: a long table drawn directly (``fastpdf``) costs far less per row than a WeasyPrint table
COST_PER_ROW_FAST_PDF = 0.002


def estimate_seconds(fmt: str, rows: int, *, long_table: bool = False) -> float:
    """``long_table``: the report's spec says its PDF is drawn by ``fastpdf``."""
    per_row = COST_PER_ROW_FAST_PDF if fmt == "pdf" and long_table else COST_PER_ROW[fmt]
    return COST_FIXED[fmt] + per_row * rows


def expected_rows(spec: ReportSpec, area: Area, year: int, **options) -> int:
    """A cheap estimate of a report's rows (at most one COUNT query), to refuse in the browser a
    request that would take too long to render. A report's options given in the request reach
    its ``row_count`` too (one household's form of a village is not the whole village's)."""
    if spec.row_count is not None:
        return spec.row_count(area, year, **options)
    # by-unit tables: a few rows per village (commune) or per commune (district, province)
    below = Area.objects.filter(path__startswith=area.path)
    units = below.filter(
        kind=Area.Kind.COMMUNE
        if area.kind in (Area.Kind.PROVINCE, Area.Kind.DISTRICT)
        else Area.Kind.VILLAGE
    ).count()
    return 4 * units + 40


RENDERERS: dict[str, Callable] = {
    "csv": to_csv,
    "json": to_json,
    "pdf": to_pdf,
    "xlsx": to_xlsx,
}


def render(report: Report, fmt: str, request=None) -> str | bytes:
    if fmt == "html":
        return to_html(report, request)
    return RENDERERS[fmt](report)
