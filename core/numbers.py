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
