"""Formula injection: text a spreadsheet would run (a head name ``=HYPERLINK(...)``) is plain
text in every report's XLSX and CSV, while numbers, negative ones included, stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from households.tests.report_data import cycle_of, households, record
from reports.csv import to_csv
from reports.registry import SPECS
from reports.tables import Column, Report, Table
from reports.xlsx import to_xlsx

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)"]


@pytest.fixture
def hostile_heads(village_a):
    """Four poor households of village A whose heads' names start like formulas."""
    found = households(village_a, len(HOSTILE))
    for household, name in zip(found, HOSTILE, strict=True):
        household.head_name = name
        household.save(update_fields=["head_name"])
    record(cycle_of(village_a.parent, 2023), dict.fromkeys(found, "poor"))
    return found


def download(client, user, commune, fmt, slug="lists"):
    client.force_login(user)
    query = urlencode({"area": commune.pk, "year": 2023, "format": fmt})
    response = client.get(reverse("report", args=[slug]) + "?" + query)
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.mark.django_db
def test_head_names_that_look_like_formulas_are_text_in_the_lists_xlsx(
    client, officer, commune, hostile_heads
):
    book = load_workbook(io.BytesIO(download(client, officer, commune, "xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for name in HOSTILE:
        assert "'" + name in texts
        assert name not in texts
    numbers = [c for c in cells if c.data_type == "n" and c.value is not None]
    assert numbers, "the member counts and scores stay numeric cells"


@pytest.mark.django_db
def test_head_names_that_look_like_formulas_are_text_in_the_lists_csv(
    client, officer, commune, hostile_heads
):
    text = download(client, officer, commune, "csv").decode("utf-8-sig")  # a BOM for Excel
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # Vietnamese: ";" and ","
    cells = {cell for row in rows for cell in row}
    for name in HOSTILE:
        assert "'" + name in cells
        assert name not in cells
    assert not [c for c in cells if c[:1] in "=+-@" and c[:1]]


@pytest.mark.django_db
def test_every_registered_report_writes_no_formula_into_its_xlsx(
    client, officer, commune, hostile_heads
):
    checked = []
    for slug in SPECS:
        query = urlencode({"area": commune.pk, "year": 2023, "format": "xlsx"})
        client.force_login(officer)
        response = client.get(reverse("report", args=[slug]) + "?" + query)
        if response.status_code != 200 or not response.content.startswith(b"PK"):
            continue  # a report with nothing to show for this data gets a page, not a file
        checked.append(slug)
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row), (slug, sheet.title)
    assert {"lists", "baseline"} <= set(checked), checked


def report_with_negative_figures() -> Report:
    area = type("A", (), {"code": "1", "name": "-Xã Thử", "kind": "commune", "pk": 1})()
    columns = [
        Column("name", "Họ và tên"),
        Column("change", "Tăng, giảm", "int"),
        Column("rate", "Tỷ lệ", "percent"),
        Column("score", "Điểm", "decimal", places=1),
    ]
    rows = [{"name": "=1+1", "change": -3, "rate": Decimal("-1.50"), "score": Decimal("-2.5")}]
    table = Table("Bảng", columns, rows, key="t", footnotes=["@ghi chú"])
    return Report(slug="t", title="=Tiêu đề", area=area, year=2024, tables=[table])


def test_negative_numbers_stay_numbers_and_every_text_cell_is_neutralised():
    book = load_workbook(io.BytesIO(to_xlsx(report_with_negative_figures())))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A1"].value == "'=Tiêu đề — -Xã Thử"
    data = next(row for row in sheet.iter_rows() if row[0].value == "'=1+1")
    assert [c.value for c in data[1:]] == [-3, pytest.approx(-0.015), -2.5]
    assert all(c.data_type == "n" for c in data[1:])
    assert any(c.value == "'@ghi chú" for c in cells)

    text = to_csv(report_with_negative_figures()).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[2] == ["'=1+1", "-3", "-1,50", "-2,5"]
