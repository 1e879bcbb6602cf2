"""Search that ignores case and Vietnamese diacritics, the same on SQLite and PostgreSQL.

Neither database folds "Đức" to "duc" by itself in the same way, so each household keeps a folded
copy of the text people search for (head, members, code, citizen IDs) in ``search_text``, and the
query is folded the same way before a plain ``contains``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.text import fold

_DIGITS = re.compile(r"\d{3}")


def search_text_for(code: str, head_name: str, members: Iterable[tuple[str, str]]) -> str:
    """The folded text of a household: code, head, then each member's name and citizen ID."""
    parts = [code, head_name]
    for name, citizen_id in members:
        parts.extend([name, citizen_id])
    return " | ".join(fold(p) for p in parts if p)


def looks_like_citizen_id(query: str) -> bool:
    """Whether a search ``query`` could match part of a citizen ID (three digits in a row), so
    that it may match one only where the user may see the number in full."""
    return bool(_DIGITS.search(query or ""))
