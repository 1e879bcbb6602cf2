"""CSV and JSON: plain data for machines.

Every text cell of a CSV goes through :func:`core.cells.neutralise` (a leading apostrophe on text
that a spreadsheet would run as a formula, such as a head name ``=HYPERLINK(...)``); numbers are
written as numbers and never touched.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from core.cells import neutralise

from .tables import Report


def to_json(report: Report) -> str:
    return json.dumps(report.as_data(), ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    """One block per table, headed by its title (a line starting with "#"), after a first
    "# Số liệu tạm thời — …" line when the figures are provisional; numbers plain (dot
    decimals) for machines, text neutralised. A numeric column's value is never neutralised: a
    percentage is a decimal string here ("-1.50"), and a negative figure must stay a number."""
    out = io.StringIO()
    writer = csv.writer(out)
    data = report.as_data()
    if report.provisional_note:  # a comment line first, like the table titles below
        writer.writerow([neutralise(f"# {report.provisional_note}")])
    for table, spec in zip(data["tables"], report.tables, strict=True):
        writer.writerow([neutralise(f"# {table['title']}")])
        writer.writerow([neutralise(c.label) for c in spec.columns])
        numeric = [c.numeric for c in spec.columns]
        for row in table["rows"]:
            writer.writerow(
                [
                    _csv_value(row.get(k), is_number)
                    for k, is_number in zip(table["columns"], numeric, strict=True)
                ]
            )
        writer.writerow([])
    return out.getvalue()


def _csv_value(value: Any, is_number: bool) -> Any:
    if value is None:
        return ""
    return value if is_number else neutralise(value)
