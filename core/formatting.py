"""Number formatting for pages and reports: "1.295", "37,76 %", "3.326,6 triệu đồng".

The separators follow the active language: Vietnamese ("1.295", "37,75 %") unless the interface
is in English ("1,295", "37.75 %"). Official documents (the PDFs) are built and rendered with
Vietnamese active whatever the interface language (``reports.views``), so they always read the
Vietnamese way; number inputs keep the Vietnamese grammar they are parsed with
(:func:`vietnamese`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

from .names import english

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals, rounded half-up; None if whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


_FORCED: ContextVar[bool] = ContextVar("vietnamese_numbers", default=False)


@contextmanager
def vietnamese():
    """Vietnamese separators inside, whatever the interface language (the value of a number
    input, which ``core.numbers`` reads back the Vietnamese way)."""
    token = _FORCED.set(True)
    try:
        yield
    finally:
        _FORCED.reset(token)


def marks() -> tuple[str, str]:
    """(thousands separator, decimal mark) of the active language."""
    if not _FORCED.get() and english():
        return ",", "."
    return ".", ","


def _group(digits: str, separator: str | None = None) -> str:
    separator = marks()[0] if separator is None else separator
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def format_int(value: int | None) -> str:
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return sign + _group(str(abs(int(value))))


def format_decimal(value: Decimal | float | None, places: int = 2) -> str:
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    value = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    thousands, decimal = marks()
    text = _group(whole, thousands)
    return sign + (f"{text}{decimal}{frac}" if places else text)


def format_number(value: Decimal | float | int | None, places: int = 2) -> str:
    """A figure with decimals only when it has some, trailing zeros dropped: "7", "7,5",
    "3.326,6" (targets, amounts in plans)."""
    if value is None:
        return "–"
    text = format_decimal(Decimal(value), places)
    decimal = marks()[1]
    if places and decimal in text:
        text = text.rstrip("0").rstrip(decimal)
    return text


def format_percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{format_decimal(value, 2)} %"


def format_million_dong(amount_dong: int | None, places: int = 1) -> str:
    """Integer đồng shown in millions ("3.326,6")."""
    if amount_dong is None:
        return "–"
    return format_decimal(Decimal(amount_dong) / Decimal(1_000_000), places)
