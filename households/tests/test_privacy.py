"""Citizen IDs (CCCD) masked by role, revealed in full only by an explicit, logged action; the
household page and the exports logged (docs/decisions.md: citizen IDs, audit of reads)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from areas.scoping import may_reveal_citizen_id, persons_visible_in
from audit.models import AccessLog
from households import services
from households.privacy import mask_citizen_id

pytestmark = pytest.mark.django_db

FULL_A = "001099001234"
MASKED_A = "0010******34"
FULL_B = "002080000002"


@pytest.fixture
def finance(commune):
    return UserFactory(username="finance", membership=(commune, "finance"))


def make_home(village, code, head, citizen_id):
    home = services.household_create(village=village, code=code, head_name=head, floor_area_m2=30)
    services.member_add(
        household=home, full_name=head, sex="M", relation_to_head="head", citizen_id=citizen_id
    )
    services.member_add(household=home, full_name=f"{head} con", sex="F", relation_to_head="child")
    return home


@pytest.fixture
def home_a(village_a):
    return make_home(village_a, "A-1", "Lò Văn Tâm", FULL_A)


@pytest.fixture
def home_b(village_b):
    return make_home(village_b, "B-1", "Vàng Thị Mai", FULL_B)


def page(client, user, home):
    client.force_login(user)
    response = client.get(reverse("household_detail", args=[home.pk]))
    assert response.status_code == 200
    return response.content.decode()


def reveal(client, user, home):
    client.force_login(user)
    return client.post(reverse("household_detail", args=[home.pk]))


def test_a_citizen_id_is_masked_keeping_four_digits_before_and_two_after():
    assert mask_citizen_id(FULL_A) == MASKED_A
    assert mask_citizen_id("") == "" and mask_citizen_id(None) == ""
    assert mask_citizen_id("12345") == "*****"


@pytest.mark.parametrize("persona", ["viewer", "finance", "officer", "board_a"])
def test_every_role_sees_a_masked_citizen_id_on_the_household_page(
    client, home_a, persona, request
):
    user = request.getfixturevalue(persona)
    html = page(client, user, home_a)
    assert MASKED_A in html and FULL_A not in html


def test_the_history_of_a_household_masks_citizen_ids_too(client, home_a, officer):
    member = home_a.members.get(citizen_id=FULL_A)
    member.citizen_id = "001099005678"
    services.members_save(household=home_a, changed=[member], deleted=[])
    html = page(client, officer, home_a)
    assert "Lịch sử thay đổi" in html and "0010******78" in html
    assert FULL_A not in html and "001099005678" not in html
    revealed = reveal(client, officer, home_a).content.decode()
    assert FULL_A in revealed and "001099005678" in revealed


def test_viewers_finance_and_other_boards_may_not_reveal(
    client, home_a, viewer, finance, board_b, officer, board_a
):
    for user in (viewer, finance, board_b):
        assert not may_reveal_citizen_id(user, home_a)
    assert may_reveal_citizen_id(officer, home_a) and may_reveal_citizen_id(board_a, home_a)
    for user in (viewer, finance):
        html = page(client, user, home_a)
        assert 'data-testid="reveal-citizen-ids"' not in html
        response = reveal(client, user, home_a)
        assert response.status_code == 403 and FULL_A not in response.content.decode()
    response = reveal(client, board_b, home_a)  # not even visible to it
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL_CITIZEN_ID).exists()


@pytest.mark.parametrize("persona", ["officer", "board_a"])
def test_the_officer_and_the_own_board_see_the_full_number_after_a_logged_reveal(
    client, home_a, village_a, persona, request
):
    user = request.getfixturevalue(persona)
    assert 'data-testid="reveal-citizen-ids"' in page(client, user, home_a)
    response = reveal(client, user, home_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert FULL_A in html and 'data-testid="citizen-ids-revealed"' in html
    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL_CITIZEN_ID)
    assert entry.user == user and entry.username == user.username
    assert entry.area == village_a and entry.rows == 1
    assert (entry.object_type, entry.object_id) == ("households.household", str(home_a.pk))
    assert "A-1" in entry.what and entry.path == reverse("household_detail", args=[home_a.pk])
    # The next plain view is masked again.
    assert FULL_A not in page(client, user, home_a)


def test_a_reveal_that_cannot_be_logged_shows_nothing(client, home_a, officer):
    from django.db import connection

    client.force_login(officer)
    client.get(reverse("household_list"))  # the session is read before the log goes
    with connection.cursor() as cursor:  # the log's table is gone: every write to it fails
        cursor.execute("DROP TABLE audit_accesslog")
    client.raise_request_exception = False
    response = client.post(reverse("household_detail", args=[home_a.pk]))
    assert response.status_code == 500 and FULL_A not in response.content.decode()


def test_every_household_page_view_is_logged(client, home_a, viewer):
    page(client, viewer, home_a)
    page(client, viewer, home_a)
    entries = AccessLog.objects.filter(action=AccessLog.Action.VIEW_HOUSEHOLD)
    assert entries.count() == 2
    entry = entries.first()
    assert entry.user == viewer and entry.area == home_a.village and entry.rows == 2
    assert entry.ip == "127.0.0.1"


def test_opening_the_edit_form_is_a_logged_reveal(client, home_a, officer):
    client.force_login(officer)
    html = client.get(reverse("household_edit", args=[home_a.pk])).content.decode()
    assert FULL_A in html  # the editor reads and corrects the number
    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL_CITIZEN_ID)
    assert entry.user == officer and entry.rows == 1 and "A-1" in entry.what


def test_the_household_export_is_masked_for_a_viewer_and_full_for_the_officer(
    client, home_a, home_b, viewer, officer, board_a
):
    def cccds(user):
        client.force_login(user)
        response = client.get(reverse("imports:export_households"))
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {row[5].value for row in book["Thành viên"].iter_rows(min_row=2) if row[5].value}

    assert cccds(viewer) == {MASKED_A, "0020******02"}
    assert cccds(officer) == {FULL_A, FULL_B}
    assert cccds(board_a) == {FULL_A}
    logs = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("id")
    assert [(e.user, e.rows) for e in logs] == [(viewer, 2), (officer, 2), (board_a, 1)]


def test_the_results_export_is_logged_with_its_rows(client, home_a, home_b, officer, commune):
    from households.tests.factories import ReviewCycleFactory

    cycle = ReviewCycleFactory(commune=commune, year=2024)
    for home in (home_a, home_b):
        services.assessment_record(
            cycle=cycle, household=home, income_per_capita=800_000, deprived=["6.1", "6.2", "3.1"]
        )
    client.force_login(officer)
    response = client.get(reverse("imports:export_poor", args=[cycle.pk]))
    assert response.status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert entry.rows == 2 and entry.area == commune


def test_search_by_full_citizen_id_works_for_those_who_may_see_it(
    client, home_a, home_b, officer, board_a
):
    for user in (officer, board_a):
        client.force_login(user)
        listed = client.get(reverse("household_list"), {"q": FULL_A}).context["page"]
        assert [h.code for h in listed] == ["A-1"]


def test_search_by_citizen_id_confirms_nothing_to_a_viewer(client, home_a, viewer, finance):
    for user in (viewer, finance):
        client.force_login(user)
        for q in (FULL_A, "990012", "0010"):
            listed = client.get(reverse("household_list"), {"q": q}).context["page"]
            assert list(listed) == [], (user.username, q)
        # Names and codes still find the household.
        listed = client.get(reverse("household_list"), {"q": "A-1"}).context["page"]
        assert [h.code for h in listed] == ["A-1"]
        listed = client.get(reverse("household_list"), {"q": "lo van tam"}).context["page"]
        assert [h.code for h in listed] == ["A-1"]


def test_persons_are_visible_to_boards_only_in_their_village_and_never_to_finance(
    commune, village_a, village_b, board_a, officer, viewer, finance, administrator
):
    assert persons_visible_in(board_a, village_a)
    assert not persons_visible_in(board_a, commune) and not persons_visible_in(board_a, village_b)
    assert persons_visible_in(officer, commune) and persons_visible_in(viewer, commune)
    assert not persons_visible_in(finance, commune) and not persons_visible_in(finance, village_a)
    assert persons_visible_in(administrator, commune)


def test_the_household_page_runs_a_bounded_number_of_queries_with_its_log(
    client, home_a, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(reverse("household_detail", args=[home_a.pk]))  # warm the session
    # 25 as before the log, which adds one INSERT (the test of test_views.py keeps its 25).
    with django_assert_max_num_queries(26):
        assert client.get(reverse("household_detail", args=[home_a.pk])).status_code == 200
    with django_assert_max_num_queries(26):
        assert client.post(reverse("household_detail", args=[home_a.pk])).status_code == 200
