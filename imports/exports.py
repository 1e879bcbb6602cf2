"""Excel (.xlsx) exports and import templates.

One layout per kind of list, shared with the importer (``imports.household_sheet()`` etc.), so an
exported file imports again with no changes and a template is an export with no rows:

- the registry: sheet “Hộ gia đình” plus sheet “Thành viên”;
- the review results of a cycle, and the lists of poor and near-poor households: one sheet with the
  household code, member count, income, B1 score and one column per indicator.

Headers are in Vietnamese with a hint on each (a comment, and the input message of the cell's
validation), numbers are stored as numbers, dates as dates, column widths are set, drop-downs
offer the villages, sexes, yes/no and other choices, and any text that starts with = + - @ gets a
leading apostrophe so that no spreadsheet runs it as a formula. Callers pass querysets that are
already scoped to the user (``visible_to``), so exports show what the pages show.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.db.models import BooleanField, Case, Q, Value, When
from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from areas.models import Area
from areas.scoping import person_areas_within
from core.cells import neutralise
from core.collation import by_name, sorted_vietnamese, vietnamese_key
from households.bulkregistry import MEMBER_IMPORT_FIELDS
from households.models import Assessment, Deprivation, Household, Member, ReviewCycle
from households.privacy import mask_citizen_id
from households.standing import on_registry
from indicators.models import Indicator
from indicators.rules import HouseholdClass

from .columns import SheetSpec, assessment_sheet, household_sheet, member_sheet, parse_text
from .reader import open_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALIDATED_ROWS = 5000  # rows below the header that get the drop-downs and hints
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FDE9D9")
_REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")


def _yes_no(flag: bool) -> str:
    return _("có") if flag else _("không")


def _labels(choices) -> dict[str, str]:
    """{code: label} in the active language, computed once per export: ``get_FOO_display()``
    per row costs more than writing the cell."""
    return {code: str(label) for code, label in choices}


class _Writer:
    """A write-only workbook (rows are streamed to disk, memory stays flat) with a hidden sheet
    of the drop-down lists and an instructions sheet."""

    def __init__(self):
        self.wb = Workbook(write_only=True)
        self._lists: list[tuple[str, list[str]]] = []
        self._help: list[tuple[str, str, bool, str]] = []

    def list_range(self, title: str, items: Sequence[str]) -> str | None:
        if not items:
            return None
        self._lists.append((title, [str(i) for i in items]))
        column = get_column_letter(len(self._lists))
        sheet = quote_sheetname(_("Danh mục"))
        return f"{sheet}!${column}$2:${column}${len(items) + 1}"

    def sheet(self, spec: SheetSpec, rows: Iterable[list], *, lists: dict[str, Sequence[str]]):
        ws = self.wb.create_sheet(spec.name)
        ws.freeze_panes = "A2"
        end = VALIDATED_ROWS + 1
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = column.width
            if column.number_format:
                # What a user types later into an empty cell of the column gets the format (text
                # keeps the 0 of a phone number or citizen ID); written cells carry their own
                # (``_cell``), since a cell's own style wins over its column's.
                ws.column_dimensions[letter].number_format = column.number_format
            hint = str(column.hint) if column.hint else ""
            if column.informative:
                hint = _("Để đọc; bỏ qua khi nhập.")
            self._help.append((spec.name, str(column.header), column.required, hint))
            choices = lists.get(column.key) or [str(c) for c in column.choices]
            source = self.list_range(str(column.header), choices) if choices else None
            validation = DataValidation(
                type="list" if source else None,
                formula1=f"={source}" if source else None,
                allow_blank=True,
                showErrorMessage=bool(source),
                errorTitle=str(column.header)[:32],
                error=_("Hãy chọn một giá trị trong danh sách.") if source else None,
                showInputMessage=bool(hint),
                promptTitle=str(column.header)[:32],
                prompt=hint[:255] or None,
            )
            if source or hint:
                validation.add(f"{letter}2:{letter}{end}")
                ws.data_validations.append(validation)  # write-only sheets lack the helper
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(ws, value=str(column.header))
            cell.font = _HEADER_FONT
            cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
            cell.alignment = _HEADER_ALIGN
            if column.hint and not column.informative:
                cell.comment = Comment(str(column.hint), "povertyplan", width=240, height=90)
            header.append(cell)
        ws.append(header)
        formats = [c.number_format for c in spec.columns]
        for values in rows:
            ws.append([self._cell(ws, v, f) for v, f in zip(values, formats, strict=True)])
        return ws

    @staticmethod
    def _cell(ws, value, number_format):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            if number_format == "@":  # phone, citizen ID: stays text when a user retypes it
                cell = WriteOnlyCell(ws, value=neutralise(value))
                cell.number_format = "@"
                return cell
            return neutralise(value)
        if isinstance(value, datetime.date):
            # A text cell "05/09/1980": a date cell would be shown, and retyped, in the reading
            # program's language (docs/decisions-import.md, "Spreadsheets set to another
            # language"); the importer reads the text as dd/mm/yyyy.
            cell = WriteOnlyCell(ws, value=f"{value.day:02d}/{value.month:02d}/{value.year:04d}")
            cell.number_format = "@"
            return cell
        if isinstance(value, int | float | Decimal) and number_format and number_format != "@":
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = number_format
            return cell
        return value

    def finish(self) -> bytes:
        if self._help:
            ws = self.wb.create_sheet(_("Hướng dẫn"))
            for letter, width in zip("ABCD", (16, 34, 10, 70), strict=True):
                ws.column_dimensions[letter].width = width
            ws.append([_("Trang"), _("Cột"), _("Bắt buộc"), _("Hướng dẫn")])
            for sheet, column, required, hint in self._help:
                ws.append([sheet, column, _yes_no(required), hint])
            ws.append([])
            ws.append(
                [
                    _(
                        "Ngày: dd/mm/yyyy hoặc ô ngày tháng của Excel. Có/không: có, không, x, 1, "
                        "0 hoặc để trống (= không). Không dùng công thức; không gộp ô ở dòng tiêu "
                        "đề. Mã hộ và số CCCD nhập dạng văn bản."
                    )
                ]
            )
        if self._lists:
            ws = self.wb.create_sheet(_("Danh mục"))
            ws.sheet_state = "hidden"
            longest = max(len(items) for _t, items in self._lists)
            ws.append([title for title, _items in self._lists])
            for i in range(longest):
                ws.append([items[i] if i < len(items) else None for _t, items in self._lists])
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


def max_households() -> int:
    """The most households one export of the list may hold (settings.EXPORT_MAX_HOUSEHOLDS).
    The workbook is built inside the request, and a much larger export comes close to gunicorn's
    default timeout (docs/benchmarks.md), so the default is 20,000 — a large commune, or a
    district filtered by commune or village."""
    return settings.EXPORT_MAX_HOUSEHOLDS


def response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX
    )


# --- the registry ---------------------------------------------------------------------------


def _household_rows(households) -> Iterable[list]:
    yes_no = {True: _yes_no(True), False: _yes_no(False)}
    material = _labels(Household.Material.choices)
    water = _labels(Household.Water.choices)
    latrine = _labels(Household.Latrine.choices)
    villages: dict[int, str] = {}
    for h in households:
        village = villages.get(h.village_id)
        if village is None:
            village = villages[h.village_id] = h.village.name
        yield [
            h.code,
            village,
            h.head_name,
            h.address,
            h.ethnicity,
            h.phone,
            yes_no[h.is_urban],
            h.floor_area_m2,
            material.get(h.house_material, ""),
            water.get(h.water_source, ""),
            latrine.get(h.latrine, ""),
            h.left_registry_on,
        ]


def _member_rows(members) -> Iterable[list]:
    yes_no = {True: _yes_no(True), False: _yes_no(False)}
    sex = _labels(Member.Sex.choices)
    relation = _labels(Member.Relation.choices)
    schooling = _labels(Member.Schooling.choices)
    work = _labels(Member.Work.choices)
    for code, m in members:
        full = m.pop("citizen_id_full", True)
        yield [
            code,
            m["full_name"],
            sex.get(m["sex"], m["sex"]),
            m["date_of_birth"],
            relation.get(m["relation_to_head"], m["relation_to_head"]),
            m["citizen_id"] if full else mask_citizen_id(m["citizen_id"]),
            m["ethnicity"],
            yes_no[m["has_health_insurance"]],
            schooling.get(m["schooling"], ""),
            work.get(m["work_status"], ""),
            yes_no[m["has_disability"]],
        ]


def households_workbook(
    households, *, villages: Sequence[Area] | None = None, revealable=None
) -> bytes:
    """The households of ``households`` (a scoped queryset, e.g. the list page's filtered and
    sorted one) in its order, with their members (by household code), in the import layout.

    ``revealable``: the households whose members' citizen IDs are written in full
    (``areas.scoping.citizen_ids_revealable``); the others' are masked. ``None`` writes every
    number in full: for callers with no user (the shell), never for a web request."""
    ids = households.order_by().values("pk")
    rows = households.select_related("village").iterator(chunk_size=2000)
    member_rows = Member.objects.filter(household_id__in=ids)
    if revealable is not None:
        member_rows = member_rows.annotate(
            citizen_id_full=Case(
                When(household_id__in=revealable.order_by().values("pk"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    fields = ["household__code", *MEMBER_IMPORT_FIELDS]
    if revealable is not None:
        fields.append("citizen_id_full")
    members = (
        (m.pop("household__code"), m)
        for m in member_rows.order_by("household__commune_id", "household__code", "id")
        .values(*fields)
        .iterator(chunk_size=4000)
    )
    if villages is None:
        villages = Area.objects.filter(pk__in=households.order_by().values("village_id"))
    names = sorted_vietnamese({v.name for v in villages})
    writer = _Writer()
    writer.sheet(household_sheet(), _household_rows(rows), lists={"village": names})
    writer.sheet(member_sheet(), _member_rows(members), lists={})
    return writer.finish()


def household_template(commune: Area) -> bytes:
    """An empty registry workbook for ``commune``: headers, hints, drop-downs with its villages."""
    villages = sorted(Area.objects.villages().filter(parent=commune), key=by_name)
    return households_workbook(Household.objects.none(), villages=villages)


# --- review results -------------------------------------------------------------------------


def _indicators(cycle: ReviewCycle) -> list[Indicator]:
    return list(Indicator.objects.of_standard(cycle.standard).order_by("dimension__order", "order"))


def _assessment_rows(assessments, indicators) -> Iterable[list]:
    labels = _labels(Assessment.CLASS_CHOICES)
    yes_no = {True: _yes_no(True), False: _yes_no(False)}
    ids = list(assessments.order_by().values_list("pk", flat=True))
    deprived: dict[int, set[str]] = {}
    for start in range(0, len(ids), 5000):
        for assessment_id, code in Deprivation.objects.filter(
            assessment_id__in=ids[start : start + 5000]
        ).values_list("assessment_id", "indicator__code"):
            deprived.setdefault(assessment_id, set()).add(code)
    rows = (
        Assessment.objects.filter(pk__in=ids)
        .select_related("household", "village")
        .order_by("household__code")
        .iterator(chunk_size=2000)
    )
    for a in rows:
        mine = deprived.get(a.pk, set())
        yield [
            a.household.code,
            a.household.head_name,
            a.village.name,
            a.member_count,
            a.income_per_capita,
            a.b1_score,
            *[yes_no[i.code in mine] for i in indicators],
            labels.get(a.household_class, a.household_class),
        ]


def assessments_workbook(cycle: ReviewCycle, assessments, *, title: str | None = None) -> bytes:
    """The results in ``assessments`` (scoped, of ``cycle``) in the import layout."""
    indicators = _indicators(cycle)
    spec = assessment_sheet(indicators)
    if title:
        spec = SheetSpec(title, spec.columns)
    writer = _Writer()
    writer.sheet(spec, _assessment_rows(assessments, indicators), lists={})
    return writer.finish()


def assessment_template(cycle: ReviewCycle, households=None) -> bytes:
    """The results workbook for ``cycle``: one column per indicator of its standard, and a row
    for each of ``households`` (a scoped queryset; None: no rows) on the cycle's registry — its
    code, head and village, and as a starting point its answers in its latest decided result
    before the cycle (income, B1 score, indicators). Member count and class are left blank."""
    indicators = _indicators(cycle)
    writer = _Writer()
    rows = [] if households is None else _template_rows(cycle, households, indicators)
    writer.sheet(assessment_sheet(indicators), rows, lists={})
    return writer.finish()


def template_scope(user, area: Area):
    """The households of ``area`` that ``user`` may list (a board over its commune: its
    village's; no one's for a user who may list none)."""
    places = person_areas_within(user, area)
    if not places:
        return Household.objects.none()
    condition = Q()
    for place in places:
        condition |= Q(village__path__startswith=place.path)
    return Household.objects.visible_to(user).filter(condition)


def template_households(cycle: ReviewCycle, households):
    """``households`` (scoped) of the cycle's commune on its registry on its reference date."""
    return households.filter(commune_id=cycle.commune_id).filter(on_registry(cycle.reference_date))


def previous_results(cycle: ReviewCycle, household_ids) -> dict[int, Assessment]:
    """Each household's latest result in a decided (finalised) cycle of the commune before
    ``cycle`` — the periodic review of the year before, or an ad-hoc review after it."""
    found: dict[int, Assessment] = {}
    for start in range(0, len(household_ids), 5000):
        for result in (
            Assessment.objects.filter(
                household_id__in=household_ids[start : start + 5000],
                cycle__commune_id=cycle.commune_id,
                cycle__status=ReviewCycle.Status.FINALISED,
                cycle__reference_date__lt=cycle.reference_date,
            )
            .order_by("household_id", "-cycle__reference_date", "-pk")
            .only("pk", "household_id", "income_per_capita", "b1_score")
        ):
            found.setdefault(result.household_id, result)
    return found


def _template_rows(cycle, households, indicators) -> list[list]:
    chosen = list(
        template_households(cycle, households)
        .select_related("village")
        .only("pk", "code", "head_name", "village__name")
    )
    chosen.sort(key=lambda h: (vietnamese_key(h.village.name), h.village_id, h.code))
    before = previous_results(cycle, [h.pk for h in chosen])
    deprived: dict[int, set[str]] = {}
    ids = [a.pk for a in before.values()]
    for start in range(0, len(ids), 5000):
        for assessment_id, code in Deprivation.objects.filter(
            assessment_id__in=ids[start : start + 5000]
        ).values_list("assessment_id", "indicator__code"):
            deprived.setdefault(assessment_id, set()).add(code)
    yes_no = {True: _yes_no(True), False: _yes_no(False)}
    rows = []
    for h in chosen:
        result = before.get(h.pk)
        mine = deprived.get(result.pk, set()) if result else set()
        rows.append(
            [
                h.code,
                h.head_name,
                h.village.name,
                None,
                result.income_per_capita if result else None,
                result.b1_score if result else None,
                *[yes_no[i.code in mine] if result else None for i in indicators],
                None,
            ]
        )
    return rows


def rejected_workbook(cycle: ReviewCycle, source, sheet: str, rejected: dict[int, str]) -> bytes:
    """The rows of ``source`` (a results file) numbered in ``rejected`` ({row: problems}), in the
    template's columns with the problems in a last column: to fix and import again. Cells are
    written as the file had them (a formula as its text)."""
    from .columns import map_headers

    indicators = _indicators(cycle)
    spec = assessment_sheet(indicators, errors=True)
    workbook = open_workbook(source)
    try:
        header, rows = map_headers(workbook, sheet, spec)
        out = []
        for number, values in rows:
            if number not in rejected:
                continue
            row = []
            for column in spec.columns:
                if column.key == "errors":
                    row.append(rejected[number])
                    continue
                position = header.positions.get(column.key)
                raw = values[position] if position is not None and position < len(values) else None
                if isinstance(raw, str):
                    raw = str(raw)  # a formula or an error value as its text (neutralised)
                elif raw is not None and not isinstance(raw, int | float | Decimal | datetime.date):
                    raw = parse_text(str(raw))
                row.append(raw)
            out.append(row)
    finally:
        workbook.close()
    writer = _Writer()
    writer.sheet(spec, out, lists={})
    return writer.finish()


def class_list_workbook(cycle: ReviewCycle, assessments, household_class: str) -> bytes:
    """The list of poor (or near-poor) households of ``cycle``: the results layout, one class."""
    titles = {
        HouseholdClass.POOR.value: _("Hộ nghèo"),
        HouseholdClass.NEAR_POOR.value: _("Hộ cận nghèo"),
    }
    return assessments_workbook(
        cycle,
        assessments.filter(household_class=household_class),
        title=titles[household_class],
    )
