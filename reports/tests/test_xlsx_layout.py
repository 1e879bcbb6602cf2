"""Every registered report's workbook as a district officer opens it, on the demo commune: the
header frozen and filtered, one page wide when printed with the header repeated, sheet names
short, whole-worded and unique, numbers stored as numbers with the Vietnamese locale, and the
report's notes once, on their own sheet. And the PDF tables' widths: no column narrower than
its longest word, no number wrapped."""

import io
import re
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from openpyxl import load_workbook

from areas.models import Area
from reports import registry
from reports.layout import CELL_EXTRA, table_layout, text_width
from reports.tables import Column, Report, Table
from reports.xlsx import DANGLING, LOCALE, NOTES_SHEET, sheet_name, to_xlsx

#: a cell whose text is a formatted number ("3.049,3", "10,35 %", "1.295"): it should be a number
NUMBER_TEXT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?( ?%)?$|^-?\d+,\d+( ?%)?$")
#: text columns that hold codes or ordinals, not quantities (a household code, an indicator code)
CODE_LIKE = re.compile(r"^\d+(\.\d+)?$")


def restore_migration_data():
    """Rows the data migrations load, which a flush empties."""
    import_module("indicators.migrations.0002_load_standards").load(global_apps, None)
    import_module("budget.migrations.0003_funding_sources").load(global_apps, None)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            # another module's demo test may have flushed the funding sources
            import_module("budget.migrations.0003_funding_sources").load(global_apps, None)
            call_command("load_demo", stdout=io.StringIO())
            yield Area.objects.get(code="01090", kind=Area.Kind.COMMUNE)
        finally:  # leave an empty database, with the migrations' rows, to the modules that follow
            call_command("flush", interactive=False, verbosity=0)
            restore_migration_data()


def workbooks(demo):
    """(slug, workbook) of every registered report that has data for the demo commune: the
    district's report for the district, the others for the commune, 2024."""
    from reports.errors import ReportError

    for slug, spec in registry.SPECS.items():
        area = demo.parent if slug == "communes" else demo
        try:
            report = registry.build(spec, area, 2024)
        except ReportError:
            continue
        yield slug, load_workbook(io.BytesIO(to_xlsx(report)))


@pytest.mark.django_db
def test_every_report_workbook_is_ready_to_filter_and_print(demo):
    checked = set()
    for slug, book in workbooks(demo):
        checked.add(slug)
        names = [sheet.title for sheet in book.worksheets]
        assert len({n.lower() for n in names}) == len(names), (slug, names)
        assert names.count(NOTES_SHEET) <= 1 and NOTES_SHEET not in names[:-1], (slug, names)
        for sheet in book.worksheets:
            where = (slug, sheet.title)
            assert len(sheet.title) <= 31 and sheet.title == sheet.title.strip(), where
            assert sheet.title.split()[-1].lower() not in DANGLING, where
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, where
            if sheet.title == NOTES_SHEET:
                continue
            # the header: frozen below it, filtered on its last row, printed on every page
            assert sheet.freeze_panes, where
            header_last = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1
            assert sheet.auto_filter.ref.startswith(f"A{header_last}:"), where
            assert sheet.print_title_rows.endswith(f"${header_last}"), where
            for row in sheet.iter_rows(min_row=header_last + 1):
                for cell in row:
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        assert cell.number_format.startswith(LOCALE), (where, cell.coordinate)
                    elif isinstance(cell.value, str):
                        text = cell.value.strip()
                        assert not NUMBER_TEXT.match(text) or CODE_LIKE.match(text), (
                            where,
                            cell.coordinate,
                            text,
                        )
    # every report with data for the demo commune (reconciliation needs a stated document)
    assert set(registry.SPECS) - {"reconciliation"} <= checked, checked


@pytest.mark.django_db
def test_a_warning_is_written_once_on_the_notes_sheet(demo):
    report = registry.build(registry.spec("budget"), demo, 2024)
    warning = next(note for note in report.footnotes if "3.326,6" in note)
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    found = [
        (sheet.title, cell.coordinate)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == warning
    ]
    assert found == [(NOTES_SHEET, found[0][1])], found
    # the budget's money in the locale's format, the rate a number shown as a percentage
    lines = book.worksheets[0]
    formats = {c.number_format for row in lines.iter_rows() for c in row if c.data_type == "n"}
    assert {f"{LOCALE}#,##0.0", f"{LOCALE}0.00%"} <= formats


def test_sheet_names_are_cut_at_a_word_and_made_unique():
    used: set[str] = set()
    long = "Đối chiếu tổng số với các dòng kinh phí của các nguồn vốn"
    first = sheet_name(long, used)
    assert first == "Đối chiếu tổng số với các dòng"  # not "… dòng ki", not "… với các"
    second = sheet_name(long, used)
    assert second == "Đối chiếu tổng số (2)"  # the suffix takes room: cut at a word again
    assert sheet_name("Kinh phí: [năm] 2024?", used) == "Kinh phí năm 2024"
    assert sheet_name("Ghi chú", {"Ghi chú"}) == "Ghi chú (2)"


def test_multi_paragraph_cells_stay_in_one_wrapped_cell():
    area = type("A", (), {"code": "1", "name": "Xã Thử", "kind": "commune", "pk": 1})()
    table = Table(
        "Nhiệm vụ",
        [Column("unit", "Đơn vị"), Column("duties", "Nhiệm vụ")],
        [{"unit": "Công an xã", "duties": "Việc thứ nhất.\nViệc thứ hai."}],
        key="t",
    )
    report = Report(slug="t", title="Thử", area=area, year=2024, tables=[table])
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "Việc" in str(c.value)]
    assert len(cells) == 1 and cells[0].value == "Việc thứ nhất.\nViệc thứ hai."
    assert cells[0].alignment.wrap_text


@pytest.mark.django_db
def test_budget_pdf_columns_hold_their_longest_word_and_whole_numbers(demo):
    report = registry.build(registry.spec("budget"), demo, 2024)
    for table in report.tables:
        columns = table.shown_columns
        layout = table_layout(table, columns, landscape=report.landscape)
        for column, width in zip(columns, layout.widths, strict=True):
            inner = width - CELL_EXTRA + 0.01
            words = column.label.split()
            bold_words = [(w, True) for w in words]
            for row in table.rows:
                text = column.format(row.get(column.key))
                bold = row.get("_style") in ("total", "wrong")
                pieces = [text] if column.numeric else text.split()
                bold_words += [(p, bold) for p in pieces]
            for word, bold in bold_words:
                assert text_width(word, layout.size, bold=bold) <= inner, (
                    table.key,
                    column.key,
                    word,
                )
        assert abs(sum(layout.widths) - sum(table_layout(table, columns).widths)) < 0.01
    # the subproject column is not squeezed to a word per line: "Dự án, tiểu dự án" in two
    lines = report.table("lines")
    layout = table_layout(lines, lines.shown_columns)
    first = layout.widths[0] - CELL_EXTRA
    assert text_width("Dự án, tiểu dự án", layout.size, bold=True) <= 2 * first
