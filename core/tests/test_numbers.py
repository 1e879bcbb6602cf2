"""The one Vietnamese number grammar: "." groups thousands, "," is the decimal mark."""

from decimal import Decimal

import pytest

from core.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.500.000", 1_500_000),
        ("1,500", 1500),
        ("1 500", 1500),
        ("1\u00a0500", 1500),
        ("1.295", 1295),
        ("130", 130),
        ("-2.000", -2000),
        ("4,5", Decimal("4.5")),  # a decimal comma: not whole, for the caller to refuse
    ],
)
def test_a_whole_number_may_have_its_thousands_grouped_by_dots_commas_or_spaces(text, expected):
    assert parse_number(text, integer=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7,64", Decimal("7.64")),
        ("7.64", Decimal("7.64")),
        ("1.295", Decimal("1295")),
        ("1.500,5", Decimal("1500.5")),
        ("1.500.000", Decimal("1500000")),
        (" 45,5 ", Decimal("45.5")),
        ("12.5", Decimal("12.5")),
    ],
)
def test_a_decimal_reads_the_comma_as_its_mark_and_a_dot_before_three_digits_as_thousands(
    text, expected
):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "NaN", "Infinity", "1,2,3"])
def test_text_that_is_not_a_finite_number_raises_a_number_error(text):
    with pytest.raises(NumberError):
        parse_number(text)
    assert issubclass(NumberError, ValueError)


# --- amounts as people write them (core.numbers.parse_amount) ----------------------------------

from core.numbers import parse_amount  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.200.000", 1_200_000),
        ("1 200 000", 1_200_000),
        ("1\u00a0200\u00a0000", 1_200_000),
        ("1200000", 1_200_000),
        ("1.200.000 đ", 1_200_000),
        ("1.200.000đ", 1_200_000),
        ("1.200.000 đồng", 1_200_000),
        ("1,2 triệu", 1_200_000),
        ("1,2 Triệu", 1_200_000),
        ("1.2tr", 1_200_000),
        ("1,5tr", 1_500_000),
        ("2tr", 2_000_000),
        ("800k", 800_000),
        ("800 nghìn", 800_000),
        ("800 ngàn", 800_000),
        ("2,975 tỷ", 2_975_000_000),
        ("1.500 nghìn", 1_500_000),
        ("1,2", Decimal("1.2")),  # a decimal comma: not whole, for the caller to refuse
        ("1.2", Decimal("1.2")),  # ambiguous without a unit: not whole, refused by a money field
    ],
)
def test_an_amount_may_be_grouped_or_written_with_a_multiplier(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "1e5", "NaN", "Infinity", "1,2,3", "tr", "1.2.3tr", "1 triệu 2", "--5"]
)
def test_an_amount_that_is_not_a_number_raises_a_number_error(text):
    with pytest.raises(NumberError):
        parse_amount(text)


def test_shorthands_are_read_only_where_the_caller_allows_them():
    with pytest.raises(NumberError):
        parse_amount("800k", shorthand=False)
    assert parse_amount("45,5", integer=False, shorthand=False) == Decimal("45.5")
