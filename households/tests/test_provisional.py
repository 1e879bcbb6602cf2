"""Official and provisional figures on the dashboard and in the district table: the latest decided
review by default, an open one marked with how far it is, each commune's review in the note."""

import datetime

import pytest
from django.urls import reverse

from areas.tests.factories import CommuneFactory, VillageFactory
from households.reports.status import cycle_states, figures_status, year_choices
from households.tests.report_data import cycle_of, households, record
from reports.registry import REPORTS
from reports.tests.test_provisional import MARK, decide, two_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(village_a):
    two_years(village_a)
    return village_a.parent


@pytest.fixture
def neighbour(district):
    """A second commune of the district: two households, its 2024 review decided."""
    commune = CommuneFactory(name="Xã Bên Cạnh", code="01093", parent=district)
    homes = households(VillageFactory(name="Thôn Một", parent=commune), 2)
    cycle = cycle_of(commune, 2024)
    record(cycle, {homes[0]: "poor", homes[1]: "out"})
    decide(cycle, number="12/QĐ-UBND", day=datetime.date(2024, 12, 18))
    return commune


def test_the_dashboard_shows_the_latest_decided_year_and_marks_a_chosen_open_one(
    client, officer, data, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(reverse("dashboard"))  # warm the session
    # the years replace the latest; village progress counts the kept results (standing): +1
    with django_assert_max_num_queries(17):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["year"] == 2023
    assert "Kết quả rà soát định kỳ cuối năm 2023" in html and "30,00 %" in html
    assert 'data-testid="provisional"' not in html
    assert '<option value="2024">2024 — số liệu tạm thời</option>' in html
    with django_assert_max_num_queries(18):  # an open year: its households reviewed
        response = client.get(reverse("dashboard") + "?year=2024")
    html = response.content.decode()
    assert response.context["year"] == 2024 and 'data-testid="provisional"' in html
    assert MARK in html and "10,00 %" in html
    assert client.get(reverse("dashboard") + "?year=1999").context["year"] == 2023


def test_before_any_decision_the_dashboard_shows_the_open_year_marked(client, officer, village_a):
    homes = households(village_a, 3)
    record(cycle_of(village_a.parent, 2024), {homes[0]: "poor"})
    client.force_login(officer)
    response = client.get(reverse("dashboard"))
    assert response.context["year"] == 2024
    assert "Số liệu tạm thời — đã rà soát 1/3 hộ" in response.content.decode()


def test_the_status_counts_the_registry_of_the_area_asked_about(data, village_a, village_b):
    households(village_b, 5)  # on the registry, not reviewed
    state = cycle_states(data, 2024)[data.pk]
    assert (state.reviewed, state.total, state.finalised) == (4, 15, False)
    assert state.note == "Đang rà soát: 4/15 hộ"
    assert figures_status(village_a, 2024).note == MARK  # a village: its own households
    assert not figures_status(data, 2023).provisional
    assert cycle_states(data, 2023)[data.pk].note == "Đã quyết định số 45/QĐ-UBND ngày 20/12/2023"
    assert [(c.year, c.official) for c in year_choices(village_a)] == [(2024, False), (2023, True)]


def test_the_district_table_notes_each_communes_review(
    client, viewer, data, neighbour, district, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):  # the bound of test_render's, the note included
        report = REPORTS["communes"](district, 2024)
    notes = {r["unit"]: r["status"] for r in report.tables[0].rows if r.get("_area_id")}
    assert notes == {
        "Xã Bên Cạnh": "Đã quyết định số 12/QĐ-UBND ngày 18/12/2024",
        "Xã Vĩnh Hảo": "Đang rà soát: 4/10 hộ",
    }
    assert report.provisional_note == (
        "Số liệu tạm thời — đã rà soát 6/12 hộ; 1/2 xã chưa chốt kết quả rà soát"
    )
    older = REPORTS["communes"](district, 2023)
    notes = {r["unit"]: r["status"] for r in older.tables[0].rows if r.get("_area_id")}
    assert notes == {
        "Xã Bên Cạnh": "Chưa có kết quả rà soát",
        "Xã Vĩnh Hảo": "Đã quyết định số 45/QĐ-UBND ngày 20/12/2023",
    }
    assert older.provisional_note == ""


def test_the_district_view_opens_on_the_year_every_commune_decided(
    client, viewer, data, neighbour, district
):
    client.force_login(viewer)
    page = reverse("report_area") + f"?area={district.pk}"
    response = client.get(page)
    html = response.content.decode()
    assert response.context["year"] == 2023 and 'data-testid="provisional"' not in html
    assert "Đã quyết định số 45/QĐ-UBND ngày 20/12/2023" in html
    assert '<option value="2024">2024 — số liệu tạm thời</option>' in html
    html = client.get(page + "&year=2024").content.decode()
    assert 'data-testid="provisional"' in html and "1/2 xã chưa chốt" in html
    assert "Đang rà soát: 4/10 hộ" in html
    html = client.get(page + "&year=2020").content.decode()
    assert "Chưa có kết quả rà soát định kỳ năm 2020" in html
    assert f"?area={district.pk}&amp;year=2023" in html
