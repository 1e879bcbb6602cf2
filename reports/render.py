"""Render a :class:`~reports.tables.Report` into a format. The figures are never recomputed here."""

from __future__ import annotations

import csv
import io
import json

from django.template.loader import render_to_string

from .tables import Report

FORMATS = ("html", "csv", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def to_json(report: Report) -> str:
    return json.dumps(report.as_data(), ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    """One block per table, headed by its title; numbers plain (dot decimals) for machines."""
    out = io.StringIO()
    writer = csv.writer(out)
    data = report.as_data()
    for table, spec in zip(data["tables"], report.tables, strict=True):
        writer.writerow([f"# {table['title']}"])
        writer.writerow([c.label for c in spec.columns])
        for row in table["rows"]:
            writer.writerow(["" if row.get(k) is None else row.get(k) for k in table["columns"]])
        writer.writerow([])
    return out.getvalue()


def to_html(report: Report, request=None) -> str:
    return render_to_string("reports/report.html", {"report": report}, request=request)


def render(report: Report, fmt: str, request=None) -> str:
    return {"html": lambda r: to_html(r, request), "csv": to_csv, "json": to_json}[fmt](report)
