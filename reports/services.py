"""Writes of report data: the figures a document states (for reconciliation) and the blocks of
official documents. Each runs in a transaction, validates and raises ``ValidationError`` with a
Vietnamese message; a pasted table with one bad line writes nothing. The user must be allowed
the ``report`` action in the area; ``user=SYSTEM``, the default, is a command or the demo loader."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM, can_or_system
from core.forms import column_limits
from indicators.services import parse_number

from . import registry
from .documents import FIELDS
from .models import DocumentSettings, StatedDocument, StatedFigure
from .reconciliation import cells_of, row_label

SEPARATORS = re.compile(r"\s*[;\t|]\s*")


@dataclass(frozen=True)
class StatedLine:
    row: str
    column: str
    text: str


def _require_editor(user, area: Area) -> None:
    if not can_or_system(user, "report", area):
        raise ValidationError(
            _("Bạn không có quyền sửa số liệu của %(area)s.") % {"area": area.name}
        )


def parse_stated(text: str) -> list[StatedLine]:
    """Lines of ``row; column; value`` (also tab- or |-separated). Blank lines and lines starting
    with # are skipped. Raises one ValidationError listing every malformed line."""
    lines, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in SEPARATORS.split(line) if p != ""]
        if len(parts) != 3:
            errors.append(
                _("Dòng %(n)s: cần ba phần “mã dòng; mã cột; giá trị”, có “%(line)s”.")
                % {"n": number, "line": line}
            )
            continue
        lines.append(StatedLine(parts[0], parts[1], parts[2]))
    if errors:
        raise ValidationError(errors)
    return lines


#: what a stated figure may hold (the column's own limits, not a copy of them)
_VALUE = StatedFigure._meta.get_field("value")
low, high = column_limits(_VALUE)
TEXT_LENGTH = StatedFigure._meta.get_field("text").max_length


def cell_name(cells: dict, key: tuple[str, str]) -> str:
    """A cell as an officer reads it: "1.1 Việc làm – Hộ nghèo – % tổng số hộ nghèo"."""
    if key not in cells:
        return "; ".join(key)
    _table, row, column = cells[key]
    label = row_label(row)
    return " – ".join(p for p in (str(label), str(column.group or ""), str(column.label)) if p)


@transaction.atomic
def stated_document_save(
    *,
    area: Area,
    year: int,
    reference: str,
    text: str = "",
    values: dict[tuple[str, str], str] | None = None,
    report: str = "baseline",
    user=SYSTEM,
) -> StatedDocument:
    """Create or replace the stated figures of a document: ``values`` maps (row key, column key)
    of the compared report to the figure as written (the reconciliation page's inputs; empty ones
    are not stated), or ``text`` gives lines "row; column; value" (the demo, a command). Every
    cell must exist in the computed report and every value must be a number; otherwise nothing
    is written."""
    _require_editor(user, area)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(
            {"reference": _("Hãy ghi tên văn bản (ví dụ: Kế hoạch 193/KH-UBND).")}
        )
    build = registry.figures(report)
    if build is None:
        raise ValidationError(_("Không đối chiếu được với báo cáo “%(slug)s”.") % {"slug": report})
    computed = build(area, year)  # raises ReportError (a ValidationError) when there is no data
    cells = cells_of(computed)
    if values is not None:
        lines = [StatedLine(r, c, str(v)) for (r, c), v in values.items() if str(v or "").strip()]
    else:
        lines = parse_stated(text)
    if not lines:
        raise ValidationError(_("Chưa có số liệu nào: hãy nhập hoặc dán ít nhất một số."))
    errors, figures, seen = [], [], set()
    for order, line in enumerate(lines):
        key = (line.row, line.column)
        if key not in cells:
            errors.append(
                _("Không có ô “%(row)s; %(column)s” trong báo cáo.")
                % {"row": line.row, "column": line.column}
            )
            continue
        if key in seen:
            errors.append(_("Ô “%(cell)s” được nêu hai lần.") % {"cell": cell_name(cells, key)})
            continue
        seen.add(key)
        try:
            value = parse_number(line.text)
        except ValidationError:
            errors.append(
                _("“%(value)s” ở ô “%(cell)s” không phải là một số.")
                % {"value": line.text, "cell": cell_name(cells, key)}
            )
            continue
        if not low <= value <= high:
            errors.append(
                _("“%(value)s” ở ô “%(cell)s” quá lớn.")
                % {"value": line.text, "cell": cell_name(cells, key)}
            )
            continue
        table = cells[key][0]
        figures.append(
            StatedFigure(
                table=table.key,
                row=line.row,
                column=line.column,
                value=value,
                text=line.text.strip()[:TEXT_LENGTH],
                order=order,
            )
        )
    if errors:
        raise ValidationError(errors)
    document, _created = StatedDocument.objects.get_or_create(
        area=area,
        year=year,
        report=report,
        reference=reference,
        defaults={"created_by": user},
    )
    document.figures.all().delete()
    for figure in figures:
        figure.document = document
        figure.full_clean(exclude=["document"])
    StatedFigure.objects.bulk_create(figures)
    document.save(update_fields=["updated_at"])
    return document


@transaction.atomic
def stated_document_delete(*, document: StatedDocument, user=SYSTEM) -> None:
    _require_editor(user, document.area)
    document.delete()


@transaction.atomic
def document_settings_save(
    *,
    area: Area,
    report: str = "",
    user=SYSTEM,
    expected_version: int | None = None,
    **values,
) -> DocumentSettings:
    """Create or change the document blocks of ``area`` (for one report, or every document)."""
    _require_editor(user, area)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    settings = DocumentSettings.objects.select_for_update().filter(area=area, report=report).first()
    if settings is None:
        settings = DocumentSettings(area=area, report=report)
    elif expected_version is not None and settings.version != expected_version:
        raise ValidationError(
            _("Thể thức văn bản này vừa được người khác sửa; hãy tải lại trang và nhập lại.")
        )
    else:
        settings.version += 1
    for name, value in values.items():
        setattr(settings, name, value.strip() if isinstance(value, str) else value)
    settings.updated_by = user
    settings.full_clean()
    if user is not SYSTEM:
        settings._history_user = user
    settings.save()
    return settings
