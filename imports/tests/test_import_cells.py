"""The import's number cells read text through the site's one grammar (core.numbers)."""

from decimal import Decimal

import pytest

from imports.columns import CellProblem, parse_decimal, parse_integer


def test_a_text_cell_1_295_in_a_decimal_column_reads_as_one_thousand_two_hundred_and_ninety_five():
    """The one change the shared grammar brought (issue 12): before it, the import read this
    text as 1.295; a number cell keeps its value."""
    assert parse_decimal("1.295") == Decimal("1295")
    assert parse_decimal(1.295) == Decimal("1.295")
    assert parse_decimal("45,5") == Decimal("45.5")


@pytest.mark.parametrize(("text", "expected"), [("1.500.000", 1_500_000), ("1,500", 1500), (7, 7)])
def test_an_integer_cell_accepts_grouped_thousands(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4,5", "Phải là số nguyên."),
        ("-3", "Không được là số âm."),
        ("abc", "không phải là một số"),
    ],
)
def test_an_integer_cell_keeps_its_own_messages(text, message):
    with pytest.raises(CellProblem, match=message):
        parse_integer(text)
