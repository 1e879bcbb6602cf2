"""The one neutraliser of spreadsheet text: formulas become text, everything else is untouched."""

import pytest

from core.cells import neutralise


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+84912345678", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Văn Đức", "", "1+1", "a=b", " =1", -3, -2.5, None])
def test_other_text_and_every_number_are_left_as_they_are(value):
    assert neutralise(value) == value
