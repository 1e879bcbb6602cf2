"""The number field every money and number input uses (core.forms.NumberField)."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.forms import MoneyField, NumberField, column_limits
from households.models import Assessment, Household


class IncomeForm(forms.Form):
    income = MoneyField.for_column(
        Assessment._meta.get_field("income_per_capita"),
        unit="đ/người/tháng",
        plausible=(100_000, 50_000_000),
    )
    area = NumberField.for_column(Household._meta.get_field("floor_area_m2"), unit="m²")


def bound(**data):
    query = QueryDict(mutable=True)
    query.update(data)
    return IncomeForm(query)


def test_the_limits_of_a_column_are_what_postgresql_holds():
    assert column_limits(Assessment._meta.get_field("income_per_capita")) == (0, 2147483647)
    assert column_limits(Assessment._meta.get_field("b1_score")) == (0, 32767)
    assert column_limits(Household._meta.get_field("floor_area_m2"))[1] == Decimal("999999.9")


def test_a_field_for_a_column_takes_its_label_its_bounds_and_its_decimals():
    field = IncomeForm.base_fields["area"]
    assert (field.min_value, field.max_value, field.decimals) == (
        Decimal("0.1"),
        Decimal("999999.9"),
        1,
    )
    assert not field.required


def test_a_grouped_income_is_saved_as_the_number_it_reads():
    form = bound(income="1.200.000", area="45,5")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"income": 1_200_000, "area": Decimal("45.5")}


@pytest.mark.parametrize("text", ["1,2", "20", "99.999", "60.000.000", "1 tỷ"])
def test_an_income_outside_the_plausible_range_asks_for_a_confirmation(text):
    form = bound(income=text)
    assert not form.is_valid()
    assert "ngoài khoảng thường gặp" in str(form.errors["income"]) or "phần lẻ" in str(
        form.errors["income"]
    )


def test_a_confirmed_implausible_income_is_accepted():
    form = bound(income="60.000.000", income_confirmed="1")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["income"] == 60_000_000


def test_the_confirmation_box_appears_only_for_an_implausible_value():
    html = str(bound(income="60.000.000")["income"])
    assert 'name="income_confirmed"' in html and "Tôi xác nhận số liệu này đúng" in html
    assert "= 60.000.000 đ/người/tháng" in html
    assert "income_confirmed" not in str(bound(income="1.200.000")["income"])


def test_the_widget_echoes_the_amount_and_carries_what_the_script_needs():
    html = str(bound(income="1,2 triệu")["income"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'data-number="0"' in html and 'data-number-shorthand="1"' in html
    assert 'data-number-unit="đ/người/tháng"' in html
    assert '<div class="form-text number-echo" data-number-echo-for="id_income"' in html
    assert "= 1.200.000 đ/người/tháng" in html


def test_an_initial_amount_is_shown_grouped():
    form = IncomeForm(initial={"income": 1_200_000, "area": Decimal("45.5")})
    assert 'value="1.200.000"' in str(form["income"])
    assert 'value="45,5"' in str(form["area"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1" + "0" * 30, "Số lớn nhất có thể nhập là 2.147.483.647 đ/người/tháng"),
        ("3.000.000.000", "Số lớn nhất có thể nhập là 2.147.483.647"),
        ("-5", "Số này không được âm"),
        ("abc", "không phải là một số"),
        ("1e30", "không phải là một số"),
        ("1" * 41, "Số quá dài"),
        ("1,5", "không có phần lẻ"),
    ],
)
def test_values_the_column_cannot_hold_or_that_are_not_numbers_are_refused(text, message):
    with pytest.raises(ValidationError, match=message):
        IncomeForm.base_fields["income"].clean(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1.000.000", "Số lớn nhất có thể nhập là 999.999,9 m²"), ("45,55", "Tối đa 1 chữ số")],
)
def test_a_decimal_field_refuses_too_large_or_too_precise(text, message):
    with pytest.raises(ValidationError, match=message):
        IncomeForm.base_fields["area"].clean(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("7,64", Decimal("7.64")), ("30", Decimal("30")), ("1.295", 1295)]
)
def test_the_target_form_reads_a_value_with_a_decimal_comma(text, expected):
    from reports.forms import TargetForm

    assert TargetForm.base_fields["value"].clean(text) == expected


def test_the_target_form_refuses_a_value_its_column_cannot_hold():
    from reports.forms import TargetForm

    with pytest.raises(ValidationError, match="9.999.999.999,99"):
        TargetForm.base_fields["value"].clean("1" + "0" * 12)
