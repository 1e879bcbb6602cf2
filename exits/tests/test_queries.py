"""The pathway list on a small commune: who is on it, what each lacks, which support covers it at
what cost, the ranking, the filters, and that the list is the plan's baseline (finalised figures
of the year before)."""

import pytest

from exits.models import Pathway, SupportNorm
from exits.queries import INCOME, pathway_rows
from households import services
from households.models import ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import Indicator
from projects.tests.factories import SubProjectFactory

pytestmark = pytest.mark.django_db


def home(village, members=2, **fields):
    household = HouseholdFactory(village=village, **fields)
    MemberFactory.create_batch(members, household=household)
    return household


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


def finalise(cycle):
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.FINALISED)


def norm(area, sub, code, item, amount, unit=SupportNorm.Unit.HOUSEHOLD, year=2024):
    indicator = Indicator.objects.filter(code=code).first() if code else None
    return SupportNorm.objects.create(
        area=area,
        year=year,
        subproject=sub,
        indicator=indicator,
        item=item,
        unit=unit,
        amount=amount,
        source="Giá trị mẫu",
        is_sample=True,
    )


@pytest.fixture
def homes(cycle, village_a, village_b):
    h = {
        # poor, 4 deprivations: 2 to lift
        "poor4": home(village_a, members=3),
        # poor, 3 deprivations: 1 to lift
        "poor3": home(village_a, members=5, ethnicity="Chăm"),
        # near-poor: income only
        "near": home(village_b, members=4),
        # average: not on the list
        "avg": home(village_b),
    }
    record = services.assessment_record
    record(
        cycle=cycle,
        household=h["poor4"],
        income_per_capita=1_000_000,
        deprived=["2.2", "5.2", "4.1", "6.1"],
    )
    record(
        cycle=cycle,
        household=h["poor3"],
        income_per_capita=1_400_000,
        deprived=["2.2", "5.2", "4.1"],
    )
    record(cycle=cycle, household=h["near"], income_per_capita=1_200_000, deprived=["5.2"])
    record(cycle=cycle, household=h["avg"], income_per_capita=2_000_000)
    finalise(cycle)
    return h


@pytest.fixture
def norms(district, commune):
    health = SubProjectFactory(code="DA7")
    sanitation = SubProjectFactory(code="DA6")
    livelihood = SubProjectFactory(code="DA2")
    return {
        "card": norm(district, health, "2.2", "Thẻ BHYT", 800_000, SupportNorm.Unit.PERSON),
        "latrine": norm(district, sanitation, "5.2", "Nhà tiêu hợp vệ sinh", 3_000_000),
        # the commune's own norm for the same item replaces the district's
        "latrine_commune": norm(commune, sanitation, "5.2", "Nhà tiêu hợp vệ sinh", 2_500_000),
        "goats": norm(district, livelihood, None, "Mô hình nuôi dê", 10_000_000),
        "cows": norm(district, livelihood, None, "Bò giống", 15_000_000),
        "old": norm(district, livelihood, None, "Bò giống năm trước", 1, year=2023),
    }


def test_the_list_holds_the_poor_and_near_poor_with_their_needs(commune, homes, norms):
    rows = {r.household.pk: r for r in pathway_rows(commune, 2024)}
    assert set(rows) == {homes["poor4"].pk, homes["poor3"].pk, homes["near"].pk}
    poor4 = rows[homes["poor4"].pk]
    assert poor4.needs.deprivations_to_lift == 2
    assert poor4.needs.income_gap_month == 500_001
    assert poor4.needs.income_gap_year == 500_001 * 3 * 12
    # 4.1 and 6.1 have no norm: the two cheapest covered needs are the latrine and 3 cards
    assert [(c.need, c.cost) for c in poor4.covered] == [("2.2", 2_400_000), ("5.2", 2_500_000)]
    assert poor4.cost == 4_900_000 and poor4.complete
    poor3 = rows[homes["poor3"].pk]
    # 5 members: cards cost 4,000,000, the commune's latrine 2,500,000
    assert [(c.need, c.norm.item, c.cost) for c in poor3.covered] == [
        ("5.2", "Nhà tiêu hợp vệ sinh", 2_500_000)
    ]
    near = rows[homes["near"].pk]
    assert near.needs.deprivations_to_lift == 0
    assert [(c.need, c.norm.item, c.cost) for c in near.covered] == [
        (INCOME, "Mô hình nuôi dê", 10_000_000)
    ]


def test_the_ranking_puts_the_least_effort_first(commune, homes, norms):
    order = [r.household.pk for r in pathway_rows(commune, 2024)]
    assert order == [homes["near"].pk, homes["poor3"].pk, homes["poor4"].pk]


def test_a_need_without_a_norm_is_uncovered_and_ranks_after_a_covered_one(commune, homes):
    rows = {r.household.pk: r for r in pathway_rows(commune, 2024)}
    assert rows[homes["near"].pk].uncovered == [INCOME]
    assert not rows[homes["near"].pk].complete
    assert rows[homes["poor3"].pk].uncovered == ["2.2"]


def test_filters_by_village_ethnicity_and_registration(commune, village_a, homes, norms):
    assert {r.household.pk for r in pathway_rows(commune, 2024, village=village_a)} == {
        homes["poor4"].pk,
        homes["poor3"].pk,
    }
    assert [r.household.pk for r in pathway_rows(commune, 2024, ethnicity="chăm")] == [
        homes["poor3"].pk
    ]
    assert pathway_rows(commune, 2024, registered_only=True) == []
    Pathway.objects.create(household=homes["near"], year=2024, registered=True)
    Pathway.objects.create(household=homes["poor4"], year=2023, registered=True)
    registered = pathway_rows(commune, 2024, registered_only=True)
    assert [r.household.pk for r in registered] == [homes["near"].pk]
    assert registered[0].pathway.registered


def test_the_baseline_is_the_finalised_figures_of_the_year_before(commune, cycle, homes):
    assert pathway_rows(commune, 2023) == []  # no figures for 2022
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.DRAFT)
    assert pathway_rows(commune, 2024) == []  # provisional figures are not a baseline


def test_the_list_runs_a_fixed_number_of_queries(
    commune, village_a, cycle, homes, norms, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert len(pathway_rows(commune, 2024)) == 3
