"""Render a :class:`~reports.tables.Report` into a format. The figures are never recomputed here.

- HTML: the page template, tables and inline SVG charts;
- PDF: WeasyPrint from HTML in the Decree 30/2020 layout (``static/css/print.css``, shipped fonts).
  Long reports are rendered in chunks of rows, each chunk a separate WeasyPrint document whose
  page numbers continue the previous one, written to a temporary file and joined with pypdf at the
  end, so the layout memory does not grow with the number of rows;
- XLSX: openpyxl in write-only mode (constant memory), the same rows and headers as the HTML,
  numbers as numbers with number formats, and a print layout (A4, header rows repeated, page
  numbers, fitted to the page width);
- CSV and JSON: plain data for machines.

Every text cell of an XLSX or CSV goes through :func:`core.cells.neutralise` (a leading apostrophe
on text that a spreadsheet would run as a formula, such as a head name ``=HYPERLINK(...)``);
numbers are written as numbers and never touched.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.cells import neutralise

from .charts import render_svg
from .formatting import format_int
from .tables import Column, Report, Table

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
BINARY = frozenset({"pdf", "xlsx"})

#: rows per WeasyPrint document when a PDF is rendered in chunks
PDF_CHUNK_ROWS = 500
#: grouped list tables are drawn directly (``fastpdf``); False lays them out with WeasyPrint
#: (kept for the benchmark's comparison)
FAST_LISTS = True
#: seconds per row and fixed seconds per format, measured (docs/benchmarks-reports.md) and
#: rounded up, to refuse in the browser what would take too long
COST_PER_ROW = {"pdf": 0.012, "xlsx": 0.0004, "html": 0.0008, "csv": 0.00005, "json": 0.00005}
COST_FIXED = {"pdf": 1.5, "xlsx": 0.2, "html": 0.2, "csv": 0.05, "json": 0.05}
#: a list drawn directly (``fastpdf``) costs far less per row than a WeasyPrint table
COST_PER_ROW_FAST_PDF = 0.002


def estimate_seconds(fmt: str, rows: int, *, fast_pdf: bool = False) -> float:
    per_row = COST_PER_ROW_FAST_PDF if fmt == "pdf" and fast_pdf else COST_PER_ROW[fmt]
    return COST_FIXED[fmt] + per_row * rows


# --- JSON / CSV -----------------------------------------------------------------------------


def to_json(report: Report) -> str:
    return json.dumps(report.as_data(), ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    """One block per table, headed by its title; numbers plain (dot decimals) for machines, text
    neutralised. A numeric column's value is never neutralised: a percentage is a decimal string
    here ("-1.50"), and a negative figure must stay a number."""
    out = io.StringIO()
    writer = csv.writer(out)
    data = report.as_data()
    for table, spec in zip(data["tables"], report.tables, strict=True):
        writer.writerow([neutralise(f"# {table['title']}")])
        writer.writerow([neutralise(c.label) for c in spec.columns])
        numeric = [c.numeric for c in spec.columns]
        for row in table["rows"]:
            writer.writerow(
                [
                    _csv_value(row.get(k), is_number)
                    for k, is_number in zip(table["columns"], numeric, strict=True)
                ]
            )
        writer.writerow([])
    return out.getvalue()


def _csv_value(value: Any, is_number: bool) -> Any:
    if value is None:
        return ""
    return value if is_number else neutralise(value)


# --- HTML -----------------------------------------------------------------------------------


def charts_svg(report: Report) -> list[tuple[Any, str]]:
    return [(chart, render_svg(chart)) for chart in report.charts]


def to_html(report: Report, request=None) -> str:
    return render_to_string(
        "reports/report.html",
        {"report": report, "charts": charts_svg(report)},
        request=request,
    )


# --- PDF ------------------------------------------------------------------------------------


@dataclass
class Part:
    """The rows of one table that one PDF chunk holds, group by group."""

    table: Table
    first_of_table: bool
    groups: list[tuple[str, list[dict], bool]] = field(default_factory=list)


def plan_chunks(report: Report, chunk_rows: int = PDF_CHUNK_ROWS) -> list[list[Part]]:
    """Split the report's tables into chunks of about ``chunk_rows`` rows, at group boundaries
    unless a group alone is larger than a chunk (each chunk starts on a new page)."""
    chunks: list[list[Part]] = [[]]
    count = 0
    for table in report.tables:
        part = Part(table, first_of_table=True)
        chunks[-1].append(part)
        for label, rows in table.groups():
            if count and len(rows) <= chunk_rows and count + len(rows) > chunk_rows:
                count = chunk_rows  # the group fits in a fresh chunk: start one
            start, continued = 0, False
            while start < len(rows):
                if count >= chunk_rows:
                    # A part with no rows yet moves to the new chunk whole (title included),
                    # rather than printing as an empty table followed by its "continued".
                    first = part.first_of_table and not part.groups
                    if not part.groups:
                        chunks[-1].remove(part)
                    chunks.append([])
                    count = 0
                    part = Part(table, first_of_table=first)
                    chunks[-1].append(part)
                take = rows[start : start + chunk_rows - count]
                part.groups.append((label, take, continued))
                count += len(take)
                start += len(take)
                continued = True
    return [chunk for chunk in chunks if chunk]


def _cell(column: Column, value: Any) -> str:
    text = escape(column.format(value))
    return f'<td class="n">{text}</td>' if column.numeric else f"<td>{text}</td>"


def _auto_width(column: Column, rows: list[dict]) -> float:
    """A width for a column without one: its longest text (first rows, longest header word),
    within bounds, so short codes do not get as much room as names."""
    longest_word = max((len(word) for word in column.label.split()), default=4)
    longest_cell = max((len(column.format(r.get(column.key))) for r in rows[:200]), default=4)
    if column.numeric:  # digits are wider than the average letter and never wrap
        return float(max(longest_word + 2, longest_cell * 1.25 + 2, 5))
    return float(min(max(longest_word + 2, min(longest_cell, 40) + 1, 5), 42))


def table_html(
    table: Table, groups: list[tuple[str, list[dict], bool]], columns: list[Column]
) -> str:
    """One HTML table for the PDF; a grouped table gets a heading row where each group starts.
    Built with f-strings rather than the template engine: a list of ten thousand households
    would spend seconds in template loops."""
    rows = [row for _label, group_rows, _continued in groups for row in group_rows]
    weights = [c.width or _auto_width(c, rows) for c in columns]
    css = "figures" + (" wide" if len(columns) > 9 else "")
    # Fixed layout: the widths are known before the rows are read (much faster on long lists).
    scale = 100 / sum(weights)
    out = [f'<table class="{css}"><colgroup>']
    out.extend(f'<col style="width:{w * scale:.2f}%">' for w in weights)
    out.append("</colgroup><thead>")
    for header_row in table.header_rows(columns):
        out.append("<tr>")
        for label, colspan, rowspan in header_row:
            span = (f' colspan="{colspan}"' if colspan > 1 else "") + (
                f' rowspan="{rowspan}"' if rowspan > 1 else ""
            )
            out.append(f"<th{span}>{escape(label)}</th>")
        out.append("</tr>")
    out.append("</thead><tbody>")
    if not rows:
        out.append(f'<tr><td colspan="{len(columns)}">{escape(_("Không có."))}</td></tr>')
    for label, group_rows, continued in groups:
        if table.group_by:
            heading = _("%(title)s (tiếp theo)") % {"title": label} if continued else label
            out.append(
                f'<tr class="group"><td colspan="{len(columns)}">{escape(heading)}</td></tr>'
            )
        for row in group_rows:
            style = row.get("_style")
            out.append(f'<tr class="{style}">' if style else "<tr>")
            out.extend(_cell(c, row.get(c.key)) for c in columns)
            out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def chunk_body(report: Report, chunk: list[Part], first_chunk: bool) -> str:
    out = []
    for part in chunk:
        table = part.table
        title = (
            table.title
            if part.first_of_table
            else _("%(title)s (tiếp theo)") % {"title": table.title}
        )
        out.append(f'<h2 class="table-title">{escape(title)}</h2>')
        out.append(table_html(table, part.groups, table.shown_columns))
        for note in table.footnotes if part.first_of_table else []:
            out.append(f'<p class="footnote">{escape(note)}</p>')
    return "".join(out)


def flow_body(report: Report) -> str:
    """A document written as a flow of headings, paragraphs, bullets and tables (the plan):
    each block in order, tables where the text refers to them, unreferenced tables left out."""
    tables = {t.key: t for t in report.tables}
    out = []
    for block in report.blocks:
        text = escape(block.text)
        if block.kind == "heading":
            level = min(max(block.level, 1), 4)
            out.append(f'<h{level + 1} class="flow-h{level}">{text}</h{level + 1}>')
        elif block.kind == "bullet":
            out.append(f'<p class="flow-bullet">{text}</p>')
        elif block.kind == "warning":
            out.append(f'<p class="flow-warning">{text}</p>')
        elif block.kind == "table" and block.table in tables:
            table = tables[block.table]
            groups = [(label, rows, False) for label, rows in table.groups()]
            if block.text:
                out.append(f'<p class="flow-table-title">{text}</p>')
            out.append(table_html(table, groups, table.shown_columns))
        elif block.kind == "paragraph":
            out.append(f'<p class="flow-paragraph">{text}</p>')
    return "".join(out)


def _stylesheet_path() -> str:
    path = finders.find("css/print.css")
    if path is None:  # collected static files only (production)
        path = str(Path(settings.STATIC_ROOT) / "css" / "print.css")
    return path


def _weasy_document(report: Report, blocks, body: str, *, first, last, first_page):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # @font-face rules only apply with a font configuration shared by the CSS and the render.
    fonts = FontConfiguration()

    html = render_to_string(
        "reports/pdf.html",
        {
            "report": report,
            "blocks": blocks,
            "body": body,
            "first": first,
            "last": last,
            "first_page": first_page,
            "charts": charts_svg(report) if last else [],
        },
    )
    stylesheet = CSS(filename=_stylesheet_path(), font_config=fonts)
    return HTML(string=html, base_url=str(Path(_stylesheet_path()).parent)).render(
        stylesheets=[stylesheet], font_config=fonts
    )


def to_pdf(
    report: Report,
    *,
    blocks=None,
    chunk_rows: int = PDF_CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The report as an official document. Up to ``chunk_rows`` rows are laid out at once."""
    from .documents import report_document_blocks

    if blocks is None:
        blocks = report_document_blocks(report)
    if getattr(report, "blocks", None):
        document = _weasy_document(
            report, blocks, flow_body(report), first=True, last=True, first_page=1
        )
        return document.write_pdf()
    if (
        FAST_LISTS
        and any(t.group_by for t in report.tables)
        and not any(t.has_groups for t in report.tables)
    ):
        return _to_pdf_fast(report, blocks)
    chunks = plan_chunks(report, chunk_rows)
    if len(chunks) == 1:
        document = _weasy_document(
            report,
            blocks,
            chunk_body(report, chunks[0], True),
            first=True,
            last=True,
            first_page=1,
        )
        return document.write_pdf()

    from pypdf import PdfWriter

    page = 1
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        paths = []
        for index, chunk in enumerate(chunks):
            document = _weasy_document(
                report,
                blocks,
                chunk_body(report, chunk, index == 0),
                first=index == 0,
                last=index == len(chunks) - 1,
                first_page=page,
            )
            path = Path(folder) / f"{index:05d}.pdf"
            document.write_pdf(path)
            page += len(document.pages)
            del document  # free the layout before the next chunk
            paths.append(path)
            if progress:
                progress(index + 1, len(chunks))
        writer = PdfWriter()
        for path in paths:
            writer.append(str(path))
        out = io.BytesIO()
        writer.write(out)
        writer.close()
    return out.getvalue()


def fast_table(table: Table):
    """A grouped list table as the direct PDF writer takes it (formatted cells, group rows)."""
    from .fastpdf import FastColumn, FastTable

    columns = table.shown_columns
    sample = table.rows[:200]
    fast = FastTable(
        title=table.title,
        columns=[
            FastColumn(c.label, c.width or _auto_width(c, sample), c.numeric) for c in columns
        ],
    )
    for label, rows in table.groups():
        if table.group_by:
            continued = _("%(title)s (tiếp theo)") % {"title": label}
            fast.items.append(("group", (f"{label} ({format_int(len(rows))})", continued)))
        for row in rows:
            fast.items.append(("row", [c.format(row.get(c.key)) for c in columns]))
    if not table.rows:
        fast.items.append(("row", [_("Không có.")] + [""] * (len(columns) - 1)))
    return fast


def _to_pdf_fast(report: Report, blocks) -> bytes:
    """The document blocks and the small tables by WeasyPrint; the long grouped tables (lists)
    drawn directly (``fastpdf``); joined with pypdf, the page numbers running on."""
    from pypdf import PdfWriter

    from .fastpdf import Writer, font_paths

    small = [t for t in report.tables if not t.group_by]
    long_tables = [t for t in report.tables if t.group_by]
    front = _weasy_document(
        report,
        blocks,
        chunk_body(report, [Part(t, True, [("", t.rows, False)]) for t in small], True),
        first=True,
        last=False,
        first_page=1,
    )
    front_pages = len(front.pages)
    writer = Writer(*font_paths(), landscape=report.landscape, first_page=front_pages + 1)
    for table in long_tables:
        writer.table(fast_table(table), new_page=True)
    middle = writer.write()
    back = _weasy_document(
        report,
        blocks,
        "",
        first=False,
        last=True,
        first_page=writer.number + 1,
    )
    out = PdfWriter()
    for part in (front.write_pdf(), middle, back.write_pdf()):
        out.append(io.BytesIO(part))
    buffer = io.BytesIO()
    out.write(buffer)
    out.close()
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------

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
        sheet.append([])
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
        sheet.oddFooter.left.text = f"{report.area.name} · {report.year}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


RENDERERS: dict[str, Callable] = {
    "csv": to_csv,
    "json": to_json,
    "pdf": to_pdf,
    "xlsx": to_xlsx,
}


def render(report: Report, fmt: str, request=None) -> str | bytes:
    if fmt == "html":
        return to_html(report, request)
    return RENDERERS[fmt](report)
