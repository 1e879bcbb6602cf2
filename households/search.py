"""Search that ignores case and Vietnamese diacritics, the same on SQLite and PostgreSQL.

Neither database folds "Đức" to "duc" by itself in the same way, so each household keeps a folded
copy of the text people search for (head, members, code, citizen IDs) in ``search_text``, and the
query is folded the same way before a plain ``contains``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """ "Nguyễn Văn Đức" -> "nguyen van duc"."""
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACES.sub(" ", text).strip()


def search_text_for(code: str, head_name: str, members: Iterable[tuple[str, str]]) -> str:
    """The folded text of a household: code, head, then each member's name and citizen ID."""
    parts = [code, head_name]
    for name, citizen_id in members:
        parts.extend([name, citizen_id])
    return " | ".join(fold(p) for p in parts if p)
