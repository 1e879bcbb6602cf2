"""A table pasted from a document (copied from Word or Excel) read as the figures it states.

Word and Excel copy a table as one line per row, its cells separated by tabs; numbers are written
the Vietnamese way ("1.295", "37,75 %"). Each pasted row is matched to a row of the report a
stated document is compared with (``reports.reconciliation``: the cells of its figures report):

- by its label: an indicator's code ("1.1", "Chỉ số 1.1. Hộ gia đình…"), its name, or the name
  of a summary row ("Hộ nghèo", "Số hộ cận nghèo", "Tổng số hộ toàn xã"), compared without
  diacritics, case, punctuation and the words that vary from one document to another;
- by position, for a row without any label: the row after the one matched before it (or, at the
  start, the first row of the first table with as many figures).

Its figures go to the table's number columns in order; when a row has fewer figures than
columns, those written with "%" go to the rate columns and the others to the count columns. Each
row that carries figures but cannot be placed is reported with the reason, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import numbers
from core.text import fold

from .reconciliation import row_key
from .tables import Column, Report, Table

#: cells that hold no figure but keep a figure's place ("–" in the "all households" row)
PLACEHOLDERS = {"", "-", "–", "—"}
_CODE = re.compile(r"^(?:chi so|chi tieu)?\s*(\d{1,2}\.\d{1,2})\.?(?:\s|$)")
_PUNCTUATION = re.compile(r"[^\w\s]")
#: words documents add or leave out around the same row ("Tổng số hộ nghèo, cận nghèo đa chiều")
_NOISE = {"so", "tong", "da", "chieu", "thuoc", "dien", "va", "cua", "dia", "ban", "toan", "xa"}
#: the other ways documents name the summary rows of section I, by row key
ALIASES = {
    "poor_and_near_poor": ("Hộ nghèo, cận nghèo", "Hộ nghèo và hộ cận nghèo"),
    "poor": ("Hộ nghèo",),
    "near_poor": ("Hộ cận nghèo",),
    "average": ("Hộ mức sống trung bình", "Hộ có mức sống trung bình"),
    "all": ("Tổng số hộ", "Tổng số hộ toàn xã", "Tổng số hộ dân"),
}


@dataclass(frozen=True)
class Unmapped:
    line: int
    text: str
    reason: str


@dataclass
class Mapping:
    """What a paste gave: the stated figures by (row key, column key), as written, and the
    pasted rows with figures that could not be placed."""

    values: dict[tuple[str, str], str] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    rows: int = 0  # pasted rows placed


def label_key(text: str) -> str:
    """A label as compared: folded, without punctuation or the words that vary."""
    words = _PUNCTUATION.sub(" ", fold(text or "")).split()
    return " ".join(w for w in words if w not in _NOISE)


def split_cells(line: str) -> list[str]:
    """The cells of a pasted line: tab-separated (Word, Excel); a line typed by hand may use
    ";" or "|" instead. Leading and trailing empty cells (an indent, a trailing tab) are dropped."""
    line = line.replace("\u00a0", " ").replace("\u202f", " ").rstrip("\r\n")
    if "\t" in line:
        cells = line.split("\t")
    elif ";" in line or "|" in line:
        cells = re.split(r"[;|]", line)
    else:
        cells = re.split(r"\s{2,}", line.strip())
    cells = [" ".join(c.split()) for c in cells]
    for i in range(len(cells) - 1, 0, -1):  # "37,75" and "%" in cells of their own
        if cells[i] == "%" and cells[i - 1]:
            cells[i - 1] += " %"
            del cells[i]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def is_figure(cell: str) -> bool:
    if cell in PLACEHOLDERS:
        return True
    try:
        numbers.parse_number(cell.replace("%", "").strip())
    except numbers.NumberError:
        return False
    return True


class _Rows:
    """The rows of a report a pasted label may name, by code and by label key."""

    def __init__(self, report: Report):
        self.order: list[tuple[Table, dict]] = []
        self.by_code: dict[str, tuple[Table, dict]] = {}
        self.by_label: dict[str, tuple[Table, dict]] = {}
        self.prefixes: list[tuple[str, tuple[Table, dict]]] = []
        for table in report.tables:
            if not any(c.numeric for c in table.columns):
                continue
            for row in table.rows:
                place = (table, row)
                self.order.append(place)
                if row.get("code"):
                    self.by_code[str(row["code"])] = place
                names = [row.get("label"), row.get("indicator"), *ALIASES.get(row.get("key"), ())]
                if row.get("code") and row.get("indicator"):
                    names.append(f"{row['code']} {row['indicator']}")
                for name in names:
                    if name:
                        self.by_label.setdefault(label_key(str(name)), place)
                if row.get("definition"):  # documents often name an indicator by its definition
                    self.prefixes.append((label_key(str(row["definition"]))[:40], place))

    def find(self, label: str) -> tuple[Table, dict] | None:
        code = _CODE.match(fold(label))
        if code and code.group(1) in self.by_code:
            return self.by_code[code.group(1)]
        key = label_key(label)
        if key in self.by_label:
            return self.by_label[key]
        for prefix, place in self.prefixes:
            if prefix and key.startswith(prefix):
                return place
        return None

    def after(self, place: tuple[Table, dict]) -> tuple[Table, dict] | None:
        index = next(i for i, p in enumerate(self.order) if p[1] is place[1])
        following = self.order[index + 1 : index + 2]
        if following and following[0][0] is place[0]:
            return following[0]
        return None

    def first_with(self, count: int) -> tuple[Table, dict] | None:
        for table, row in self.order:
            if sum(1 for c in table.columns if c.numeric) == count:
                return table, row
        return None


def _split_label(cells: list[str]) -> tuple[str, list[str]]:
    """The label part of a row's cells and its figures: figures are the cells from the first
    figure on; a first cell that is an indicator's code ("1.1") is a label, not a figure."""
    start = 0
    if cells and _CODE.match(fold(cells[0])) and len(cells) > 1:
        start = 1
    real = [i for i in range(start, len(cells)) if cells[i] not in PLACEHOLDERS]
    first = next((i for i in real if is_figure(cells[i])), len(cells))
    label = " ".join(cells[:first]).strip()
    figures = []
    for cell in cells[first:]:
        if not is_figure(cell):
            break  # a note after the figures
        figures.append(cell)
    return label, figures


def _columns_for(figures: list[str], columns: list[Column]) -> list[tuple[Column, str]] | None:
    """Pair figures with number columns: in order when there are as many; otherwise those
    written with "%" to the rate columns and the rest to the others, in order."""
    if len(figures) == len(columns):
        return [(c, f) for c, f in zip(columns, figures, strict=True) if f not in PLACEHOLDERS]
    written = [f for f in figures if f not in PLACEHOLDERS]
    rates = [f for f in written if "%" in f]
    counts = [f for f in written if "%" not in f]
    rate_columns = [c for c in columns if c.kind == "percent"]
    count_columns = [c for c in columns if c.kind != "percent"]
    if len(rates) > len(rate_columns) or len(counts) > len(count_columns):
        return None
    return list(zip(rate_columns, rates, strict=False)) + list(
        zip(count_columns, counts, strict=False)
    )


def map_pasted(text: str, report: Report) -> Mapping:
    """Read a pasted table against ``report`` (the figures a stated document is compared with)."""
    rows = _Rows(report)
    result = Mapping()
    placed: dict[int, int] = {}  # id(row) -> the pasted line that gave it
    previous = None
    for number, raw in enumerate((text or "").splitlines(), start=1):
        cells = split_cells(raw)
        label, figures = _split_label(cells)
        if not [f for f in figures if f not in PLACEHOLDERS]:
            continue  # a heading, a blank line, a row of dashes
        shown = " | ".join(cells)
        if label:
            place = rows.find(label)
            if place is None:
                result.unmapped.append(
                    Unmapped(number, shown, _("Không nhận ra dòng “%(label)s”.") % {"label": label})
                )
                previous = None
                continue
        else:
            place = rows.after(previous) if previous else rows.first_with(len(figures))
            if place is None:
                result.unmapped.append(
                    Unmapped(number, shown, _("Dòng không có tên và không đoán được vị trí."))
                )
                continue
        table, row = place
        if id(row) in placed:
            result.unmapped.append(
                Unmapped(
                    number,
                    shown,
                    _("Dòng này trùng với dòng %(n)s đã dán.") % {"n": placed[id(row)]},
                )
            )
            continue
        pairs = _columns_for(figures, [c for c in table.columns if c.numeric])
        if pairs is None:
            result.unmapped.append(
                Unmapped(
                    number,
                    shown,
                    _("Dòng có %(n)s số, bảng “%(table)s” không có đủ cột cho các số đó.")
                    % {"n": len(figures), "table": table.title},
                )
            )
            continue
        placed[id(row)] = number
        previous = place
        result.rows += 1
        for column, figure in pairs:
            result.values[(row_key(row), column.key)] = figure
    return result
