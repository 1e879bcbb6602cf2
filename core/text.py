"""Vietnamese text: stored in NFC, and folded (no case, no diacritics) for search and matching.

Neither SQLite nor PostgreSQL folds "Đức" to "duc" by itself in the same way, so the apps keep a
folded copy of what people search for and fold the query the same way (households/search.py).
"""

from __future__ import annotations

import re
import unicodedata


def nfc(value):
    """Text is stored in Unicode NFC with surrounding whitespace trimmed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


_SPACES = re.compile(r"\s+")


def fold_slowly(text: str) -> str:
    """The definition of :func:`fold`: decompose, drop the combining marks, đ → d, lower case,
    one space between words."""
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACES.sub(" ", text).strip()


def _fold_table() -> dict[int, str]:
    """:func:`fold_slowly` of each single character of the Latin blocks Vietnamese is written in
    (and of the combining marks), for ``str.translate``. Decomposition, mark removal and lower
    case all work character by character, so translating a text through this table gives what
    ``fold_slowly`` gives, except for the whitespace, which :func:`fold` then collapses the same
    way."""
    table = {}
    for block in (range(0x0000, 0x0250), range(0x0300, 0x0370), range(0x1E00, 0x1F00)):
        for code in block:
            ch = chr(code)
            if ch.isspace():
                continue
            folded = unicodedata.normalize("NFD", ch)
            folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
            table[code] = folded.replace("đ", "d").replace("Đ", "D").lower()
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """ "Nguyễn Văn Đức" -> "nguyen van duc".

    One ``str.translate`` for text made of the Latin letters Vietnamese uses (cheaper than the
    definition, which matters when an import folds a million names); any other text, or a result
    that is not plain ASCII, goes through :func:`fold_slowly`, the definition."""
    folded = (text or "").translate(_FOLD)
    if not folded.isascii():
        return fold_slowly(text)
    return _SPACES.sub(" ", folded).strip()
