"""CSV and JSON. JSON is plain data for machines; CSV is written for a spreadsheet program.

A CSV opens in Excel as it is: UTF-8 with a byte-order mark (without it Excel reads the text as
the system's code page and Vietnamese letters come out garbled), and numbers written the way the
interface language writes them, with the delimiter a spreadsheet of that language expects —
Vietnamese: decimal comma and ";" between cells (Excel in a comma-decimal locale splits on its
list separator, ";"); English: decimal point and ",". No thousands separator, so every number
is read as a number. (docs/decisions-import.md, "CSV for Excel".)

Every text cell goes through :func:`core.cells.neutralise` (a leading apostrophe on text that a
spreadsheet would run as a formula, such as a head name ``=HYPERLINK(...)``); numbers are
written as numbers and never neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils import translation

from core.cells import neutralise
from core.formatting import marks

from .tables import Report


def to_json(report: Report) -> str:
    return json.dumps(report.as_data(), ensure_ascii=False, indent=2)


BOM = "\ufeff"


def dialect(language: str | None = None) -> tuple[str, str]:
    """(delimiter, decimal mark) of a CSV for ``language`` (the active one by default): the
    decimal mark the pages show (``core.formatting.marks``), and ";" between cells where the
    decimal mark is a comma, as Excel expects there."""
    with translation.override(language or translation.get_language()):
        mark = marks()[1]
    return (";", ",") if mark == "," else (",", ".")


def to_csv(report: Report) -> str:
    """One block per table, headed by its title (a line starting with "#"), after a first
    "# Số liệu tạm thời — …" line when the figures are provisional; a byte-order mark first,
    numbers with the interface language's decimal mark and delimiter (:func:`dialect`), text
    neutralised. A numeric column's value is never neutralised: a percentage is a decimal
    string here ("-1.50"), and a negative figure must stay a number."""
    delimiter, mark = dialect()
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter)
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
                    _csv_value(row.get(k), is_number, mark)
                    for k, is_number in zip(table["columns"], numeric, strict=True)
                ]
            )
        writer.writerow([])
    return out.getvalue()


def _csv_value(value: Any, is_number: bool, mark: str = ".") -> Any:
    if value is None:
        return ""
    if not is_number:
        return neutralise(value)
    if isinstance(value, int):  # bool too
        return value
    return str(value).replace(".", mark)
