"""HTML: the page template, tables and inline SVG charts."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .charts import render_svg
from .tables import Report


def charts_svg(report: Report) -> list[tuple[Any, str]]:
    return [(chart, render_svg(chart)) for chart in report.charts]


def to_html(report: Report, request=None) -> str:
    return render_to_string(
        "reports/report.html",
        {"report": report, "charts": charts_svg(report)},
        request=request,
    )
