"""Column widths of a printed table, computed from what the cells hold.

Both PDF paths (WeasyPrint's fixed table layout in :mod:`reports.pdf` and the direct writer in
:mod:`reports.fastpdf`) lay a table out with widths known before the rows are drawn. Those widths
come from here, measured with the shipped font's own advance widths (the font the PDF prints in):

- a column is never narrower than its widest unbreakable piece: the longest word of its header
  and text cells, the whole text of a number (numbers never wrap: "25,56 %", "3.049,3");
- the room left over goes first to the data: shared by the square root of each column's
  longest line, no column taking more than that line needs (what a short column leaves goes to
  the long ones), so a short name stays on one line where it can and a long text wraps;
- then to the headers (a header wraps before a cell does), widened together so that the
  tallest takes as few lines as the room allows;
- a text column with no text at all (a "Ghi chú" to be written in by hand) asks for a line of
  :data:`WRITE_IN` ems, as if it held one;
- a table whose words do not fit even one per line is set in a smaller type (down to
  :data:`SMALLEST`); beyond that the columns share the width in proportion to their words and
  the stylesheet breaks a word rather than letting it run out of its cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .tables import Column, Table

MM = 72 / 25.4
#: A4 less the Decree 30 margins (left 30 mm, right 15 mm), in points
TEXT_WIDTH = {False: (210 - 45) * MM, True: (297 - 45) * MM}
#: a cell's horizontal padding (print.css: 3 pt each side), its border and a margin for rounding
CELL_EXTRA = 2 * 3.0 + 0.5 + 1.5
#: type sizes tried in turn (print.css: 11.5 pt, 10 pt for a wide table), in points
SIZES = (11.5, 10.0, 9.0)
SMALLEST = SIZES[-1]
#: rows measured from the start of a long table, besides the longest texts of each column
SAMPLE_ROWS = 300
BOLD_STYLES = frozenset({"total", "wrong"})
#: the line a column of empty cells asks for (a "Ghi chú" column left to be written in), in ems
WRITE_IN = 8.0


@lru_cache(maxsize=1)
def _fonts():
    from .fastpdf import FontUse, font_paths

    regular, bold = font_paths()
    return FontUse(regular, "F1"), FontUse(bold, "F2")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of ``text`` on one line, in points, at ``size`` points."""
    regular, heavy = _fonts()
    return (heavy if bold else regular).width(text, size)


@dataclass(frozen=True)
class Need:
    """What one column needs at 1 pt type: its widest unbreakable piece (``least``), its longest
    line of data (``body``) and the width at which its header takes two lines (``most``); each
    at least the one before."""

    least: float
    body: float
    most: float
    #: the header's label on one line
    header: float = 0.0

    def at(self, size: float) -> tuple[float, float, float]:
        return (
            self.least * size + CELL_EXTRA,
            self.body * size + CELL_EXTRA,
            self.most * size + CELL_EXTRA,
        )


def _texts(rows: list[dict], column: Column) -> list[tuple[str, bool]]:
    """(formatted text, bold) of the cells measured for ``column``: the first rows and the
    longest texts of the rest (a number at row 5 000 must fit as well as one at row 5)."""
    sample = rows[:SAMPLE_ROWS]
    if len(rows) > SAMPLE_ROWS:
        rest = sorted(rows[SAMPLE_ROWS:], key=lambda r: len(column.format(r.get(column.key))))
        sample = sample + rest[-20:]
    return [
        (column.format(row.get(column.key)), row.get("_style") in BOLD_STYLES) for row in sample
    ]


def column_need(rows: list[dict], column: Column) -> Need:
    least = body = 0.0
    for word in column.label.split():
        least = max(least, text_width(word, 1, bold=True))
    for text, bold in _texts(rows, column):
        if not text:
            continue
        for line in text.splitlines() or [text]:
            whole = text_width(line, 1, bold=bold)
            body = max(body, whole)
            if column.numeric:
                least = max(least, whole)
            else:
                least = max(
                    least, max((text_width(w, 1, bold=bold) for w in line.split()), default=0)
                )
    if not body and not column.numeric:  # left blank to be written in by hand: room for it
        body = WRITE_IN
    body = max(body, least)
    # a header may take two lines (more where room is short) before it widens its column
    header = text_width(column.label, 1, bold=True)
    return Need(least, body, max(body, header / 2), header)


def _share(least: list[float], most: list[float], room: float, *, fill=True) -> list[float]:
    """Widths from ``least`` up: the room left is shared among the columns still short of their
    longest line, in proportion to the square root of that line (a long text takes more, but
    does not starve a short name into wrapping), each taking no more than it needs (in rounds, so
    what a short column does not need goes to the others); then any width still left in
    proportion to ``most`` (the table fills its line), unless not to ``fill``."""
    widths = list(least)
    left = room - sum(widths)
    wanting = [i for i in range(len(widths)) if most[i] - widths[i] > 0.01]
    while left > 0.01 and wanting:
        total = sum(math.sqrt(most[i]) for i in wanting)
        given = {i: min(left * math.sqrt(most[i]) / total, most[i] - widths[i]) for i in wanting}
        for i, extra in given.items():
            widths[i] += extra
        left -= sum(given.values())
        wanting = [i for i in wanting if most[i] - widths[i] > 0.01]
    if left > 0.01 and fill:
        total = sum(most) or 1
        widths = [w + left * m / total for w, m in zip(widths, most, strict=True)]
    return widths


def _headers(widths: list[float], labels: list[float], room: float) -> list[float]:
    """Widen columns so that the header takes as few lines as the room allows: the least number
    of lines ``n`` (found by halving) at which every label fits in ``n`` lines of its column
    (estimated by its width over ``n``) within ``room``."""

    def needed(lines: float) -> list[float]:
        return [max(w, label / lines + CELL_EXTRA) for w, label in zip(widths, labels, strict=True)]

    if sum(widths) >= room or not labels:
        return widths
    low, high = 1.0, max(max(labels) / 1.0, 1.0)
    if sum(needed(low)) <= room:
        return needed(low)
    for _ in range(30):
        middle = (low + high) / 2
        if sum(needed(middle)) <= room:
            high = middle
        else:
            low = middle
    return needed(high)


@dataclass(frozen=True)
class Layout:
    widths: list[float]  # points, summing to the text width
    size: float  # the type size the widths were computed for

    def percents(self) -> list[float]:
        total = sum(self.widths) or 1
        return [100 * w / total for w in self.widths]


def table_layout(
    table: Table,
    columns: list[Column],
    *,
    landscape: bool = False,
    sizes: tuple[float, ...] = SIZES,
    width: float | None = None,
    rows: list[dict] | None = None,
) -> Layout:
    """Widths (points) of ``columns`` of ``table`` (its ``rows``, or those given) across the
    text width of an A4 page, and the largest of ``sizes`` at which every column holds its
    widest word."""
    room = TEXT_WIDTH[landscape] if width is None else width
    rows = table.rows if rows is None else rows
    needs = [column_need(rows, c) for c in columns]
    if not needs:
        return Layout([], sizes[0])
    for size in sizes:
        least, body, most = (list(w) for w in zip(*(n.at(size) for n in needs), strict=True))
        if sum(least) <= room:
            # the data's lines first, then the headers in as few lines as the room allows
            # (a header wraps before a cell does)
            labels = [n.header * size for n in needs]
            widths = _share(least, body, room, fill=False)
            widths = _headers(widths, labels, room)
            return Layout(_share(widths, most, room), size)
    size = sizes[-1]
    least = [n.at(size)[0] for n in needs]
    scale = room / sum(least)
    return Layout([w * scale for w in least], size)
