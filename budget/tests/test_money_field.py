"""Amounts in đồng as officers type them: the site's one money field (core.forms.MoneyField)."""

import pytest
from django.core.exceptions import ValidationError

from budget.forms import DisbursementForm


def amount_field():
    return DisbursementForm().fields["amount"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.975.000.000", 2_975_000_000),
        ("2975000000", 2_975_000_000),
        ("74 300 000", 74_300_000),
        ("1.200.000", 1_200_000),
        ("1,2 triệu", 1_200_000),
        ("2,975 tỷ", 2_975_000_000),
        ("800k", 800_000),
    ],
)
def test_the_budget_reads_amounts_as_the_review_form_does(text, expected):
    assert amount_field().clean(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("1,5", "không có phần lẻ"), ("1e5", "không phải là một số"), ("abc", "không phải là một số")],
)
def test_a_fraction_of_a_dong_or_anything_but_a_number_is_refused(text, message):
    with pytest.raises(ValidationError, match=message):
        amount_field().clean(text)


def test_an_amount_the_column_cannot_hold_is_refused():
    limit = "Số lớn nhất có thể nhập là 9.223.372.036.854.775.807"
    with pytest.raises(ValidationError, match=limit):
        amount_field().clean("1" + "0" * 30)


def test_an_empty_amount_is_none():
    assert amount_field().to_python("") is None
