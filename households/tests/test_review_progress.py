"""The review as the household list and the dashboards show it: the list's review action and
its filter "chưa rà soát trong đợt này", the "unreviewed" filter without exempted households, the
progress bars, and a village board's dashboard being its village's (the commune's aggregate
figures on request)."""

import pytest
from django.urls import reverse

from households import services
from households.models import ReviewExemption
from households.tests.factories import ReviewCycleFactory
from households.tests.report_data import populate
from households.tests.test_views import make_home
from review import services as review_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def homes(village_a, village_b):
    return {
        "reviewed": make_home(village_a, "Hộ Đã Xong", code="A-001"),
        "moved": make_home(village_a, "Hộ Chuyển Đi", code="A-002"),
        "todo": make_home(village_a, "Hộ Chờ", code="A-003"),
        "other": make_home(village_b, "Hộ Thôn B", code="B-001"),
    }


def listed(client, **query):
    response = client.get(reverse("household_list"), query)
    return [h.code for h in response.context["page"]], response


def test_the_list_filters_the_households_still_to_review_in_the_open_cycle(
    client, officer, cycle, homes
):
    services.assessment_record(
        cycle=cycle, household=homes["reviewed"], income_per_capita=5_000_000
    )
    review_services.exemption_record(
        cycle=cycle, household=homes["moved"], reason=ReviewExemption.Reason.MOVED_OUT
    )
    client.force_login(officer)
    codes, response = listed(client, household_class="todo")
    assert codes == ["A-003", "B-001"]
    assert "Chưa rà soát trong đợt này" in response.content.decode()


def test_the_unreviewed_filter_leaves_out_households_with_a_recorded_reason(
    client, officer, cycle, homes
):
    services.assessment_record(
        cycle=cycle, household=homes["reviewed"], income_per_capita=5_000_000
    )
    review_services.exemption_record(
        cycle=cycle, household=homes["moved"], reason=ReviewExemption.Reason.MOVED_OUT
    )
    client.force_login(officer)
    codes, _ = listed(client, cycle=cycle.pk, household_class="unreviewed")
    assert codes == ["A-003", "B-001"]


def test_each_row_has_a_review_action_where_the_user_may_review(
    client, board_a, officer, viewer, cycle, homes
):
    client.force_login(board_a)
    _, response = listed(client)
    html = response.content.decode()
    assert reverse("review_entry", args=[homes["todo"].pk, cycle.pk]) in html
    assert html.count('data-testid="review-action"') == 3  # its village's three
    client.force_login(officer)
    assert listed(client)[1].content.decode().count('data-testid="review-action"') == 4
    client.force_login(viewer)  # reads, never enters a result
    assert 'data-testid="review-action"' not in listed(client)[1].content.decode()


def test_a_decided_cycle_offers_no_review_action(client, officer, cycle, homes):
    for h in homes.values():
        services.assessment_record(cycle=cycle, household=h, income_per_capita=5_000_000)
    services.review_cycle_finalise(cycle=cycle, user=officer)
    client.force_login(officer)
    assert 'data-testid="review-action"' not in listed(client)[1].content.decode()


def test_the_list_with_its_review_actions_runs_a_bounded_number_of_queries(
    client, officer, cycle, homes, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(reverse("household_list"))
    # 15 since issue 16: the communes the user may see decide whether a commune select is shown
    with django_assert_max_num_queries(15):
        client.get(reverse("household_list"), {"household_class": "todo"})


def test_a_board_dashboard_shows_its_village_and_the_commune_aggregate_on_request(
    client, board_a, village_a, village_b, django_assert_max_num_queries
):
    populate(village_a, 4, poor=1)  # 25 % in Thôn A
    populate(village_b, 4, poor=3)  # 75 % in Thôn B: 50 % in the commune
    client.force_login(board_a)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["area"] == village_a
    assert "25,00 %" in html and "50,00 %" not in html
    assert [r["village"] for r in response.context["progress"]] == [village_a]
    assert "?scope=commune" in html

    response = client.get(reverse("dashboard"), {"scope": "commune"})
    html = response.content.decode()
    assert response.context["area"] == village_a.parent
    assert "50,00 %" in html
    rows = {r["village"]: r for r in response.context["progress"]}
    assert rows[village_b]["households"] == 4
    # aggregate only: no list of the other village's households is offered
    assert f"?village={village_b.pk}" not in html
    assert f"?village={village_a.pk}" in html
    assert "<progress" in html


def test_an_officer_dashboard_ignores_the_scope_switch(client, officer, village_a):
    populate(village_a, 4, poor=1)
    client.force_login(officer)
    response = client.get(reverse("dashboard"), {"scope": "commune"})
    assert response.context["area"] == village_a.parent
    assert response.context["wider"] is None
    assert 'data-testid="scope-switch"' not in response.content.decode()


def test_the_dashboard_shows_the_first_review_progress_and_queue_before_any_result(
    client, officer, board_a, cycle, homes, village_a
):
    client.force_login(officer)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "Chưa có kết quả rà soát định kỳ nào." in html
    assert reverse("cycle_queue", args=[cycle.pk]) in html
    # the open review's counts are said to be provisional, with their year
    assert f"Tiến độ rà soát năm {cycle.year} theo thôn" in html
    assert 'data-testid="progress-provisional"' in html
    assert [
        (r["village"].name, r["households"], r["reviewed"]) for r in response.context["progress"]
    ] == [
        ("Thôn A", 3, 0),
        ("Thôn B", 1, 0),
    ]
    client.force_login(board_a)
    rows = client.get(reverse("dashboard")).context["progress"]
    assert [(r["village"], r["households"]) for r in rows] == [(village_a, 3)]
