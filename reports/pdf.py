"""PDF in the Decree 30/2020 layout (``static/css/print.css``, shipped fonts), by one of two paths:

- :func:`document_pdf`: WeasyPrint lays the whole report out as one HTML document. Every report
  goes this way except the long lists;
- :func:`table_pdf`: for a report registered with ``long_table=True`` (the ``lists``), its
  grouped tables are drawn directly by :mod:`reports.fastpdf`, which costs a small fraction of
  WeasyPrint's time and memory per row (docs/benchmarks-reports.md); the document parts around
  them (heading, small tables, signature) are still WeasyPrint's, joined with pypdf.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.formatting import format_int

from . import registry
from .html import charts_svg
from .layout import table_layout
from .tables import Column, Report, Table


def _cell(column: Column, value: Any) -> str:
    text = escape(column.format(value)).replace("\n", "<br>")  # a cell's paragraphs
    return f'<td class="n">{text}</td>' if column.numeric else f"<td>{text}</td>"


def _paragraphs(row: dict, columns: list[Column]) -> bool:
    return any(
        not c.numeric and isinstance(row.get(c.key), str) and "\n" in row[c.key] for c in columns
    )


def table_html(
    table: Table,
    groups: list[tuple[str, list[dict], bool]],
    columns: list[Column],
    *,
    landscape: bool = False,
) -> str:
    """One HTML table for the PDF; a grouped table gets a heading row where each group starts.
    Built with f-strings rather than the template engine: a list of ten thousand households
    would spend seconds in template loops."""
    # Fixed layout: the widths are known before the rows are read (much faster on long lists);
    # they come from the cells' text (reports.layout), as does the type size.
    rows = [row for _label, group_rows, _continued in groups for row in group_rows]
    layout = table_layout(table, columns, landscape=landscape, rows=rows)
    out = [f'<table class="figures" style="font-size:{layout.size:g}pt"><colgroup>']
    out.extend(f'<col style="width:{p:.2f}%">' for p in layout.percents())
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
            # a row of paragraphs (a unit's duties) may run on to the next page
            style = " ".join(
                filter(
                    None,
                    [row.get("_style"), "paragraphs" if _paragraphs(row, columns) else ""],
                )
            )
            out.append(f'<tr class="{style}">' if style else "<tr>")
            out.extend(_cell(c, row.get(c.key)) for c in columns)
            out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def tables_body(tables: list[Table], *, landscape: bool = False) -> str:
    """The tables one after another, each with its title and footnotes."""
    out = []
    for table in tables:
        out.append(f'<h2 class="table-title">{escape(table.title)}</h2>')
        groups = [(label, rows, False) for label, rows in table.groups()]
        out.append(table_html(table, groups, table.shown_columns, landscape=landscape))
        out.extend(f'<p class="footnote">{escape(note)}</p>' for note in table.footnotes)
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
            out.append(table_html(table, groups, table.shown_columns, landscape=report.landscape))
        elif block.kind == "paragraph":
            out.append(f'<p class="flow-paragraph">{text}</p>')
    return "".join(out)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (a running page header's ``content``)."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\' or ord(ch) < 32 or ch in "<>&" else ch for ch in text
    )
    return f'"{escaped}"'


def _stylesheet_path() -> str:
    path = finders.find("css/print.css")
    if path is None:  # collected static files only (production)
        path = str(Path(settings.STATIC_ROOT) / "css" / "print.css")
    return path


def report_body(report: Report, blocks) -> str:
    """The body of ``report``'s document: its own template where it has one (a form, a decision
    or minutes laid out by the app that builds it, given ``report``, ``blocks`` and the report's
    ``body_context``), else a flow of blocks (the plan), else its tables."""
    template = getattr(report, "body_template", "")
    if template:
        context = {"report": report, "blocks": blocks, **getattr(report, "body_context", {})}
        return render_to_string(template, context)
    if getattr(report, "blocks", None):
        return flow_body(report)
    return tables_body(report.tables, landscape=report.landscape)


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
            # a report laying out its own document may leave out the standard heading (a survey
            # form) or place the closing itself (a decision, before its annexes)
            "heading": first and getattr(report, "official_heading", True),
            "closing": last and getattr(report, "official_closing", True),
            "first_page": first_page,
            "charts": charts_svg(report) if last else [],
            "provisional": report.provisional_note,
            "provisional_css": css_string(report.provisional_note),
        },
    )
    stylesheet = CSS(filename=_stylesheet_path(), font_config=fonts)
    return HTML(string=html, base_url=str(Path(_stylesheet_path()).parent)).render(
        stylesheets=[stylesheet], font_config=fonts
    )


def fast_table(table: Table, *, landscape: bool = False):
    """A grouped list table as the direct PDF writer takes it (formatted cells, group rows)."""
    from .fastpdf import FastColumn, FastTable, Style

    columns = table.shown_columns
    layout = table_layout(table, columns, landscape=landscape, sizes=(Style.size,))
    fast = FastTable(
        title=table.title,
        columns=[
            FastColumn(c.label, width, c.numeric)
            for c, width in zip(columns, layout.widths, strict=True)
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


def long_tables(report: Report) -> list[Table]:
    """The tables of ``report`` that :func:`table_pdf` draws directly: the grouped tables of a
    report registered with ``long_table=True``, as long as none has grouped column headers
    (the direct writer draws one header row)."""
    spec = registry.spec(report.slug)
    if (
        not (spec and spec.long_table)
        or getattr(report, "blocks", None)
        or getattr(report, "body_template", "")
    ):
        return []
    tables = [t for t in report.tables if t.group_by]
    return [] if any(t.has_groups for t in tables) else tables


def document_pdf(report: Report, blocks=None) -> bytes:
    """The report as one WeasyPrint document: a flow of blocks (the plan) or its tables."""
    if blocks is None:
        blocks = _document_blocks(report)
    body = report_body(report, blocks)
    document = _weasy_document(report, blocks, body, first=True, last=True, first_page=1)
    return document.write_pdf()


def table_pdf(report: Report, blocks=None) -> bytes:
    """The document blocks and the small tables by WeasyPrint; the long grouped tables (lists)
    drawn directly (``fastpdf``); joined with pypdf, the page numbers running on."""
    from pypdf import PdfWriter

    from .fastpdf import Writer, font_paths

    if blocks is None:
        blocks = _document_blocks(report)
    small = [t for t in report.tables if not t.group_by]
    long = [t for t in report.tables if t.group_by]
    front = _weasy_document(
        report,
        blocks,
        tables_body(small, landscape=report.landscape),
        first=True,
        last=False,
        first_page=1,
    )
    front_pages = len(front.pages)
    writer = Writer(
        *font_paths(),
        landscape=report.landscape,
        first_page=front_pages + 1,
        mark=report.provisional_note,
    )
    for table in long:
        writer.table(fast_table(table, landscape=report.landscape), new_page=True)
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


def to_pdf(report: Report, *, blocks=None) -> bytes:
    """The report as an official document: :func:`table_pdf` when its registry spec says it has
    long tables to draw directly (see :func:`long_tables`), else :func:`document_pdf`."""
    if long_tables(report):
        return table_pdf(report, blocks)
    return document_pdf(report, blocks)


def _document_blocks(report: Report):
    from .documents import report_document_blocks

    return report_document_blocks(report)
