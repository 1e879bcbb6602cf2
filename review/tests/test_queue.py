"""The review queue: a village's households still to review in the open cycle, in the registry's
order, without those that have a result or a recorded reason; "Lưu và sang hộ tiếp theo" walking
it; a board seeing its own village only; the page's query count."""

import pytest
from django.urls import reverse

from households.models import Assessment, ReviewExemption
from households.queries import next_in_queue, review_queue
from households.tests.factories import ReviewCycleFactory
from households.tests.test_views import make_home
from review import services
from review.tests.test_stages import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def homes(village_a, village_b):
    return {
        code: make_home(village, f"Chủ hộ {code}", code=code)
        for code, village in [
            ("A-003", village_a),
            ("A-001", village_a),
            ("A-004", village_a),
            ("A-002", village_a),
            ("A-005", village_a),
            ("B-001", village_b),
        ]
    }


def review_data(income="900000", then="next"):
    return {"income_per_capita": income, "b1_score": "", "version": 0, "then": then}


def queue_url(cycle, village):
    return reverse("cycle_queue_village", args=[cycle.pk, village.pk])


def codes(households):
    return [h.code for h in households]


def test_the_queue_lists_the_village_still_to_review_in_code_order(
    cycle, homes, village_a, officer
):
    record(cycle, homes["A-002"])
    services.exemption_record(
        cycle=cycle, household=homes["A-004"], reason=ReviewExemption.Reason.MOVED_OUT
    )
    assert codes(review_queue(cycle, village_a)) == ["A-001", "A-003", "A-005"]


def test_the_queue_page_shows_count_progress_and_review_links(
    client, cycle, homes, village_a, officer, django_assert_max_num_queries
):
    record(cycle, homes["A-002"])
    services.exemption_record(
        cycle=cycle, household=homes["A-004"], reason=ReviewExemption.Reason.MOVED_OUT
    )
    client.force_login(officer)
    client.get(queue_url(cycle, village_a))
    with django_assert_max_num_queries(10):
        response = client.get(queue_url(cycle, village_a))
    html = response.content.decode()
    assert "Còn 3 hộ chờ rà soát · đã xong 2/5 hộ" in html
    assert 'max="5" value="2"' in html
    assert html.index("Chủ hộ A-001") < html.index("Chủ hộ A-003") < html.index("Chủ hộ A-005")
    assert "Chủ hộ A-002" not in html and "Chủ hộ A-004" not in html
    assert "Chủ hộ B-001" not in html
    first = reverse("review_entry", args=[homes["A-001"].pk, cycle.pk])
    assert f'href="{first}" data-testid="queue-start"' in html


def test_the_commune_overview_lists_each_village_with_its_bar(
    client, cycle, homes, officer, village_a, village_b
):
    record(cycle, homes["B-001"])
    client.force_login(officer)
    response = client.get(reverse("cycle_queue", args=[cycle.pk]))
    assert [(r.village, r.missing, r.done) for r in response.context["rows"]] == [
        (village_a, 5, 0),
        (village_b, 0, 1),
    ]
    assert 'max="1" value="1"' in response.content.decode()


def test_save_and_next_opens_the_next_household_and_ends_at_the_queue(
    client, cycle, homes, village_a, officer
):
    client.force_login(officer)
    order = ["A-001", "A-002", "A-003", "A-004", "A-005"]
    for code, following in zip(order, order[1:], strict=False):
        url = reverse("review_entry", args=[homes[code].pk, cycle.pk])
        response = client.post(url, review_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("review_entry", args=[homes[following].pk, cycle.pk])
    last = reverse("review_entry", args=[homes["A-005"].pk, cycle.pk])
    response = client.post(last, review_data(), follow=True)
    assert response.redirect_chain[-1][0] == queue_url(cycle, village_a)
    html = response.content.decode()
    assert "Thôn A không còn hộ nào chờ rà soát" in html
    assert 'data-testid="queue-empty"' in html
    assert Assessment.objects.filter(cycle=cycle).count() == 5
    assert not Assessment.objects.filter(household=homes["B-001"]).exists()


def test_the_next_household_wraps_to_the_start_of_the_queue(cycle, homes):
    """A household reviewed out of order leads to the one after it, then back to the start."""
    assert next_in_queue(cycle, homes["A-004"]).code == "A-005"
    assert next_in_queue(cycle, homes["A-005"]).code == "A-001"


def test_the_plain_save_still_opens_the_household(client, cycle, homes, officer):
    client.force_login(officer)
    h = homes["A-001"]
    response = client.post(reverse("review_entry", args=[h.pk, cycle.pk]), review_data(then=""))
    assert response["Location"] == reverse("household_detail", args=[h.pk])


def test_a_board_queue_is_its_village_only(client, cycle, homes, board_a, village_a, village_b):
    client.force_login(board_a)
    overview = client.get(reverse("cycle_queue", args=[cycle.pk]))
    assert overview.status_code == 302
    assert overview["Location"] == queue_url(cycle, village_a)
    html = client.get(queue_url(cycle, village_a)).content.decode()
    assert "Chủ hộ A-001" in html and "Chủ hộ B-001" not in html
    assert client.get(queue_url(cycle, village_b)).status_code == 404


def test_the_cycle_page_links_to_the_queue(client, cycle, homes, officer):
    client.force_login(officer)
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    assert reverse("cycle_queue", args=[cycle.pk]) in html


def test_the_review_form_offers_save_and_next_and_its_keys(client, cycle, homes, officer):
    client.force_login(officer)
    html = client.get(reverse("review_entry", args=[homes["A-001"].pk, cycle.pk])).content.decode()
    assert 'name="then" value="next"' in html and "Lưu và sang hộ tiếp theo" in html
    assert "js/review-keys.js" in html


def test_a_long_village_queue_is_paged(client, cycle, village_a, officer):
    from households.tests.factories import HouseholdFactory
    from review.queue_views import QUEUE_PAGE

    for i in range(QUEUE_PAGE + 3):
        HouseholdFactory(village=village_a, code=f"Q-{i:04d}")
    client.force_login(officer)
    first = client.get(queue_url(cycle, village_a)).content.decode()
    assert first.count('class="list-group-item') == QUEUE_PAGE
    assert "Q-0000" in first and f"Q-{QUEUE_PAGE:04d}" not in first
    second = client.get(queue_url(cycle, village_a) + "?page=2").content.decode()
    assert second.count('class="list-group-item') == 3 and f"Q-{QUEUE_PAGE:04d}" in second
