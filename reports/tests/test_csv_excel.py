"""CSV downloads open in Excel as they are: UTF-8 with a byte-order mark, numbers written as the
interface language writes them, with the delimiter a spreadsheet of that language expects
(issue 15, item 7)."""

import csv
import io

import pytest
from django.conf import settings
from django.utils import translation

from reports.csv import dialect, to_csv
from reports.tests.test_formulas import download, hostile_heads, report_with_negative_figures

__all__ = ["hostile_heads"]  # the fixture, used below


@pytest.mark.parametrize(
    ("language", "delimiter", "row"),
    [("vi", ";", ["'=1+1", "-3", "-1,50", "-2,5"]), ("en", ",", ["'=1+1", "-3", "-1.50", "-2.5"])],
)
def test_decimals_and_delimiter_follow_the_language(language, delimiter, row):
    with translation.override(language):
        data = to_csv(report_with_negative_figures()).encode("utf-8")
        assert dialect() == (delimiter, "," if language == "vi" else ".")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8, not the code page
    assert not data[3:].startswith(b"\xef\xbb\xbf")  # once
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    assert rows[2] == row
    assert rows[1] == ["Họ và tên", "Tăng, giảm", "Tỷ lệ", "Điểm"]  # Vietnamese text intact


@pytest.mark.django_db
def test_the_download_has_the_bom_and_the_english_ui_gets_dot_decimals(
    client, officer, commune, hostile_heads
):
    content = download(client, officer, commune, "csv")
    assert content[:3] == b"\xef\xbb\xbf"
    lines = content.decode("utf-8-sig").splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    assert ";" in header and "," not in header
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = download(client, officer, commune, "csv")
    assert english[:3] == b"\xef\xbb\xbf"
    lines = english.decode("utf-8-sig").splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    assert "," in header and ";" not in header
