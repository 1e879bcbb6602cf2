"""The summary counts equal a full recount after any sequence of writes through the services
(hypothesis draws the sequences): households created, moved (to another commune too), their
members and registry dates changed; results recorded and changed; households kept at their
previous result and no longer; cycles opened, finalised and reopened; a small import."""

import datetime
import itertools
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from areas.models import Area
from households import bulkregistry, services, standing, summary
from households.models import (
    Deprivation,
    Household,
    Member,
    ReviewCycle,
    ReviewExemption,
    SummaryCount,
)
from households.queries import cycle_registry, household_list, households_without_result
from review import services as review_services

pytestmark = pytest.mark.django_db

CODES = itertools.count(1)
RESULTS = [(1_000_000, ("2.2", "4.1", "5.2")), (1_400_000, ("2.2",)), (4_000_000, ())]


def entry(household, k):
    income, codes = RESULTS[k % 3]
    return services.AssessmentEntry(household, income, None, codes)


def new_household(village):
    household = services.household_create(
        village=village, code=f"P{next(CODES):05d}", head_name="Lê Thị Hoa"
    )
    services.member_add(
        household=household, full_name="Lê Thị Hoa", sex="F", relation_to_head="head"
    )
    return household


@pytest.fixture
def world(village_a, village_b, other_village):
    """Two communes; the first with a finalised 2023 review of four households (so that a 2024
    household can keep its previous result) and an open 2024 review."""
    commune = village_a.parent
    homes = [new_household(v) for v in (village_a, village_a, village_b, other_village)]
    cycle = services.review_cycle_create(commune=commune, year=2023)
    services.assessments_record(
        cycle=cycle,
        entries=[entry(h, i) for i, h in enumerate(homes[:3])],
    )
    services.review_cycle_finalise(cycle=cycle, user=None)
    services.review_cycle_create(commune=commune, year=2024)
    user = UserFactory(username="every_area", is_superuser=True)
    return {"villages": [village_a, village_b, other_village], "user": user}


def pick(items, index):
    return items[index % len(items)] if items else None


def households():
    return list(Household.objects.order_by("pk"))


def cycles():
    return list(ReviewCycle.objects.order_by("pk"))


def op_create(world, i, j):
    new_household(pick(world["villages"], i))


def op_member(world, i, j):
    household = pick(households(), i)
    if j % 2:
        services.member_add(
            household=household, full_name="Trần Văn Nam", sex="M", relation_to_head="child"
        )
    else:
        gone = household.members.order_by("-pk")[:1]
        services.members_save(household=household, changed=[], deleted=list(gone))


def op_move(world, i, j):
    household = pick(households(), i)
    services.household_update(household=household, village=pick(world["villages"], j))


def op_dates(world, i, j):
    household = pick(households(), i)
    choices = [
        {"left_registry_on": datetime.date(2024, 6, 1)},
        {"left_registry_on": None, "joined_registry_on": None},
        {"joined_registry_on": datetime.date(2024, 12, 20), "joined_how": "new"},
        {"left_registry_on": datetime.date(2025, 1, 10)},
    ]
    services.household_update(household=household, **choices[j % len(choices)])


def op_result(world, i, j):
    """Record or change a result in an open review (of any kind)."""
    cycle = pick(list(ReviewCycle.objects.filter(status="draft").order_by("pk")), j)
    household = cycle and pick(list(cycle_registry(cycle).order_by("pk")), i)
    if household:
        income, codes = RESULTS[(i + j) % 3]
        services.assessment_record(
            cycle=cycle, household=household, income_per_capita=income, deprived=codes
        )


def op_keep(world, i, j):
    """Keep a household with a decided result at it in an open review, or (kept already) no
    longer."""
    cycle = pick(list(ReviewCycle.objects.filter(status="draft").order_by("pk")), j)
    decided = Household.objects.filter(assessments__cycle__status="finalised").distinct()
    household = cycle and pick(list(decided.order_by("pk")), i)
    if not household:
        return
    kept = ReviewExemption.objects.filter(cycle=cycle, household=household).first()
    if kept is not None:
        review_services.exemption_remove(exemption=kept)
    else:
        review_services.exemption_record(
            cycle=cycle, household=household, reason=ReviewExemption.Reason.KEPT_PREVIOUS
        )


def op_finalise(world, i, j):
    cycle = pick(cycles(), j)
    if cycle.is_finalised:
        review_services.reopen(cycle=cycle, reason="Sửa kết quả")
        return
    todo = list(households_without_result(cycle).select_related("village"))
    if todo:
        services.assessments_record(
            cycle=cycle,
            entries=[entry(h, (i + k)) for k, h in enumerate(todo)],
        )
    services.review_cycle_finalise(cycle=cycle, user=None)


def op_cycle(world, i, j):
    village = pick(world["villages"], i)
    services.review_cycle_create(commune=village.parent, year=(2023, 2024, 2025)[j % 3])


def op_import(world, i, j):
    """The registry import's write (households.bulkregistry): two new households, and one
    household of the commune moved to another of its villages."""
    village = pick(world["villages"], i)
    commune = village.parent
    new = [
        bulkregistry.NewHousehold(
            village.pk,
            {"code": f"N{next(CODES):05d}", "head_name": "Phạm Văn An"},
            [{"full_name": "Phạm Văn An", "sex": "M", "relation_to_head": "head"}],
        )
        for _k in range(2)
    ]
    moved = list(Household.objects.filter(commune=commune).order_by("pk")[j % 3 : j % 3 + 1])
    siblings = [v for v in world["villages"] if v.parent_id == commune.pk]
    for household in moved:
        household.village = pick(siblings, j + 1)
    with summary.collecting():
        bulkregistry.registry_import(
            commune=commune,
            new_households=new,
            changed_households=moved,
            household_fields=["village"] if moved else [],
        )


def op_results_import(world, i, j):
    """The results import's write: several results of one open cycle at once."""
    cycle = pick(list(ReviewCycle.objects.filter(status="draft").order_by("pk")), j)
    if cycle is None:
        return
    homes = list(cycle_registry(cycle).order_by("pk")[i % 2 :: 2])
    with summary.collecting():
        services.assessments_record(
            cycle=cycle, entries=[entry(h, i + k) for k, h in enumerate(homes)]
        )


OPS = [
    op_create,
    op_member,
    op_move,
    op_dates,
    op_result,
    op_keep,
    op_finalise,
    op_cycle,
    op_import,
    op_results_import,
]
STEP = st.tuples(st.sampled_from(OPS), st.integers(0, 3), st.integers(0, 3))


def assert_readers_agree(user):
    """What the reports and the list read from the summary equals the same figures computed
    directly: section I (classes, deprivations, registry) of every area and of the country, the
    registry by commune, and the household list's total (``user``: a superuser)."""
    years = sorted(set(ReviewCycle.objects.filter(kind="periodic").values_list("year", flat=True)))
    areas = [None, *Area.objects.filter(kind__in=[Area.Kind.PROVINCE, Area.Kind.COMMUNE])]
    for year in years:
        for area in areas:
            results = standing.year_results(year)
            results = results if area is None else results.within(area)
            section = summary.section_one(area.path if area else "", year)
            assert section.totals == results.class_totals(), (area, year)
            deprived = Counter(
                Deprivation.objects.filter(
                    assessment__in=results.filter(household_class__in=["poor", "near_poor"])
                ).values_list("indicator__code", "assessment__household_class")
            )
            assert section.deprived == deprived, (area, year)
            if area is not None:
                computed = standing.registry_counts(area, [year], "commune_id")[year]
                assert summary.registry_by_commune(area.path, [year])[year] == computed
                assert section.registry == standing.registry_of_year(area, year).count()
    communes = [None, Area.objects.filter(kind=Area.Kind.COMMUNE).order_by("pk").first()]
    filters = [("", ""), ("poor", ""), ("near_poor", "2.2")]
    for cycle, year in [(c, None) for c in cycles()] + [(None, y) for y in years]:
        for (household_class, indicator), commune in itertools.product(filters, communes):
            if cycle is None and not (household_class or indicator):
                continue  # a household with two results in a year: docs/architecture.md
            chosen = {"household_class": household_class, "indicator": indicator}
            total = summary.list_total(user, {**chosen, "commune": commune}, cycle=cycle, year=year)
            listed = household_list(user, cycle=cycle, year=year, commune=commune, **chosen)
            assert total == listed.count(), (cycle, year, chosen, commune)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_the_summary_equals_a_full_recount_after_any_writes(world, steps):
    with transaction.atomic():
        for op, i, j in steps:
            try:
                with transaction.atomic():
                    op(world, i, j)
            except ValidationError:
                pass  # refused by the service (off the registry, finalised cycle...): no write
            # after every step, so that a later write of the same village cannot hide a miss
            assert summary.stored() == summary.recount(), op.__name__
        assert_readers_agree(world["user"])
        transaction.set_rollback(True)  # the next example starts from the same world


def test_members_change_no_count(world):
    household = households()[0]
    before = summary.stored()
    services.member_add(
        household=household, full_name="Trần Văn Nam", sex="M", relation_to_head="child"
    )
    assert summary.stored() == before
    assert Member.objects.filter(household=household).count() == 2


SCRIPT = [
    (op_keep, 0, 0),  # kept at the 2023 result in 2024
    (op_keep, 0, 0),  # and no longer
    (op_keep, 1, 0),
    (op_result, 1, 0),  # a result where a household was kept
    (op_create, 1, 0),
    (op_member, 0, 1),
    (op_member, 0, 0),
    (op_move, 0, 2),  # to the other commune
    (op_move, 2, 1),
    (op_dates, 1, 0),  # left before the 2024 reference date
    (op_dates, 2, 2),  # joined after it
    (op_dates, 1, 1),  # back on the registry
    (op_cycle, 2, 1),  # the other commune's 2024 review
    (op_import, 0, 1),
    (op_results_import, 0, 0),
    (op_finalise, 0, 1),  # 2024 decided: carried into 2025
    (op_cycle, 0, 2),
    (op_keep, 1, 1),  # kept at the 2024 result in 2025
    (op_finalise, 0, 1),  # 2024 reopened
    (op_result, 0, 1),
]


# A household kept at a result recorded in another village: its 2023 result in village A, it
# moves to B, its 2024 result in B, kept at it in 2025; reopening 2024 carries the 2023 result
# (village A) into 2025 again, deciding it again the 2024 one. No 2024 result is in A (the
# other household of A moves to B too), so only the household's older result names A.
CARRIED_ELSEWHERE = [
    (op_move, 0, 1),  # the first household (result of 2023 in A) to B
    (op_move, 1, 1),  # the other household of A to B
    (op_result, 0, 0),  # its 2024 result, in B
    (op_finalise, 0, 1),  # 2024 decided
    (op_cycle, 0, 2),  # 2025 opened
    (op_keep, 0, 0),  # kept at the 2024 result in 2025
    (op_finalise, 0, 1),  # 2024 reopened: the 2023 result, in A, is carried into 2025
    (op_finalise, 0, 1),  # 2024 decided again
]


@pytest.mark.parametrize("script", [SCRIPT, CARRIED_ELSEWHERE], ids=["every write", "carried"])
def test_each_write_keeps_the_summary_equal_to_a_recount(world, script):
    """The same property on fixed sequences: one that takes every write at least once, one of
    a result carried from another village."""
    for op, i, j in script:
        with transaction.atomic():
            op(world, i, j)
        assert summary.stored() == summary.recount(), (op.__name__, i, j)
    assert_readers_agree(world["user"])
    figures, _indicators = summary.stored()
    assert any(key[0] == "figures" and key[1] == 2025 for key in figures)  # carried into 2025


def test_an_edit_that_changes_no_village_or_date_refreshes_no_count(world):
    """The edit form sends the village and the registry dates every time: only a change of
    their values refreshes the counts (a count kept wrong stays wrong until then)."""
    household = households()[0]
    SummaryCount.objects.filter(basis="households", village=household.village).update(households=99)
    services.household_update(
        household=household,
        village=household.village,
        joined_registry_on=household.joined_registry_on,
        left_registry_on=household.left_registry_on,
        head_name="Lê Thị Hòa",
    )
    assert SummaryCount.objects.get(basis="households", village=household.village).households == 99
    services.household_update(
        household=household, village=household.village, left_registry_on=datetime.date(2025, 1, 1)
    )
    assert summary.stored() == summary.recount()
