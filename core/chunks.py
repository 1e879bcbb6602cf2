"""Long lists cut into pieces, for ``IN (...)`` queries and batched writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

# Ids per ``IN (...)`` list. A fact, not a tunable: SQLite refuses a statement with more than
# 32,766 parameters, and a list this long stays well under it with the query's other parameters.
IN_CHUNK = 5000


def chunks(items: Sequence, size: int = IN_CHUNK) -> Iterator[Sequence]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
