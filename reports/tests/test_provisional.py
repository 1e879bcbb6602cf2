"""Official and provisional figures: a report opens on the latest finalised review even when a
newer open one has results; a year still under review is marked in every format; every report
page has a year picker; a year without data links the years that have some."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook
from pypdf import PdfReader

from households.models import ReviewCycle
from households.tests.report_data import cycle_of, households, record
from reports import registry

pytestmark = pytest.mark.django_db

MARK = "Số liệu tạm thời — đã rà soát 4/10 hộ"


def url(slug, **params):
    return reverse("report", args=[slug]) + "?" + urlencode(params)


def decide(cycle, number="45/QĐ-UBND", day=datetime.date(2023, 12, 20)):
    cycle.status = ReviewCycle.Status.FINALISED
    cycle.stage = ReviewCycle.Stage.DECIDED
    cycle.decision_number, cycle.decision_date = number, day
    cycle.save()
    return cycle


def two_years(village):
    """Ten households: all reviewed in 2023 (decided), four of them so far in 2024 (open)."""
    homes = households(village, 10)
    earlier = cycle_of(village.parent, 2023)
    record(
        earlier, {h: "poor" if i < 3 else "near" if i < 4 else "out" for i, h in enumerate(homes)}
    )
    decide(earlier)
    record(
        cycle_of(village.parent, 2024),
        {h: "poor" if i < 1 else "out" for i, h in enumerate(homes[:4])},
    )
    return homes


@pytest.fixture
def data(village_a):
    two_years(village_a)
    return village_a.parent


def pdf_pages(body: bytes) -> list[str]:
    assert body.startswith(b"%PDF")
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]


def test_the_default_year_is_the_latest_finalised_even_with_a_newer_open_review(
    client, officer, data
):
    assert registry.latest_year(data) == 2023
    assert [(c.year, c.official) for c in registry.year_choices(data)] == [
        (2024, False),
        (2023, True),
    ]
    client.force_login(officer)
    response = client.get(url("baseline", area=data.pk))
    assert response.status_code == 200 and response.context["report"].year == 2023
    html = response.content.decode()
    assert "cuối năm 2023" in html and 'data-testid="provisional"' not in html
    assert "tạm thời —" not in response.context["report"].provisional_note


def test_a_year_under_review_is_marked_on_the_page(client, officer, data):
    client.force_login(officer)
    html = client.get(url("baseline", area=data.pk, year=2024)).content.decode()
    assert 'data-testid="provisional"' in html and MARK in html
    for slug in ("lists", "mpi", "movement", "progress"):
        html = client.get(url(slug, area=data.pk, year=2024)).content.decode()
        assert MARK in html, slug


def test_the_year_picker_labels_official_and_provisional_years(client, officer, data):
    client.force_login(officer)
    response = client.get(url("baseline", area=data.pk, year=2024))
    html = response.content.decode()
    assert 'data-testid="year-picker"' in html
    assert '<option value="2024" selected>2024 — số liệu tạm thời</option>' in html
    assert '<option value="2023">2023 — số liệu chính thức</option>' in html
    # the plan of a year starts from the review of the year before
    options = [(o["year"], o["official"]) for o in response.context["years"]]
    assert options == [(2024, False), (2023, True)]
    plan = client.get(url("plan", area=data.pk))
    assert [o["year"] for o in plan.context["years"]] == [2025, 2024]
    assert plan.context["report"].year == 2024  # the plan built on the decided 2023 review
    assert not plan.context["report"].provisional_note
    later = client.get(url("plan", area=data.pk, year=2025)).content.decode()
    assert MARK in later  # its section I: the open review of 2024
    page = client.get(reverse("plan_document") + f"?commune={data.pk}&year=2025")
    assert MARK in page.content.decode()


def test_a_year_without_data_links_the_years_with_data(client, officer, data):
    client.force_login(officer)
    for fmt in ("html", "pdf"):
        response = client.get(url("baseline", area=data.pk, year=2021, format=fmt))
        html = response.content.decode()
        assert response.status_code == 404
        assert "Chưa có số liệu năm 2021 cho Xã Vĩnh Hảo" in html
        assert "Không lập được báo cáo" not in html
        assert f'href="/reports/baseline/?area={data.pk}&amp;year=2024"' in html
        assert f'href="/reports/baseline/?area={data.pk}&amp;year=2023"' in html
        assert "2023 — số liệu chính thức" in html


def test_an_open_review_without_a_result_is_no_year_with_data(client, officer, data):
    cycle_of(data, 2025)  # just opened
    client.force_login(officer)
    response = client.get(url("lists", area=data.pk, year=2025))
    assert response.status_code == 404 and "Chưa có số liệu năm 2025" in response.content.decode()
    assert response.context["years"][0]["year"] == 2024


@pytest.mark.parametrize("slug", ["baseline", "lists"])  # WeasyPrint; fastpdf for the lists
def test_every_pdf_page_carries_the_mark_and_official_pages_none(client, officer, data, slug):
    client.force_login(officer)
    pages = pdf_pages(client.get(url(slug, area=data.pk, year=2024, format="pdf")).content)
    if slug == "lists":
        assert len(pages) >= 3  # the heading, the lists drawn directly, the signature
    assert all(MARK in " ".join(page.split()) for page in pages), pages
    official = pdf_pages(client.get(url(slug, area=data.pk, year=2023, format="pdf")).content)
    assert not any("tạm thời" in page for page in official)


def test_the_xlsx_marks_each_sheet_above_the_table_and_in_its_page_header(client, officer, data):
    client.force_login(officer)
    body = client.get(url("baseline", area=data.pk, year=2024, format="xlsx")).content
    book = load_workbook(io.BytesIO(body))
    # two table sheets, then the notes, which open with the mark too
    assert [s.title for s in book.worksheets][2:] == ["Ghi chú"]
    assert book.worksheets[2]["A2"].value == MARK
    for sheet, first_label in zip(book.worksheets[:2], ("Chỉ tiêu", "Chỉ số"), strict=True):
        assert sheet["A3"].value == MARK and sheet["A4"].value == first_label
        assert sheet.oddHeader.left.text == MARK and sheet.print_title_rows.startswith("$4")
    body = client.get(url("baseline", area=data.pk, year=2023, format="xlsx")).content
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        assert not sheet.oddHeader.left.text
        assert sheet.title == "Ghi chú" or sheet["A3"].value is None


def test_the_csv_starts_with_a_comment_line_and_the_json_says_so(client, officer, data):
    client.force_login(officer)
    text = client.get(url("baseline", area=data.pk, year=2024, format="csv")).content
    text = text.decode("utf-8-sig")  # the CSV starts with a BOM, for Excel
    assert next(csv.reader(io.StringIO(text), delimiter=";")) == [f"# {MARK}"]
    official = client.get(url("baseline", area=data.pk, year=2023, format="csv")).content
    official = official.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(official)))[0].startswith("# Số hộ nghèo")
    data_json = client.get(url("baseline", area=data.pk, year=2024, format="json")).json()
    assert data_json["status"] == {
        "provisional": True,
        "reviewed": 4,
        "households": 10,
        "note": MARK,
    }


def test_the_command_defaults_to_the_official_year_and_marks_a_provisional_one(data, capsys):
    call_command("report", "baseline", "--area", data.code, "--format", "csv")
    out, err = capsys.readouterr()
    assert "cuối năm 2023" in out and "tạm thời" not in out + err
    call_command("report", "baseline", "--area", data.code, "--year", "2024", "--format", "csv")
    out, err = capsys.readouterr()
    assert out.removeprefix("\ufeff").startswith(f"# {MARK}") and MARK in err


def test_a_report_page_runs_a_bounded_number_of_queries(
    client, officer, data, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(url("baseline", area=data.pk))  # warm the session
    # one query more than before this page had a picker: the years with data and their status;
    # one more for the trend chart, which counts every year by the one standing (four queries
    # whatever the number of years)
    with django_assert_max_num_queries(16) as official:
        client.get(url("baseline", area=data.pk, year=2023))
    # the provisional page asks one query more: the households reviewed of the registry
    with django_assert_max_num_queries(len(official.captured_queries) + 1):
        client.get(url("baseline", area=data.pk, year=2024))


def test_the_reports_index_says_which_year_is_official(client, officer, data, village_b):
    client.force_login(officer)
    html = client.get(reverse("report_index")).content.decode()
    assert "Số liệu chính thức mới nhất: rà soát định kỳ cuối năm 2023" in html
    assert f"area={data.pk}&amp;year=2023" in html


def test_a_report_refused_for_its_options_still_links_the_years(client, officer, data):
    client.force_login(officer)
    response = client.get(url("movement", area=data.pk, year=2024, since="abc"))
    html = response.content.decode()
    assert response.status_code == 400 and "Năm so sánh không hợp lệ: abc" in html
    assert "Chưa có số liệu" not in html and "2023 — số liệu chính thức" in html


def test_the_command_writes_each_commune_at_its_own_official_year(data, district, tmp_path):
    call_command(
        "report",
        "lists",
        "--area",
        district.code,
        "--all-below",
        "--format",
        "csv",
        "--output",
        str(tmp_path),
    )
    assert [p.name for p in tmp_path.iterdir()] == ["lists-01090-2023.csv"]
