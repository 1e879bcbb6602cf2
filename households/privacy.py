"""Citizen IDs (số CCCD) as the roles may see them.

Who may see a number in full is decided once, in ``areas.scoping.may_reveal_citizen_id``; this
module only writes the masked form that everybody else (and everybody, until they ask) sees.
"""

from __future__ import annotations

#: digits kept at each end: the first four (province and century/sex digits, which the masked
#: form may show) and the last two (enough to tell two members apart on one page)
KEEP_START, KEEP_END = 4, 2


def mask_citizen_id(value: str | None) -> str:
    """ "001099001234" -> "0010******34"; an empty value stays empty, and anything too short to
    keep both ends is starred whole."""
    value = (value or "").strip()
    if not value:
        return ""
    hidden = len(value) - KEEP_START - KEEP_END
    if hidden < 1:
        return "*" * len(value)
    return value[:KEEP_START] + "*" * hidden + value[-KEEP_END:]
