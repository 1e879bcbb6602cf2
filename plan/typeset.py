"""The plan laid out for its PDF (``templates/plan/documents/body.html``, given to the engine as the
report's ``body_template``): the flow of headings, paragraphs and tables, the signature and
"Nơi nhận", then Appendix 01 on a page of its own with its "(Kèm theo Kế hoạch số …)" line, and
a "DỰ THẢO" mark on every page while the plan's checks are open (``plan/checks.py``).

Document symbols and dates ("28/NQ-HĐND", "27/2022/NĐ-CP", "19/12/2023") are kept on one line:
WeasyPrint breaks a line after "/" and after "-", so each is set in a ``nowrap`` span (joiners
such as U+2060 do not stop the break after a hyphen)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.documents import date_text, in_running_text, issuing_area
from reports.pdf import table_html

#: a run of letters and digits with "/" or a hyphen between digits: a document's number and
#: symbol, a date, a period ("2021-2025")
UNBREAKABLE = re.compile(r"[\w.²]*\d[\w.²]*(?:[/\-–][\w.²]+)+")


def typeset(text: str) -> SafeString:
    """``text`` escaped for the PDF, its symbols and dates unbreakable."""
    out, last = [], 0
    for match in UNBREAKABLE.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<span class="nowrap">{escape(match.group())}</span>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _items(report, blocks) -> list[dict[str, Any]]:
    tables = {t.key: t for t in report.tables}
    items = []
    for block in blocks:
        item = {
            "kind": block.kind,
            "level": block.level,
            "html": typeset(block.text),
            "closing": block.part == "closing",
        }
        if block.kind == "table":
            table = tables.get(block.table)
            if table is None:
                continue
            groups = [(label, rows, False) for label, rows in table.groups()]
            item["html"] = mark_safe(table_html(table, groups, table.shown_columns))
        items.append(item)
    return items


def annex_of(report) -> str:
    """ "(Kèm theo Kế hoạch số 193/KH-UBND ngày 16 tháng 4 năm 2024 của UBND xã Vĩnh Hảo)", with
    blanks for a number or date not yet given."""
    values = report.document_values
    issuer = issuing_area(report.area)
    return _("(Kèm theo Kế hoạch số %(number)s/%(symbol)s %(date)s của UBND %(commune)s)") % {
        "number": values.get("number") or "\u00a0" * 6,
        "symbol": f"{report.symbol}-UBND",
        "date": date_text(values.get("document_date"), report.year),
        # the commune's name is not split across lines either
        "commune": in_running_text(issuer.name).replace(" ", "\u00a0"),
    }


def body_context(report) -> dict[str, Any]:
    return {
        "items": _items(report, report.blocks),
        "appendix": _items(report, report.appendix),
        "annex_of": typeset(annex_of(report)),
        "draft": report.draft,
    }
