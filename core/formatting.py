"""Vietnamese number formatting for reports: "1.295", "37,76 %", "3.326,6 triệu đồng".

Official documents use Vietnamese separators whatever the interface language, so these helpers do
not depend on the active locale.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals, rounded half-up; None if whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


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
    text = _group(whole)
    return sign + (f"{text},{frac}" if places else text)


def format_number(value: Decimal | float | int | None, places: int = 2) -> str:
    """A figure with decimals only when it has some, trailing zeros dropped: "7", "7,5",
    "3.326,6" (targets, amounts in plans)."""
    if value is None:
        return "–"
    text = format_decimal(Decimal(value), places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def format_percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{format_decimal(value, 2)} %"


def format_million_dong(amount_dong: int | None, places: int = 1) -> str:
    """Integer đồng shown in millions ("3.326,6")."""
    if amount_dong is None:
        return "–"
    return format_decimal(Decimal(amount_dong) / Decimal(1_000_000), places)
