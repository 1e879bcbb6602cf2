"""The household list's page size and "go to page" (issue 15, lists)."""

import re

import pytest
from django.urls import reverse

from households.tests.factories import HouseholdFactory, ReviewCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(village_a, commune):
    ReviewCycleFactory(commune=commune, year=2024)
    return [HouseholdFactory(village=village_a, code=f"P{i:03d}") for i in range(120)]


def test_the_page_size_is_chosen_from_the_list_and_kept_by_the_filters(client, officer, many):
    client.force_login(officer)
    page = client.get(reverse("household_list")).context["page"]
    assert len(page) == 25 and page.paginator.num_pages == 5
    response = client.get(reverse("household_list"), {"per_page": "50", "sort": "code"})
    page = response.context["page"]
    assert len(page) == 50 and page.paginator.num_pages == 3
    html = response.content.decode()
    assert re.search(r'<option value="50" selected>', html)
    # the filter form sends the size again; the next page link keeps it
    assert '<input type="hidden" name="per_page" value="50">' in html
    assert "?per_page=50&amp;sort=code&amp;page=2" in html


@pytest.mark.parametrize("asked", ["7", "abc", "100000", "-25", ""])
def test_a_page_size_not_offered_falls_back_to_the_default(client, officer, many, asked):
    client.force_login(officer)
    page = client.get(reverse("household_list"), {"per_page": asked}).context["page"]
    assert page.paginator.per_page == 25


def test_go_to_page_keeps_the_filters_and_survives_a_page_out_of_range(client, officer, many):
    client.force_login(officer)
    response = client.get(reverse("household_list"), {"q": "", "sort": "code", "per_page": "25"})
    html = response.content.decode()
    jump = re.search(r'<form method="get"[^>]*data-testid="jump-to-page">.*?</form>', html, re.S)
    assert jump
    assert '<input type="hidden" name="sort" value="code">' in jump.group(0)
    assert '<input type="hidden" name="per_page" value="25">' in jump.group(0)
    assert 'name="page"' in jump.group(0) and 'max="5"' in jump.group(0)
    page = client.get(reverse("household_list"), {"sort": "code", "page": "4"}).context["page"]
    assert page.number == 4 and page[0].code == "P075"
    page = client.get(reverse("household_list"), {"page": "99"}).context["page"]
    assert page.number == 5  # beyond the end: the last page


def test_a_bigger_page_costs_no_more_queries(client, officer, many, django_assert_max_num_queries):
    client.force_login(officer)
    client.get(reverse("household_list"))  # warm the session
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("household_list"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("household_list"), {"per_page": "200"})
