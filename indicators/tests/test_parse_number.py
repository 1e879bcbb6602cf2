"""Figures officers type into the target and progress forms (core.numbers underneath)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.services import parse_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7,64", "7.64"), ("7.64", "7.64"), ("1.295", "1295"), ("12,5 %", "12.5"), (130, "130")],
)
def test_a_figure_is_read_the_vietnamese_way(value, expected):
    assert parse_number(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["abc", "", True, "NaN"])
def test_what_is_not_a_number_is_refused_on_its_field(value):
    with pytest.raises(ValidationError) as caught:
        parse_number(value, "target")
    assert "target" in caught.value.message_dict
