"""Spreadsheet cells that are safe to open: text that Excel, LibreOffice or Google Sheets would
run as a formula ("formula injection", OWASP "CSV Injection") is written as plain text.

Every XLSX and CSV the project writes (the import-page exports, every report) routes its text
cells through :func:`neutralise`; numbers never go through it, so a negative number stays a
number. The importer (``imports.columns.parse_text``) takes the apostrophe off again, so an
exported file imports back unchanged.
"""

from __future__ import annotations

from typing import Any

#: a text cell starting with one of these is a formula (= + - @) or, after a spreadsheet trims
#: the leading whitespace, may become one (tab, carriage return)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, which the
    spreadsheet shows as nothing and reads as "this cell is text"; anything else is returned
    as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
