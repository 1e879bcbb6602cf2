"""XLSX: openpyxl in write-only mode (constant memory), the same rows and headers as the HTML,
numbers as numbers with number formats, and a print layout (A4, header rows repeated, page
numbers, fitted to the page width). Provisional figures carry their mark on each sheet, in the
line above the table and in the printed page header.

Every text cell goes through :func:`core.cells.neutralise` (a leading apostrophe on text that a
spreadsheet would run as a formula, such as a head name ``=HYPERLINK(...)``); numbers are written
as numbers and never touched.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.cells import neutralise

from .tables import Column, Report

#: the Vietnamese locale (LCID 0x42A) in every number format, so that a spreadsheet set to
#: another language still shows "3.049,3" and "25,56%"
LOCALE = "[$-42A]"
XLSX_FORMATS = {"int": f"{LOCALE}#,##0", "percent": f"{LOCALE}0.00%"}
#: the sheet that holds the report's notes and warnings, once (not under every table)
NOTES_SHEET = gettext_lazy("Ghi chú")
#: characters a sheet name may not hold, and its length (Excel)
BAD_SHEET_CHARS = "[]:*?/\\"
SHEET_NAME_MAX = 31
#: words a shortened sheet name does not end on (it would read cut off)
DANGLING = frozenset(
    {"và", "với", "của", "các", "cho", "theo", "trong", "trên", "tại", "từ", "đến", "năm"}
    | {"về", "là", "-", "–", "—", "/", ""}
)


def number_format(column: Column, value: Any) -> str | None:
    """The number format of a numeric cell (None for text), with the Vietnamese locale."""
    if column.kind in XLSX_FORMATS:
        return XLSX_FORMATS[column.kind]
    if column.kind == "number":  # decimals only when there are some, as on screen
        whole = not isinstance(value, float | Decimal) or value == int(value)
        return LOCALE + ("#,##0" if whole else "#,##0.##")
    if column.kind == "decimal":
        return LOCALE + "#,##0" + ("." + "0" * column.places if column.places else "")
    return None


def _xlsx_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "percent":
        return float(Decimal(value) / 100)
    if column.kind == "int":
        return int(value)
    if column.kind in ("decimal", "number"):
        return float(value)
    return neutralise(str(value))


#: what a sheet name leaves out of a long table title: the year (the workbook's), asides in
#: brackets, a table number, "/ tổ dân phố" after "thôn"
SHEET_NOISE = (
    (re.compile(r"\s*\([^)]*\)"), ""),
    (re.compile(r"^Biểu \d+\.\s*"), ""),
    (re.compile(r"\s+(cuối |đầu )?năm \d{4}\b"), ""),
    (re.compile(r"thôn / tổ dân phố"), "thôn"),
)


def sheet_name(title: str, used: set[str], *, fallback: str = "") -> str:
    """A sheet name from ``title`` (a table's own ``sheet`` name, where it has one, is taken as
    it is): the characters Excel refuses dropped; a title over 31 characters without its year,
    asides and table number, then shortened at a word (not within one, not on a dangling "và",
    "của"…); unique in the workbook (" (2)", " (3)"… in the room kept for it). Records it in
    ``used``."""
    if len(title) > SHEET_NAME_MAX:
        for pattern, replacement in SHEET_NOISE:
            title = pattern.sub(replacement, title)
    clean = " ".join("".join(ch for ch in title if ch not in BAD_SHEET_CHARS).split())
    clean = clean.strip("'") or fallback or _("Bảng")

    def shortened(limit: int) -> str:
        if len(clean) <= limit:
            return clean
        words = clean[: limit + 1].split(" ")
        words = words[:-1] if len(words) > 1 else [words[0][:limit]]
        while len(words) > 1 and words[-1].lower() in DANGLING:
            words.pop()
        return " ".join(words).rstrip(",;:-–")

    name, n = shortened(SHEET_NAME_MAX), 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name, n = shortened(SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
    used.add(name)
    return name


#: a text column's widest (characters): longer text wraps in its cell
TEXT_WIDTH_MAX = 40
#: the height of one line of 12 pt text, in points
LINE_HEIGHT = 15.75


def _lines(text: str) -> list[str]:
    return text.splitlines() or [""]


def column_widths(table, columns: list[Column]) -> list[float]:
    """Each column's width in characters: a number's whole text, a text's longest line up to
    :data:`TEXT_WIDTH_MAX` (then it wraps), the header's longest word or half its label
    (headers wrap), whichever is widest."""
    rows = table.rows[:500]
    widths = []
    for column in columns:
        words = column.label.split() or [""]
        header = max(max(map(len, words)), len(column.label) / 2)
        cells = max(
            (max(map(len, _lines(column.format(r.get(column.key))))) for r in rows), default=0
        )
        if not column.numeric:
            cells = min(cells, TEXT_WIDTH_MAX)
        widths.append(max(header, cells, 6) + 2)
    return widths


def row_height(row: dict, columns: list[Column], widths: list[float]) -> float | None:
    """The height a row of wrapped text needs (a spreadsheet does not grow a row written
    without one), or None for a row of one line."""
    lines = 1
    for column, width in zip(columns, widths, strict=True):
        if column.numeric:
            continue
        text = column.format(row.get(column.key))
        per_line = max(width - 1, 1) * 1.1  # Times New Roman runs a little narrower
        lines = max(lines, sum(-(-max(len(line), 1) // per_line) for line in _lines(text)))
    return None if lines == 1 else LINE_HEIGHT * lines


class _Rows:
    """The rows above a table, collected before they are written: a write-only sheet takes its
    frozen panes, filter and print settings only before its first row."""

    def __init__(self):
        self.rows: list[list] = []
        self.merged_cells: set[str] = set()

    def append(self, row) -> None:
        self.rows.append(list(row))


def xlsx_header(columns: list[Column], first_row: int) -> tuple[list[list], list[tuple]]:
    """Header rows and merged ranges (col1, row1, col2, row2): a grouped column's label sits
    under its group's merged label; an ungrouped column's label spans both rows."""
    if not any(c.group for c in columns):
        return [[c.label for c in columns]], []
    top: list = []
    bottom: list = []
    merges = []
    for i, column in enumerate(columns, start=1):
        if not column.group:
            top.append(column.label)
            bottom.append(None)
            merges.append((i, first_row, i, first_row + 1))
        elif i > 1 and columns[i - 2].group == column.group:
            top.append(None)
            bottom.append(column.label)
            c1, r1, _c2, r2 = merges[-1]
            merges[-1] = (c1, r1, i, r2)
        else:
            top.append(column.group)
            bottom.append(column.label)
            merges.append((i, first_row, i, first_row))
    return [top, bottom], [m for m in merges if m[0] != m[2] or m[1] != m[3]]


def _blocks(report: Report):
    from .documents import report_document_blocks

    return report_document_blocks(report)


def _merged_line(sheet, row: int, parts: list[tuple[str, int, int, object]], text_cell, align):
    """Row ``row`` of the sheet (the next one appended): text blocks, each merged across its
    columns (first, last) with its font."""
    from openpyxl.utils import get_column_letter

    cells: list = []
    for text, first, last, font in parts:
        cells.extend([None] * (first - 1 - len(cells)))
        cells.append(text_cell(text, font, align) if text else None)
        cells.extend([None] * (last - len(cells)))
        if last > first:
            sheet.merged_cells.add(
                f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}"
            )
    sheet.append(cells)


def _halves(width: int, left_share: float) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The columns of the left and right blocks, or None for a table too narrow to split."""
    split = max(1, round(width * left_share))
    return None if split >= width else ((1, split), (split + 1, width))


def _document_heading(sheet, blocks, width: int, text_cell, fonts) -> int:
    """Issuing body and number (left), motto and place-date (right), then the document type and
    subject across the table's width, as Decree 30 lays them out; returns the rows written."""
    from openpyxl.styles import Alignment, Font

    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    italic = Font(name="Times New Roman", italic=True, size=12)
    left = [*([blocks.superior_body] if blocks.superior_body else []), *blocks.issuing_body]
    right = [_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _("Độc lập - Tự do - Hạnh phúc")]
    lines = [
        (left[i] if i < len(left) else "", right[i] if i < len(right) else "", "bold")
        for i in range(max(len(left), len(right)))
    ]
    lines.append(("", "", "bold"))  # the rules under the blocks: a blank row
    lines.append((blocks.number_symbol, blocks.place_date, "dated"))
    halves = _halves(width, 0.4)
    row = 0
    for l_text, r_text, kind in lines:
        row += 1
        l_font = fonts["bold"] if kind == "bold" else fonts["normal"]
        r_font = fonts["bold"] if kind == "bold" else italic
        if halves is None:  # one column: the blocks one under the other
            for text, font in ((l_text, l_font), (r_text, r_font)):
                if text:
                    _merged_line(sheet, row, [(text, 1, 1, font)], text_cell, centred)
                    row += 1
            row -= 1
            continue
        (l1, l2), (r1, r2) = halves
        _merged_line(
            sheet, row, [(l_text, l1, l2, l_font), (r_text, r1, r2, r_font)], text_cell, centred
        )
    sheet.append([])
    row += 1
    for text in (blocks.document_type, blocks.subject):
        row += 1
        _merged_line(sheet, row, [(text, 1, width, fonts["title"])], text_cell, centred)
    return row


def _document_closing(sheet, first_row: int, blocks, width: int, text_cell, fonts) -> None:
    """Recipients (left) and the signature (right) below the last table, from ``first_row``."""
    from openpyxl.styles import Alignment, Font

    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    small = Font(name="Times New Roman", size=11)
    small_title = Font(name="Times New Roman", size=12, bold=True, italic=True)
    left = [(_("Nơi nhận:"), small_title)] + [
        # "- Lưu: VT." would be written "'- Lưu: VT." by the formula guard: an en dash instead
        ("\u2013" + line[1:] if line.startswith("-") else line, small)
        for line in blocks.recipients
    ]
    right = [
        *((line, fonts["bold"]) for line in blocks.signature_lines),
        ("", None),
        ("", None),
        ("", None),
        (blocks.signer_name, fonts["bold"]),
    ]
    halves = _halves(width, 0.5)
    sheet.append([])
    row = first_row
    if halves is None:
        left, right = [], left + [("", None)] + right
        halves = ((1, 0), (1, width))
    (l1, l2), (r1, r2) = halves
    for i in range(max(len(left), len(right))):
        row += 1
        parts = []
        if i < len(left) and left[i][0]:
            parts.append((left[i][0], l1, l2, left[i][1]))
        if i < len(right) and right[i][0]:
            parts.append((right[i][0], r1, r2, right[i][1]))
        _merged_line(sheet, row, parts, text_cell, centred)


def to_xlsx(report: Report) -> bytes:
    """One sheet per table: title lines, the header (two rows when columns are grouped, merged),
    then the rows; numbers are numbers, percentages fractions shown as "0.00%". Each table
    sheet has its header frozen and filtered and prints one page wide with the header on every
    page; the report's notes and warnings are on a sheet of their own (:data:`NOTES_SHEET`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=12)
    title_font = Font(name="Times New Roman", bold=True, size=14)
    note_font = Font(name="Times New Roman", italic=True, size=11)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    title_wrap = Alignment(vertical="center", wrap_text=True)
    used: set[str] = {str(NOTES_SHEET)}
    # A document whose body is a table (a list, a register) reads like the Word file a commune
    # would type: its issuing body and motto above the table, its signature below.
    word_like = getattr(report, "word_like", False)
    blocks = _blocks(report) if word_like else None
    fonts = {"normal": normal, "bold": bold, "title": title_font}
    mark = report.provisional_note
    for index, table in enumerate(report.tables):
        title = table.sheet or table.title
        fallback = _("Bảng %(n)s") % {"n": index + 1}
        sheet = workbook.create_sheet(sheet_name(title, used, fallback=fallback))
        columns = table.columns
        widths = column_widths(table, columns)
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width

        def text_cell(value, font=normal, alignment=None, sheet=sheet):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            return cell

        above = _Rows()
        if word_like:
            heading = _document_heading(above, blocks, len(columns), text_cell, fonts)
        else:
            # the title across the table's width, wrapped: printed whole on a page-wide sheet
            title = f"{report.title} — {report.area.name}"
            _merged_line(above, 1, [(title, 1, len(columns), title_font)], text_cell, title_wrap)
            lines = -(-len(title) * 1.1 // max(sum(widths), 1))
            sheet.row_dimensions[1].height = 19 * max(lines, 1)
            heading = 1
        above.append([text_cell(table.title, bold)])
        # Row 3 below the heading: the provisional mark right above the table (empty for official
        # figures), so the header stays at the same row either way.
        above.append([text_cell(mark, bold)] if mark else [])
        header_start = heading + 3
        header, merges = xlsx_header(columns, header_start)
        first_data = header_start + len(header)
        last_column = get_column_letter(len(columns))
        # set before the first row: a write-only sheet writes them at its start
        sheet.freeze_panes = f"A{first_data}"
        sheet.auto_filter.ref = (
            f"A{first_data - 1}:{last_column}{max(first_data - 1 + len(table.rows), first_data)}"
        )
        _print_setup(sheet, report, header_start, first_data, mark, sum(widths))
        for number, labels in enumerate(header, start=header_start):
            texts = {c.key: label or "" for c, label in zip(columns, labels, strict=True)}
            as_text = [Column(c.key, c.label) for c in columns]
            sheet.row_dimensions[number].height = row_height(texts, as_text, widths) or LINE_HEIGHT
        for number, row in enumerate(table.rows, start=first_data):
            height = row_height(row, columns, widths)
            if height:
                sheet.row_dimensions[number].height = height
        for row in above.rows:
            sheet.append(row)
        for ref in sorted(above.merged_cells):
            sheet.merged_cells.add(ref)
        for labels in header:
            line = [text_cell(label, bold, centred) for label in labels]
            for cell in line:
                cell.border = border
            sheet.append(line)
        for c1, r1, c2, r2 in merges:
            sheet.merged_cells.add(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
        for row in table.rows:
            font = bold if row.get("_style") == "total" else normal
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(column, row.get(column.key)))
                cell.font = font
                cell.border = border
                fmt = number_format(column, cell.value)
                if fmt:
                    cell.number_format = fmt
                    cell.alignment = top
                else:  # a cell's paragraphs stay in the cell, one per line
                    cell.alignment = wrapped
                cells.append(cell)
            sheet.append(cells)
        for note in table.footnotes:
            sheet.append([text_cell(note, note_font)])
        if word_like and index == len(report.tables) - 1:
            last_row = first_data - 1 + len(table.rows) + len(table.footnotes) + 1
            _document_closing(sheet, last_row, blocks, len(columns), text_cell, fonts)
    notes = [*([mark] if mark else []), *report.footnotes]
    if notes:
        sheet = workbook.create_sheet(str(NOTES_SHEET))
        sheet.column_dimensions["A"].width = 100
        _print_setup(sheet, report, 0, 0, mark)
        for number, note in enumerate(notes, start=2):
            sheet.row_dimensions[number].height = LINE_HEIGHT * -(-len(note) // 100)
        sheet.append([WriteOnlyCell(sheet, value=f"{report.title} — {report.area.name}")])
        for note in notes:
            cell = WriteOnlyCell(sheet, value=neutralise(note))
            cell.alignment = wrapped
            cell.font = normal
            sheet.append([cell])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


#: a sheet wider than this (characters) prints on A4 landscape, whatever the report's PDF does
PORTRAIT_WIDTH = 100


def _print_setup(
    sheet, report: Report, header_start: int, first_data: int, mark: str, width: float = 0
) -> None:
    """A4 (landscape for a report printed so or a sheet wider than a portrait page holds at
    about full size), one page wide (as many pages down as needed), the header rows on every
    page, Decree 30 margins, the page number at the top and the provisional mark, if any, on
    every page."""
    if header_start:
        sheet.print_title_rows = f"{header_start}:{first_data - 1}"
    sheet.page_setup.paperSize = 9  # A4
    wide = report.landscape or width > PORTRAIT_WIDTH
    sheet.page_setup.orientation = "landscape" if wide else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left, sheet.page_margins.right = 1.18, 0.59  # 30 mm, 15 mm
    sheet.page_margins.top = sheet.page_margins.bottom = 0.79  # 20 mm
    sheet.oddHeader.center.text = "&P"
    if mark:  # printed at the top of every page
        sheet.oddHeader.left.text = mark[:200]
    sheet.oddFooter.left.text = f"{report.area.name} · {report.year}"
