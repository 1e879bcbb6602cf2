"""Money and numbers in the review and household forms (issue 15, item 2): Vietnamese grouping,
shorthands, a plausible income per standard asking for a confirmation, and what the columns
cannot hold refused."""

import pytest
from django.urls import reverse

from households.models import Assessment
from households.tests.factories import ReviewCycleFactory
from households.tests.test_views import make_home, review_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def entry(client, officer, village_a, cycle):
    home = make_home(village_a, "Lục Văn Tâm")
    client.force_login(officer)
    return reverse("review_entry", args=[home.pk, cycle.pk])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.200.000", 1_200_000),
        ("1 200 000", 1_200_000),
        ("1,2 triệu", 1_200_000),
        ("800k", 800_000),
    ],
)
def test_an_income_written_the_vietnamese_way_is_saved_as_its_number(client, entry, typed, stored):
    assert client.post(entry, review_data(income=typed)).status_code == 302
    assert Assessment.objects.get().income_per_capita == stored


def test_one_comma_two_is_refused_not_stored_as_twelve(client, entry):
    page = client.post(entry, review_data(income="1,2"))
    html = page.content.decode()
    assert page.status_code == 200 and not Assessment.objects.exists()
    assert 'data-error-for="income_per_capita"' in html and "không có phần lẻ" in html
    assert "“1,2 triệu”" in html  # says how to write what was probably meant


def test_an_implausible_income_asks_for_a_confirmation_then_is_saved(client, entry, cycle):
    assert cycle.standard.income_plausible_max == 50_000_000  # data of the standard
    page = client.post(entry, review_data(income="60.000.000"))
    html = page.content.decode()
    assert page.status_code == 200 and not Assessment.objects.exists()
    assert "ngoài khoảng thường gặp (100.000 – 50.000.000)" in html
    assert 'name="income_per_capita_confirmed"' in html
    assert "Tôi xác nhận số liệu này đúng" in html
    confirmed = {**review_data(income="60.000.000"), "income_per_capita_confirmed": "1"}
    assert client.post(entry, confirmed).status_code == 302
    assert Assessment.objects.get().income_per_capita == 60_000_000


def test_the_range_is_the_standards_data(client, entry, cycle):
    standard = cycle.standard
    standard.income_plausible_max = 70_000_000
    standard.save()
    assert client.post(entry, review_data(income="60.000.000")).status_code == 302


def test_an_income_under_the_range_asks_too(client, entry):
    page = client.post(entry, review_data(income="50.000"))
    assert page.status_code == 200 and "ngoài khoảng thường gặp" in page.content.decode()


def test_ten_to_the_thirty_is_refused_with_the_limit(client, entry):
    page = client.post(entry, review_data(income="1" + "0" * 30))
    html = page.content.decode()
    assert page.status_code == 200 and not Assessment.objects.exists()
    assert "Số lớn nhất có thể nhập là 1.000.000.000 đ/người/tháng" in html


def test_the_review_form_echoes_the_income_and_keeps_enter_from_submitting(client, entry):
    client.post(entry, review_data(income="1.200.000"))
    html = client.get(entry).content.decode()
    assert 'value="1.200.000"' in html and "= 1.200.000 đ/người/tháng" in html
    assert "data-no-enter-submit" in html and 'data-number-shorthand="1"' in html
    assert "js/numbers.js" in html


def test_the_preview_reads_a_grouped_income(client, officer, village_a, cycle):
    home = make_home(village_a, "Lục Văn Tâm")
    client.force_login(officer)
    url = reverse("review_preview", args=[home.pk, cycle.pk])
    html = client.post(url, review_data(income="1.200.000", ticks=["1.1", "3.1"])).content
    assert "Hộ cận nghèo" in html.decode()  # under the rural line of 1.500.000, two indicators
    html = client.post(url, review_data(income="1,2 triệu", ticks=["1.1", "3.1"])).content
    assert "Hộ cận nghèo" in html.decode()
    html = client.post(url, review_data(income="2 triệu", ticks=["1.1", "3.1"])).content
    assert "Hộ cận nghèo" not in html.decode()


# --- the household form's floor area ------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [("45,5", "45.5"), ("1.200", "1200"), ("60", "60")])
def test_the_floor_area_is_read_with_a_decimal_comma(client, officer, village_a, typed, stored):
    from decimal import Decimal

    from households.models import Household
    from households.tests.test_views import household_form_data

    client.force_login(officer)
    page = client.post(reverse("household_create"), household_form_data(village_a, floor=typed))
    assert page.status_code == 302
    assert Household.objects.get().floor_area_m2 == Decimal(stored)


def test_the_household_form_echoes_the_floor_area_in_square_metres(client, officer, village_a):
    from households.tests.test_views import household_form_data

    client.force_login(officer)
    html = client.post(
        reverse("household_create"), household_form_data(village_a, floor="45,55")
    ).content.decode()
    assert "Tối đa 1 chữ số sau dấu phẩy" in html
    assert 'data-number-unit="m²"' in html and 'inputmode="decimal"' in html
