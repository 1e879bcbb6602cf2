"""Numbers as Vietnamese users write them: "." groups thousands and "," is the decimal mark.

One text grammar for the whole site (forms, the Excel import, the budget). Each caller keeps its
own wrapper: what it accepts besides text (an Excel cell may already be a number), whether a
negative or a fraction is allowed, and the message its users see. This module only says what a
text means, and raises :class:`NumberError` when it is not a number.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Whole numbers with their thousands grouped by ".", "," or a (non-breaking) space: "1.500.000",
# "1,500", "1 500". Excel users write all three in a count or an amount of đồng.
_THOUSANDS = re.compile(r"^-?\d{1,3}([.,  ]\d{3})+$")


class NumberError(ValueError):
    """The text is not a number (the caller turns this into its own message)."""


def parse_number(text: str, *, integer: bool = False) -> Decimal:
    """What ``text`` means as a number, as a ``Decimal`` (the caller makes an ``int`` of it).

    - ``integer=True`` reads the text as a whole number may be written: "1.500.000", "1,500" and
      "1 500" are 1500000, 1500 and 1500; a lone comma is still a decimal mark ("4,5" is 4.5, for
      the caller to refuse as not whole).
    - ``integer=False`` reads "7,64" as 7.64, "1.500,5" as 1500.5, and "1.295" (one dot followed
      by three digits) as 1295: in Vietnamese that dot groups thousands. "7.64" stays 7.64.

    Spaces and non-breaking spaces are ignored. Raises :class:`NumberError` for text that is not a
    finite number."""
    text = str(text).replace("\u00a0", " ").strip()
    if integer:
        if _THOUSANDS.match(text):
            text = re.sub(r"[.,  ]", "", text)
        elif "," in text and "." not in text:
            text = text.replace(",", ".")  # Vietnamese decimal comma
    else:
        text = text.replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") == 1 and len(text.split(".")[1]) == 3 and len(text) > 4:
            text = text.replace(".", "")  # "1.295" is one thousand two hundred and ninety-five
        elif text.count(".") > 1:
            text = text.replace(".", "")
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        raise NumberError(text) from None
    if not value.is_finite():
        raise NumberError(text)
    return value


# --- amounts: the shorthands people write for money -----------------------------------------

# What a multiplier word after a number means: "1,2 triệu", "1.2tr", "800k", "800 nghìn".
MULTIPLIERS: dict[str, int] = {
    "k": 1_000,
    "nghìn": 1_000,
    "nghin": 1_000,
    "ngàn": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "triệu": 1_000_000,
    "trieu": 1_000_000,
    "tỷ": 1_000_000_000,
    "tỉ": 1_000_000_000,
    "ty": 1_000_000_000,
}
_WORDS = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_SHORTHAND = re.compile(
    rf"^(?P<number>[+-]?\d+(?:[.,]\d+)?)\s*(?P<word>{_WORDS})\.?$", re.IGNORECASE
)
_CURRENCY = re.compile(r"\s*(đồng|dong|vnđ|vnd|đ)\.?$", re.IGNORECASE)
_PLAIN = re.compile(r"^[+-]?\d[\d., ]*$")


def parse_amount(text: str, *, integer: bool = True, shorthand: bool = True) -> Decimal:
    """What a typed amount means, as a ``Decimal``: the grammar of :func:`parse_number` for the
    digits (grouped "1.200.000", "1 200 000", plain "1200000", a decimal comma "7,5"), a unit
    "đ"/"đồng" after them ignored and, with ``shorthand``, a multiplier word: "1,2 triệu" and
    "1.2tr" are 1200000, "800k" and "800 nghìn" 800000, "2 tỷ" 2000000000. Before a multiplier a
    dot followed by one or two digits is a decimal point ("1.2tr"), as people write it.

    Only digits, separators and a sign: "1e5", "NaN" and words raise :class:`NumberError`. Whether
    the result must be whole, and its range, is for the caller (see ``core.forms.NumberField``)."""
    text = str(text).replace("\u00a0", " ").replace("\u202f", " ").strip()
    text = _CURRENCY.sub("", text).strip()
    if shorthand:
        match = _SHORTHAND.match(text)
        if match:
            number = parse_number(match["number"], integer=False)
            return number * MULTIPLIERS[match["word"].lower()]
    if not _PLAIN.match(text):
        raise NumberError(text)
    return parse_number(text, integer=integer)
