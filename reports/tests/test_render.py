"""Rendering: the shipped font in the PDF, the two PDF paths (one WeasyPrint document; long lists
drawn directly) with continuous page numbers, the charts, the command line and a bounded number
of queries per report."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from households.tests.report_data import cycle_of, households, populate, record
from reports.charts import render_svg
from reports.pdf import to_pdf
from reports.registry import REPORTS, SPECS
from reports.tables import Chart, Column, Report, Table

pytestmark = pytest.mark.django_db


def embedded_fonts(pdf: bytes) -> list[TTFont]:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            data = descriptor.get_object()["/FontFile2"].get_data()
            fonts.append(TTFont(io.BytesIO(data)))
    return fonts


def test_the_pdf_embeds_the_shipped_liberation_serif_with_vietnamese_glyphs(village_a):
    populate(village_a, 10, poor=2, near=1)
    pdf = to_pdf(SPECS["baseline"].figures(village_a.parent, 2023))
    fonts = embedded_fonts(pdf)
    assert fonts
    for font in fonts:
        # The system's Liberation 1.07 has no Vietnamese letters; the shipped 2.x has them.
        assert font["name"].getDebugName(5).startswith("Version 2.")
        assert "Liberation" in font["name"].getDebugName(4)
    cmap = {}
    for font in fonts:
        cmap.update(font.getBestCmap() or {})
    assert all(ord(ch) in cmap for ch in "ệộựơư")


def synthetic_report(rows: int, villages: int = 3, grouped: bool = True) -> Report:
    columns = [
        Column("village", "Thôn"),
        Column("n", "STT", "int"),
        Column("name", "Họ và tên"),
    ]
    data = [
        {"village": f"Thôn {i % villages}", "n": i, "name": f"Nguyễn Văn Đức {i}"}
        for i in sorted(range(rows), key=lambda i: i % villages)
    ]
    area = type(
        "A",
        (),
        {
            "code": "1",
            "name": "Xã Thử",
            "kind": "commune",
            "parent_id": None,
            "path": "/1/",
            "pk": 1,
        },
    )()
    return Report(
        slug="lists",
        title="Danh sách thử",
        area=area,
        year=2024,
        landscape=True,
        tables=[Table("Danh sách", columns, data, key="t", group_by="village" if grouped else "")],
    )


def test_a_long_ungrouped_table_pdf_has_every_row_and_numbers_its_pages_on():
    report = synthetic_report(90, villages=2, grouped=False)
    pdf = to_pdf(report, blocks=_blocks())
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for i in range(90):
        assert f"Nguyễn Văn Đức {i} " in text + " "
    tops = _top_lines(reader)
    assert len(reader.pages) > 2
    assert tops[1:] == [str(n) for n in range(2, len(reader.pages) + 1)]


def test_long_grouped_lists_are_drawn_directly_with_headers_on_every_page():
    report = synthetic_report(400, villages=4)
    pdf = to_pdf(report, blocks=_blocks())
    reader = PdfReader(io.BytesIO(pdf))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    text = " ".join(pages)
    for i in range(400):
        assert f"Nguyễn Văn Đức {i} " in text + " "
    table_pages = [p for p in pages if "Nguyễn Văn Đức" in p]
    assert len(table_pages) > 5
    assert all("STT Họ và tên" in p for p in table_pages)  # the header repeats
    assert "Thôn 3 (100)" in text  # a group's heading row with its count
    # A page that a village's rows run on to starts with that village's heading again.
    for page in table_pages[1:]:
        under_header = page.split("STT Họ và tên ", 1)[1]
        assert re.match(r"Thôn \d \((tiếp theo|100)\)", under_header), under_header[:40]
    assert sum("(tiếp theo)" in p for p in table_pages) >= 4
    tops = _top_lines(reader)
    assert tops[1:] == [str(n) for n in range(2, len(reader.pages) + 1)]
    for font in embedded_fonts(pdf):
        assert font["name"].getDebugName(5).startswith("Version 2.")


def test_only_a_report_registered_as_long_table_draws_its_grouped_tables_directly():
    from reports.registry import spec

    assert spec("lists").long_table and not spec("baseline").long_table
    report = synthetic_report(30, villages=3)
    drawn = " ".join(
        " ".join(p.extract_text().split()) for p in _pages(to_pdf(report, blocks=_blocks()))
    )
    assert "Thôn 1 (10)" in drawn  # fastpdf heads a group with its count
    report.slug = "baseline"  # the same tables in a report not registered as long
    laid_out = " ".join(
        " ".join(p.extract_text().split()) for p in _pages(to_pdf(report, blocks=_blocks()))
    )
    assert "Thôn 1" in laid_out and "Thôn 1 (10)" not in laid_out
    for i in range(30):
        assert f"Nguyễn Văn Đức {i} " in laid_out + " "


def _pages(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages


def _blocks():
    from reports.documents import DocumentBlocks

    return DocumentBlocks(
        superior_body="",
        issuing_body=["ỦY BAN NHÂN DÂN", "XÃ THỬ"],
        number_symbol="Số: 1/DS",
        place_date="Thử, ngày 01 tháng 01 năm 2024",
        document_type="DANH SÁCH",
        subject="Danh sách thử",
        signing_authority="TM. ỦY BAN NHÂN DÂN",
        signer_position="CHỦ TỊCH",
        signer_name="",
        recipients=["- Lưu: VT."],
    )


def test_direct_pdf_text_wraps_within_the_cell_width():
    from reports.fastpdf import FontUse, font_paths, wrap

    font = FontUse(font_paths()[0], "F1")
    name = "Nguyễn Thị Phương Thảo Hoàng Văn Đức Nông Thị Hồng Nhung"
    lines = wrap(font, name, 11, 80)
    assert len(lines) > 1 and " ".join(lines) == name
    assert all(font.width(line, 11) <= 80 for line in lines)
    long_word = wrap(font, "VH01-" + "9" * 60, 11, 50)
    assert "".join(long_word) == "VH01-" + "9" * 60
    assert all(font.width(line, 11) <= 50 for line in long_word)


def test_charts_are_svg_with_escaped_text():
    chart = Chart("c", "A & B", "bars", ["1.1 <x>", "1.2"], [("Hộ nghèo", [50, None])])
    svg = render_svg(chart)
    assert svg.startswith("<svg") and "A &amp; B" in svg and "&lt;x&gt;" in svg
    line = render_svg(Chart("t", "T", "lines", ["2022", "2023"], [("Hộ nghèo", [10, 7.5])]))
    assert "<polyline" in line and "7,50 %" in line


def test_the_report_command_writes_pdf_xlsx_and_one_file_per_commune(
    village_a, other_village, district, tmp_path, capsys
):
    from areas.tests.factories import CommuneFactory, VillageFactory

    populate(village_a, 6, poor=2, near=1)
    second = VillageFactory(parent=CommuneFactory(name="Xã Hai", code="01091", parent=district))
    populate(second, 4, poor=1)
    CommuneFactory(name="Xã Trống", code="01092", parent=district)  # no review: skipped
    commune = village_a.parent
    target = tmp_path / "b.pdf"
    call_command(
        "report",
        "baseline",
        "--area",
        commune.code,
        "--year",
        "2023",
        "--format",
        "pdf",
        "--output",
        str(target),
    )
    assert target.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="--output"):
        call_command(
            "report", "baseline", "--area", commune.code, "--year", "2023", "--format", "xlsx"
        )
    folder = tmp_path / "all"
    call_command(
        "report",
        "lists",
        "--area",
        district.code,
        "--year",
        "2023",
        "--format",
        "xlsx",
        "--all-below",
        "--output",
        str(folder),
    )
    err = capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == [
        "lists-01090-2023.xlsx",
        "lists-01091-2023.xlsx",
    ]
    assert "3/3" in err and "Bỏ qua Xã Trống" in err and "[####" in err
    with pytest.raises(CommandError, match="since"):
        call_command(
            "report", "movement", "--area", commune.code, "--year", "2023", "--option", "until=1"
        )


def test_the_command_passes_a_report_option(village_a, capsys):
    hs = households(village_a, 3)
    commune = village_a.parent
    record(cycle_of(commune, 2021), {hs[0]: "poor"})
    record(cycle_of(commune, 2022), {hs[0]: "out"})
    record(cycle_of(commune, 2023), {hs[0]: "poor", hs[1]: "poor"})
    call_command(
        "report",
        "movement",
        "--area",
        commune.code,
        "--year",
        "2023",
        "--format",
        "json",
        "--option",
        "since=2021",
    )
    data = json.loads(capsys.readouterr().out)
    total = next(r for r in data["tables"][0]["rows"] if r["key"] == "total")
    assert data["title"].startswith("Biến động") and "2021" in data["title"]
    assert total["start_poor"] == 1 and total["end_poor"] == 2 and total["newly_poor"] == 1


BUILDERS = {
    "baseline": lambda a: REPORTS["baseline"](a, 2024),
    "lists": lambda a: REPORTS["lists"](a, 2024),
    "movement": lambda a: REPORTS["movement"](a, 2024),
    "mpi": lambda a: REPORTS["mpi"](a, 2024),
    "progress": lambda a: REPORTS["progress"](a, 2024),
}


@pytest.mark.parametrize("slug", sorted(BUILDERS))
def test_the_query_count_of_each_report_does_not_grow_with_households(
    slug, village_a, village_b, django_assert_max_num_queries
):
    from indicators import services as target_services

    commune = village_a.parent
    for year in (2023, 2024):
        populate(village_a, 4, poor=1, near=1, year=year)
    target_services.target_set(area=commune, year=2024, metric="jobs", value=1, source="x")
    with django_assert_max_num_queries(12) as small:
        BUILDERS[slug](commune)
    for year in (2023, 2024):
        populate(village_a, 20, poor=6, near=3, year=year)
        populate(village_b, 20, poor=5, near=2, year=year)
    with django_assert_max_num_queries(len(small.captured_queries)):
        BUILDERS[slug](commune)


def test_the_reconciliation_and_communes_queries_are_bounded(
    village_a, district, django_assert_max_num_queries
):
    from reports.services import stated_document_save

    populate(village_a, 5, poor=1)
    stated_document_save(
        area=village_a.parent, year=2023, reference="X", text="poor; households; 1"
    )
    with django_assert_max_num_queries(10):
        REPORTS["reconciliation"](village_a.parent, 2023)
    with django_assert_max_num_queries(8):
        REPORTS["communes"](district, 2023)


def test_figures_print_decimals_only_when_they_have_some():
    from decimal import Decimal

    from core.formatting import format_number
    from reports.tables import Column

    assert [format_number(v) for v in (7, Decimal("7.50"), 2.999, 3326.6, None)] == [
        "7",
        "7,5",
        "3",
        "3.326,6",
        "–",
    ]
    assert Column("t", "T", "number").format(Decimal("100.00")) == "100"


def _top_lines(reader) -> list[str]:
    """The first line of text on each page, as laid out."""
    return [
        next(
            line.strip()
            for line in p.extract_text(extraction_mode="layout").splitlines()
            if line.strip()
        )
        for p in reader.pages
    ]
