"""Amounts in đồng as officers type them."""

import pytest
from django.core.exceptions import ValidationError

from budget.forms import MoneyField


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.975.000.000", 2_975_000_000), ("2975000000", 2_975_000_000), ("74 300 000", 74_300_000)],
)
def test_dots_and_spaces_between_digit_groups_are_ignored(text, expected):
    assert MoneyField().to_python(text) == expected


@pytest.mark.parametrize(
    ("text", "message"), [("1,5", "dấu phẩy"), ("1e5", "chỉ gồm chữ số"), ("abc", "chỉ gồm chữ số")]
)
def test_a_comma_or_anything_but_digits_is_refused(text, message):
    with pytest.raises(ValidationError, match=message):
        MoneyField().to_python(text)


def test_an_empty_amount_is_none():
    assert MoneyField().to_python("") is None
