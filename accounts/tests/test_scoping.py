import pytest
from django.http import Http404

from accounts.access import get_editable_or_404, get_visible_or_404
from accounts.tests.factories import UserFactory
from areas.models import Area, reportable_areas
from households.models import Household, ReviewCycle
from households.tests.factories import HouseholdFactory, ReviewCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(village_a, village_b, other_village):
    return {
        "a": HouseholdFactory(village=village_a),
        "b": HouseholdFactory(village=village_b),
        "far": HouseholdFactory(village=other_village),
    }


def visible(user):
    return set(Household.objects.visible_to(user))


def editable(user):
    return set(Household.objects.editable_by(user))


def test_a_village_board_sees_and_edits_only_its_village(homes, board_a):
    assert visible(board_a) == {homes["a"]}
    assert editable(board_a) == {homes["a"]}


def test_a_commune_officer_sees_and_edits_the_whole_commune(homes, officer):
    assert visible(officer) == editable(officer) == {homes["a"], homes["b"]}


def test_a_viewer_reads_the_district_but_edits_nothing(homes, viewer):
    assert visible(viewer) == {homes["a"], homes["b"]}
    assert editable(viewer) == set()


def test_an_administrator_membership_opens_everything(homes, commune):
    admin = UserFactory(membership=(commune, "admin"))
    assert visible(admin) == editable(admin) == set(homes.values())


def test_a_user_without_membership_sees_nothing(homes):
    assert visible(UserFactory()) == set()


def test_an_inactive_user_sees_nothing(homes, board_a):
    board_a.is_active = False
    assert visible(board_a) == set()


def test_the_board_gets_404_for_a_household_of_another_village(homes, board_a):
    assert get_visible_or_404(Household, board_a, pk=homes["a"].pk) == homes["a"]
    with pytest.raises(Http404):
        get_visible_or_404(Household, board_a, pk=homes["b"].pk)
    with pytest.raises(Http404):
        get_editable_or_404(Household, board_a, pk=homes["far"].pk)


def test_the_viewer_gets_404_when_fetching_for_a_change(homes, viewer):
    assert get_visible_or_404(Household, viewer, pk=homes["a"].pk)
    with pytest.raises(Http404):
        get_editable_or_404(Household, viewer, pk=homes["a"].pk)


def test_a_board_sees_its_commune_cycle_but_only_officers_change_it(commune, board_a, officer):
    cycle = ReviewCycleFactory(commune=commune)
    assert list(ReviewCycle.objects.visible_to(board_a)) == [cycle]
    assert list(ReviewCycle.objects.editable_by(board_a)) == []
    assert list(ReviewCycle.objects.editable_by(officer)) == [cycle]


def test_a_board_may_read_its_commune_aggregate_but_not_the_other_village(
    commune, village_a, village_b, board_a
):
    areas = set(reportable_areas(board_a))
    assert {commune, village_a} <= areas
    assert village_b not in areas
    assert commune.parent not in areas


def test_areas_above_a_member_are_visible_by_name_but_not_editable(commune, village_a, board_a):
    assert set(Area.objects.visible_to(board_a)) >= {village_a, commune, commune.parent}
    assert not Area.objects.editable_by(board_a).exists()


def test_a_finance_officer_edits_the_budget_but_not_the_registry(homes, commune):
    from budget.models import BudgetLine
    from budget.tests.factories import BudgetLineFactory

    line = BudgetLineFactory(commune=commune)
    finance = UserFactory(membership=(commune, "finance"))
    assert list(BudgetLine.objects.editable_by(finance)) == [line]
    assert visible(finance) == {homes["a"], homes["b"]}
    assert editable(finance) == set()
    assert not ReviewCycle.objects.editable_by(finance).exists()


def test_only_a_district_or_province_scope_sees_beyond_a_commune(officer, board_a, viewer):
    from areas.scoping import sees_beyond_a_commune

    assert sees_beyond_a_commune(viewer)
    assert not sees_beyond_a_commune(officer) and not sees_beyond_a_commune(board_a)
