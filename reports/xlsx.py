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
from decimal import Decimal
from typing import Any

from core.cells import neutralise

from .tables import Column, Report, Table

XLSX_FORMATS = {"int": "#,##0", "percent": "0.00%"}


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


def _sheet_title(table: Table, index: int, used: set[str]) -> str:
    bad = "[]:*?/\\"
    base = "".join(ch for ch in (table.title or f"Bảng {index + 1}") if ch not in bad)[:28]
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}_{n}", n + 1
    used.add(title)
    return title


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


def to_xlsx(report: Report) -> bytes:
    """One sheet per table: title lines, the header (two rows when columns are grouped, merged),
    then the rows; numbers are numbers, percentages fractions shown as "0.00%"."""
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
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    used: set[str] = set()
    for index, table in enumerate(report.tables):
        sheet = workbook.create_sheet(_sheet_title(table, index, used))
        columns = table.columns
        widths = [
            max(
                [len(c.label) * 0.9] + [len(c.format(r.get(c.key))) for r in table.rows[:500]] + [6]
            )
            for c in columns
        ]
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 50)

        def text_cell(value, font=normal, alignment=None, sheet=sheet):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            return cell

        sheet.append([text_cell(f"{report.title} — {report.area.name}", title_font)])
        sheet.append([text_cell(table.title, bold)])
        # Row 3: the provisional mark right above the table (empty for official figures), so
        # the header stays on row 4 either way.
        mark = report.provisional_note
        sheet.append(
            [text_cell(mark, Font(name="Times New Roman", bold=True, size=12))] if mark else []
        )
        header_start = 4
        header, merges = xlsx_header(columns, header_start)
        for labels in header:
            line = [text_cell(label, bold, centred) for label in labels]
            for cell in line:
                cell.border = border
            sheet.append(line)
        for c1, r1, c2, r2 in merges:
            sheet.merged_cells.add(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
        first_data = header_start + len(header)
        for row in table.rows:
            font = bold if row.get("_style") == "total" else normal
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(column, row.get(column.key)))
                cell.font = font
                cell.border = border
                if column.kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[column.kind]
                elif column.kind == "number":  # decimals only when there are some, as on screen
                    value = cell.value
                    whole = not isinstance(value, float | Decimal) or value == int(value)
                    cell.number_format = "#,##0" if whole else "#,##0.##"
                elif column.kind == "decimal":
                    cell.number_format = "#,##0" + (
                        "." + "0" * column.places if column.places else ""
                    )
                else:
                    cell.alignment = wrapped
                cells.append(cell)
            sheet.append(cells)
        for note in [*table.footnotes, *report.footnotes]:
            sheet.append([text_cell(note, Font(name="Times New Roman", italic=True, size=11))])
        sheet.freeze_panes = f"A{first_data}"
        sheet.print_title_rows = f"{header_start}:{first_data - 1}"
        sheet.page_setup.paperSize = 9  # A4
        sheet.page_setup.orientation = "landscape" if report.landscape else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins.left, sheet.page_margins.right = 1.18, 0.59  # 30 mm, 15 mm
        sheet.page_margins.top = sheet.page_margins.bottom = 0.79  # 20 mm
        sheet.oddHeader.center.text = "&P"
        if mark:  # printed at the top of every page
            sheet.oddHeader.left.text = mark[:200]
        sheet.oddFooter.left.text = f"{report.area.name} · {report.year}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
