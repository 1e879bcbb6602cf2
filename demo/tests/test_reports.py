"""The Vĩnh Hảo demo through the reports: section I as a PDF, the reconciliation of the seed's
stated figures, and the end-2024 review with the seed's targets."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from areas.models import Area
from demo.followup import load_followup
from households.reports.baseline import baseline_report
from households.reports.lists import lists as lists_report
from households.reports.movement import movement as movement_report
from households.reports.progress import progress as progress_report
from indicators.models import Target
from reports.pdf import to_pdf
from reports.reconciliation import reconciliation
from reports.xlsx import to_xlsx

# The seed's section I counts, and the percentages recomputed from them (two decimals, half-up).
SEED_COUNTS = ["134", "98", "400", "36", "150", "1.295"]
COMPUTED_RATES = [
    "10,35 %",
    "7,57 %",
    "2,78 %",
    "37,76 %",
    "33,67 %",
    "10,20 %",
    "54,08 %",
    "19,39 %",
    "26,53 %",
    "36,73 %",
    "8,16 %",
    "19,44 %",
    "11,11 %",
    "5,56 %",
]
SEED_WRONG = {("1.2", "poor_rate"), ("2.1", "poor_rate"), ("4.1", "poor_rate")}
SEED_ROUNDING = {
    ("1.1", "poor_rate"),  # 37,75 for 37,755…
    ("5.1", "poor_rate"),  # 19,38 for 19,387…
    ("3.1", "near_poor_rate"),  # 2,77 for 2,777…
    ("3.2", "near_poor_rate"),
    ("4.2", "near_poor_rate"),
    ("5.2", "near_poor_rate"),  # 5,55 for 5,555…
    ("6.1", "near_poor_rate"),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            call_command("load_demo", stdout=io.StringIO())
            commune = Area.objects.get(code="01090", kind=Area.Kind.COMMUNE)
            load_followup(commune=commune, log=lambda *a: None)
            yield commune
        finally:  # leave an empty database to the modules that follow, even after an error
            call_command("flush", interactive=False, verbosity=0)
            from django.apps import apps as global_apps

            from indicators import standards_data

            standards_data.load(global_apps)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def first_lines(data: bytes) -> list[str]:
    """The top line of each page, as laid out (where Decree 30 puts the page number)."""
    lines = []
    for page in PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text(extraction_mode="layout")
        lines.append(next(line.strip() for line in text.splitlines() if line.strip()))
    return lines


@pytest.mark.django_db
def test_section_one_pdf_holds_the_seed_counts_and_computed_percentages(demo):
    report = baseline_report(demo, 2023)
    pdf = to_pdf(report)
    pages = pdf_text(pdf)
    text = " ".join(" ".join(pages).split())
    for figure in SEED_COUNTS + COMPUTED_RATES:
        assert figure in text, figure
    # the typed figures of the seed that are wrong are not in the computed table
    for wrong in ("7,14 %", "10,29 %", "50,08 %"):
        assert wrong not in text
    # the Decree 30 blocks: issuing body, motto, place and date, signature and recipients
    for block in (
        "ỦY BAN NHÂN DÂN",
        "XÃ VĨNH HẢO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:",
        "/BC-UBND",
        "Vĩnh Hảo, ngày",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Thị Ngọc",
        "Nơi nhận:",
        "Lưu VP.",
    ):
        assert block in text, block
    # no page number on page 1; "2" at the top of page 2
    tops = first_lines(pdf)
    assert len(tops) >= 2 and tops[0].startswith("ỦY BAN") and tops[1] == "2"


@pytest.mark.django_db
def test_the_reconciliation_of_the_seed_flags_exactly_the_wrong_figures(demo):
    report = reconciliation(demo, 2023)
    marks = {}
    for row in (row for table in report.tables for row in table.rows):  # counts, then rates
        row_key, column = row["key"].split("/")
        marks[(row_key, column)] = row["_verdict"]
    assert {k for k, v in marks.items() if v == "wrong"} == SEED_WRONG
    assert {k for k, v in marks.items() if v == "rounding"} == SEED_ROUNDING
    assert all(v == "equal" for k, v in marks.items() if k not in SEED_WRONG | SEED_ROUNDING)
    assert len(marks) == 56
    assert report.provenance == {"equal": 46, "rounding": 7, "wrong": 3, "missing": 0}


@pytest.mark.django_db
def test_the_demo_2024_review_moves_against_the_seed_targets(demo):
    targets = dict(Target.objects.filter(area=demo, year=2024).values_list("metric", "value"))
    assert targets["poor_reduction"] == 30 and targets["near_poor_reduction"] == 5
    assert targets["poverty_rate"] == Decimal("7.64") and targets["jobs"] == 130
    assert targets["latrine"] == 60 and targets["telecom"] == 50
    for metric, total in (("poor_reduction", 30), ("near_poor_reduction", 5)):
        villages = Target.objects.filter(area__parent=demo, year=2024, metric=metric)
        assert villages.count() == 10 and sum(t.value for t in villages) == total

    movement = {r["key"]: r for r in movement_report(demo, 2024).tables[0].rows}["total"]
    assert (movement["start_poor"], movement["end_poor"]) == (98, 70)
    assert (movement["start_near"], movement["end_near"]) == (36, 33)
    assert movement["escaped_poverty"] > 0 and movement["newly_poor"] > 0

    progress = progress_report(demo, 2024)
    total = {r["key"]: r for r in progress.table("appendix").rows}["total"]
    assert total["poor_done"] == 28 and total["poor_achieved"] == Decimal("93.33")
    assert total["rate_target"] == Decimal("7.64") and total["rate_now"] == Decimal("7.95")
    services = {r["key"]: r for r in progress.table("services").rows}
    assert services["jobs"]["value"] == Decimal("118.00")
    assert "số liệu mẫu" in services["jobs"]["how"]


@pytest.mark.django_db
def test_every_demo_report_renders_in_every_format(demo):
    from reports.registry import SPECS
    from reports.render import render

    district = demo.parent
    for slug in ("baseline", "lists", "movement", "mpi", "progress", "reconciliation", "communes"):
        spec = SPECS[slug]
        area = district if slug == "communes" else demo
        year = 2023 if slug == "reconciliation" else 2024
        report = spec.build(area, year)
        for fmt in ("html", "csv", "json", "xlsx"):
            assert render(report, fmt)
    lists = lists_report(demo, 2024)
    pdf = to_pdf(lists)
    pages = pdf_text(pdf)
    # the document blocks, the lists drawn directly, the signature: page numbers run on
    assert len(pages) >= 5
    assert first_lines(pdf)[1:] == [str(n) for n in range(2, len(pages) + 1)]
    text = " ".join(" ".join(pages).split())
    for row in lists.table("poor").rows + lists.table("near_poor").rows:
        assert f"{row['code']} {row['head']}" in text
    text = " ".join(pages)
    assert "DANH SÁCH" in text and "Thôn Mẫu 01" in text and "/DS-UBND" in text
    assert to_xlsx(lists)[:2] == b"PK"
