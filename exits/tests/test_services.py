"""Writing pathways: who may register, plan and record visits; what is refused; and planned
against actual exits agreeing with the ``movement`` report on the same data."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from exits import outcome, services
from exits.models import FollowUpVisit, Pathway, PlannedSupport, SupportNorm
from households import services as household_services
from households.models import ReviewCycle
from households.reports.movement import movement
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from projects.tests.factories import SubProjectFactory

pytestmark = pytest.mark.django_db
FINALISED = ReviewCycle.Status.FINALISED


def home(village, members=2):
    household = HouseholdFactory(village=village)
    MemberFactory.create_batch(members, household=household)
    return household


def record(cycle, household, income, deprived=()):
    household_services.assessment_record(
        cycle=cycle, household=household, income_per_capita=income, deprived=deprived
    )


POOR_ANSWERS = (1_000_000, ["2.2", "5.2", "4.1"])
NEAR_ANSWERS = (1_200_000, ["5.2"])
AVERAGE_ANSWERS = (2_000_000, [])


@pytest.fixture
def start(commune, village_a, village_b):
    cycle = ReviewCycleFactory(commune=commune, year=2023)
    homes = {
        "p1": home(village_a, 3),
        "p2": home(village_a),
        "p3": home(village_b),
        "n1": home(village_b, 4),
        "n2": home(village_a),
        "x": home(village_b),
    }
    for key, answers in {
        "p1": POOR_ANSWERS,
        "p2": POOR_ANSWERS,
        "p3": POOR_ANSWERS,
        "n1": NEAR_ANSWERS,
        "n2": NEAR_ANSWERS,
        "x": AVERAGE_ANSWERS,
    }.items():
        record(cycle, homes[key], *answers)
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=FINALISED)
    return homes


@pytest.fixture
def card(district):
    return SupportNorm.objects.create(
        area=district,
        year=2024,
        subproject=SubProjectFactory(code="DA7"),
        indicator=None,
        item="Thẻ BHYT",
        unit=SupportNorm.Unit.PERSON,
        amount=800_000,
        source="Giá trị mẫu",
        is_sample=True,
    )


def test_an_officer_plans_a_household_with_its_helper_and_support(start, officer, card):
    pathway = services.plan(
        household=start["p1"],
        year=2024,
        planned=True,
        helper=" Hội Phụ nữ xã ",
        norms=[card],
        user=officer,
    )
    assert (pathway.planned, pathway.helper) == (True, "Hội Phụ nữ xã")
    support = PlannedSupport.objects.get(pathway=pathway)
    assert (support.quantity, support.amount) == (3, 2_400_000)
    # taking it off the plan drops its support items and helper; history keeps the change
    pathway = services.plan(
        household=start["p1"],
        year=2024,
        planned=False,
        expected_version=pathway.version,
        user=officer,
    )
    assert (pathway.planned, pathway.helper, pathway.supports.count()) == (False, "", 0)
    assert pathway.history.count() == 3  # created, planned, unplanned


def test_a_plan_is_refused_without_a_helper_or_off_the_list_or_stale(start, officer, card):
    with pytest.raises(ValidationError, match="giúp đỡ"):
        services.plan(household=start["p1"], year=2024, planned=True, user=officer)
    with pytest.raises(ValidationError, match="không thuộc danh sách"):
        services.plan(household=start["x"], year=2024, planned=True, helper="Đoàn", user=officer)
    pathway = services.plan(
        household=start["p2"], year=2024, planned=True, helper="Đoàn", user=officer
    )
    with pytest.raises(services.PathwayConflict):
        services.plan(
            household=start["p2"],
            year=2024,
            planned=True,
            helper="Hội Nông dân",
            expected_version=pathway.version - 1,
            user=officer,
        )
    assert Pathway.objects.get(pk=pathway.pk).helper == "Đoàn"
    other = SupportNorm.objects.create(
        area=start["p1"].commune,
        year=2023,
        subproject=card.subproject,
        item="Norm of another year",
        unit=SupportNorm.Unit.HOUSEHOLD,
        amount=1,
        source="x",
    )
    with pytest.raises(ValidationError, match="không áp dụng"):
        services.plan(household=start["p3"], year=2024, planned=True, helper="Đoàn", norms=[other])
    assert not Pathway.objects.filter(household=start["p3"]).exists()


def test_boards_register_and_visit_in_their_own_village_only(start, officer, board_a, board_b):
    services.register(household=start["p1"], year=2024, registered=True, user=board_a)
    with pytest.raises(ValidationError):
        services.register(household=start["p1"], year=2024, registered=False, user=board_b)
    with pytest.raises(ValidationError):  # a board does not plan: the commune does
        services.plan(household=start["p1"], year=2024, planned=True, helper="Đoàn", user=board_a)
    pathway = services.plan(
        household=start["p1"], year=2024, planned=True, helper="Đoàn", user=officer
    )
    day = datetime.date(2024, 5, 2)
    services.visit_record(pathway=pathway, visited_on=day, visitor="Đoàn xã", user=board_a)
    with pytest.raises(ValidationError):
        services.visit_record(pathway=pathway, visited_on=day, visitor="x", user=board_b)
    with pytest.raises(ValidationError, match="trong năm"):
        services.visit_record(
            pathway=pathway, visited_on=datetime.date(2023, 5, 2), visitor="x", user=board_a
        )
    assert FollowUpVisit.objects.filter(pathway=pathway).count() == 1
    assert Pathway.objects.get(pk=pathway.pk).registered


def test_planned_against_actual_agrees_with_movement(commune, village_a, village_b, start, officer):
    for key in ("p1", "p2", "n1"):
        services.plan(household=start[key], year=2024, planned=True, helper="Đoàn", user=officer)
    end = ReviewCycleFactory(commune=commune, year=2024)
    record(end, start["p1"], *AVERAGE_ANSWERS)  # planned, escaped both lists
    record(end, start["p2"], *POOR_ANSWERS)  # planned, stayed poor
    record(end, start["p3"], *NEAR_ANSWERS)  # not planned, escaped poverty to near-poverty
    record(end, start["n1"], *POOR_ANSWERS)  # planned, fell back
    record(end, start["n2"], *AVERAGE_ANSWERS)  # not planned, escaped near-poverty
    record(end, start["x"], *AVERAGE_ANSWERS)
    ReviewCycle.objects.filter(pk=end.pk).update(status=FINALISED)

    rows = outcome.outcomes(commune, 2024)
    tallies = outcome.by_village(rows)
    a, b = tallies[village_a.pk], tallies[village_b.pk]
    assert (a.planned, a.planned_escaped, a.unplanned_escaped, a.planned_fell_back) == (2, 1, 1, 0)
    assert (b.planned, b.planned_escaped, b.unplanned_escaped, b.planned_fell_back) == (1, 0, 1, 1)

    total = movement(commune, 2024).tables[0].rows[-1]
    escaped_poverty = sum(r.escaped for r in rows if r.before == "poor")
    escaped_near = sum(r.escaped for r in rows if r.before == "near_poor")
    assert escaped_poverty == total["escaped_poverty"] + total["poor_to_near"] == 2
    assert escaped_near == total["escaped_near"] == 1
    assert sum(r.fell_back for r in rows) == total["near_to_poor"] == 1
