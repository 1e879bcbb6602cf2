"""Query counts of the pages a province's viewer opens (issue 16): the household list, with and
without filters, and the household page run the same number of queries however many communes,
villages and households the province holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from areas.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory
from households import services
from households.models import Household
from households.tests.factories import HouseholdFactory, ReviewCycleFactory

pytestmark = pytest.mark.django_db


def grow(province, *, communes: int, villages: int, households: int) -> None:
    """Add ``communes`` communes to ``province``, each with ``villages`` villages of
    ``households`` households, every second one poor and deprived in 2.2 (2024 review)."""
    for _ in range(communes):
        commune = CommuneFactory(parent=province)
        cycle = ReviewCycleFactory(commune=commune, year=2024)
        for _ in range(villages):
            village = VillageFactory(parent=commune)
            for n in range(households):
                home = HouseholdFactory(village=village, head_name=f"Nguyễn Văn {n}")
                services.assessment_record(
                    cycle=cycle,
                    household=home,
                    income_per_capita=700_000 if n % 2 else 3_000_000,
                    deprived=["2.2", "4.1"] if n % 2 else [],
                    member_count=3,
                )


def list_pages(province) -> dict[str, tuple[str, dict]]:
    commune = province.children.order_by("pk").first()
    village = commune.children.order_by("pk").first()
    home = Household.objects.filter(village=village).order_by("pk").first()
    return {
        "list": (reverse("household_list"), {}),
        "class and search": (reverse("household_list"), {"household_class": "poor", "q": "van"}),
        "indicator by head": (reverse("household_list"), {"indicator": "2.2", "sort": "head_name"}),
        "dimension by class": (reverse("household_list"), {"dimension": "2", "sort": "class"}),
        "commune by income": (
            reverse("household_list"),
            {"commune": commune.pk, "sort": "-income"},
        ),
        "village by village": (
            reverse("household_list"),
            {"village": village.pk, "sort": "village"},
        ),
        "page 2": (reverse("household_list"), {"page": 2, "per_page": 25}),
        "village options": (reverse("household_village_options"), {"commune": commune.pk}),
        "household": (reverse("household_detail", args=[home.pk]), {}),
    }


def query_counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, (url, params) in pages.items():
        assert client.get(url, params).status_code == 200, name  # warm: session, caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_a_province_viewers_pages_run_as_many_queries_however_large_the_province(client):
    province = ProvinceFactory(name="Tỉnh Thử")
    viewer = UserFactory(username="province_viewer", membership=(province, "viewer"))
    grow(province, communes=2, villages=2, households=2)
    client.force_login(viewer)
    pages = list_pages(province)
    small = query_counts(client, pages)
    grow(province, communes=3, villages=3, households=4)  # 8 → 44 households, 2 → 5 communes
    large = query_counts(client, pages)
    assert large == small
    assert max(small.values()) <= 16, small
    listed = client.get(reverse("household_list"), {"indicator": "2.2", "sort": "head_name"})
    page = listed.context["page"]
    assert page.paginator.count == 22  # counted (from the summary)
    assert len(page.object_list) == min(22, page.paginator.per_page)  # and listed, from the rows


def test_a_commune_officers_list_runs_as_many_queries_however_large_the_province(client):
    province = ProvinceFactory(name="Tỉnh Thử")
    grow(province, communes=1, villages=2, households=3)
    officer = UserFactory(
        username="commune_officer", membership=(province.children.get(), "officer")
    )
    client.force_login(officer)
    pages = {k: v for k, v in list_pages(province).items() if k != "village options"}
    small = query_counts(client, pages)
    grow(province, communes=3, villages=2, households=3)  # other communes: outside the scope
    commune = officer.memberships.get().area
    village = VillageFactory(parent=commune)
    HouseholdFactory.create_batch(5, village=village)  # and more in its own commune
    assert query_counts(client, pages) == small


@pytest.mark.parametrize(
    "filters",
    [
        {"household_class": "poor"},
        {"indicator": "2.2"},
        {"dimension": "2", "household_class": "poor", "sort": "class"},
        {"household_class": "unreviewed", "sort": "-income"},
    ],
)
def test_the_list_joins_the_assessments_once_whatever_the_filters(filters):
    from households.queries import household_list

    province = ProvinceFactory()
    viewer = UserFactory(membership=(province, "viewer"))
    sql = str(household_list(viewer, year=2024, **filters).query)
    assert sql.count('"households_assessment"') == 1, sql


def test_a_search_keeps_every_sorts_order(client):
    from households.queries import SORTS, household_list

    province = ProvinceFactory()
    viewer = UserFactory(membership=(province, "viewer"))
    grow(province, communes=2, villages=2, households=3)
    HouseholdFactory.create_batch(3, village=VillageFactory(parent=province.children.first()))
    Household.objects.update(search_text="nguyen van")  # the search finds every household
    for sort in SORTS:
        listed = household_list(viewer, year=2024, sort=sort)
        searched = household_list(viewer, year=2024, sort=sort, q="van")
        assert list(searched) == list(listed) and len(listed) == 15, sort
