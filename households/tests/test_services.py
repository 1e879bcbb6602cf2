import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from households import services
from households.models import Assessment, Deprivation, Household, Member
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def row_counts():
    return (
        Household.objects.count(),
        Member.objects.count(),
        Assessment.objects.count(),
        Deprivation.objects.count(),
    )


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


@pytest.fixture
def home(village_a):
    household = HouseholdFactory(village=village_a)
    MemberFactory.create_batch(4, household=household)
    return household


def test_recording_a_result_classifies_and_snapshots(cycle, home, officer):
    a = services.assessment_record(
        cycle=cycle,
        household=home,
        income_per_capita=1_200_000,
        deprived=["2.2", "4.1", "5.2"],
        user=officer,
    )
    a.refresh_from_db()
    assert (a.household_class, a.decided_by) == ("poor", "income")
    assert a.member_count == 4  # counted from the registry at the time
    assert a.deprivation_count == 3 and a.b2_score == 30
    assert a.village == home.village and a.standard == cycle.standard
    assert a.recorded_by == officer
    assert sorted(d.indicator.code for d in a.deprivations.all()) == ["2.2", "4.1", "5.2"]


def test_recording_again_updates_the_same_result(cycle, home):
    services.assessment_record(
        cycle=cycle, household=home, income_per_capita=1_000_000, deprived=["2.2", "4.1", "5.2"]
    )
    a = services.assessment_record(
        cycle=cycle, household=home, income_per_capita=1_000_000, deprived=["2.2"]
    )
    assert Assessment.objects.count() == 1
    assert a.household_class == "near_poor" and a.version == 2
    assert Deprivation.objects.count() == 1


def test_a_later_household_edit_does_not_change_last_years_result(cycle, home, village_b):
    services.assessment_record(cycle=cycle, household=home, income_per_capita=1_000_000)
    home.village = village_b
    home.save()
    MemberFactory(household=home)
    a = Assessment.objects.get()
    assert a.village != village_b and a.member_count == 4


def test_the_database_allows_one_result_per_household_per_cycle(cycle, home):
    a = services.assessment_record(cycle=cycle, household=home, income_per_capita=1_000_000)
    a.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        a.save(force_insert=True)


def test_a_negative_income_is_refused_and_nothing_is_saved(cycle, home):
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cycle=cycle, household=home, income_per_capita=-1)
    assert "income_per_capita" in exc.value.message_dict
    assert row_counts() == before


def test_an_income_as_text_is_refused(cycle, home):
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cycle=cycle, household=home, income_per_capita="một triệu")
    assert "số nguyên" in exc.value.message_dict["income_per_capita"][0]


def test_an_indicator_outside_the_cycle_standard_is_refused(cycle, home):
    # 5.3 exists only in the provisional 2027–2030 standard.
    assert Indicator.objects.filter(code="5.3").exists()
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(
            cycle=cycle, household=home, income_per_capita=1_000_000, deprived=["2.2", "5.3"]
        )
    assert "5.3" in exc.value.message_dict["deprived"][0]
    assert row_counts() == before


def test_a_household_outside_the_cycle_commune_is_refused(cycle, other_village):
    stranger = HouseholdFactory(village=other_village)
    MemberFactory(household=stranger)
    with pytest.raises(ValidationError, match="không thuộc xã"):
        services.assessment_record(cycle=cycle, household=stranger, income_per_capita=900_000)
    assert not Assessment.objects.exists()


def test_a_finalised_cycle_refuses_every_write(cycle, home, officer):
    services.assessment_record(cycle=cycle, household=home, income_per_capita=1_000_000)
    services.review_cycle_finalise(cycle=cycle, user=officer)
    before = row_counts()
    with pytest.raises(ValidationError, match="đã chốt"):
        services.assessment_record(cycle=cycle, household=home, income_per_capita=3_000_000)
    with pytest.raises(ValidationError, match="đã chốt"):
        services.review_cycle_finalise(cycle=cycle, user=officer)
    assert row_counts() == before
    assert Assessment.objects.get().income_per_capita == 1_000_000


def test_a_bulk_write_with_one_bad_entry_writes_nothing(cycle, village_a):
    homes = HouseholdFactory.create_batch(3, village=village_a)
    entries = [services.AssessmentEntry(h, 1_000_000, None, ["2.2"], 3) for h in homes[:2]]
    entries.append(services.AssessmentEntry(homes[2], -5, None, [], 3))
    with pytest.raises(ValidationError):
        services.assessments_record(cycle=cycle, entries=entries)
    assert not Assessment.objects.exists() and not Deprivation.objects.exists()


def test_a_household_without_members_cannot_be_assessed(cycle, village_a):
    empty = HouseholdFactory(village=village_a)
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cycle=cycle, household=empty, income_per_capita=900_000)
    assert "member_count" in exc.value.message_dict


@pytest.mark.parametrize("bad_id", ["12345", "0020801234567", "00208012345a"])
def test_a_citizen_id_of_the_wrong_shape_is_refused(home, bad_id):
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            household=home,
            full_name="Lý Thị Mai",
            sex="F",
            relation_to_head="child",
            citizen_id=bad_id,
        )
    assert "12 chữ số" in exc.value.message_dict["citizen_id"][0]
    assert row_counts() == before


def test_a_duplicated_citizen_id_is_refused(home, village_b):
    other = HouseholdFactory(village=village_b)
    services.member_add(
        household=home,
        full_name="Lý Thị Mai",
        sex="F",
        relation_to_head="child",
        citizen_id="002301000001",
    )
    with pytest.raises(ValidationError, match="đã được dùng"):
        services.member_add(
            household=other,
            full_name="Lý Văn Nam",
            sex="M",
            relation_to_head="head",
            citizen_id="002301000001",
        )


def test_an_empty_citizen_id_may_repeat(home):
    for name in ("Bé Một", "Bé Hai"):
        services.member_add(household=home, full_name=name, sex="F", relation_to_head="child")
    assert home.members.filter(citizen_id="").count() == 2


def test_text_is_stored_in_nfc_and_trimmed(village_a):
    decomposed = "Nguye\u0302\u0303n Va\u0306n  "  # "Nguyễn Văn" written with combining marks
    household = services.household_create(village=village_a, code=" X-1 ", head_name=decomposed)
    assert household.head_name == "Nguyễn Văn" and household.code == "X-1"


def test_a_household_code_is_unique_within_its_commune(village_a, village_b, other_village):
    services.household_create(village=village_a, code="H1", head_name="Ma Văn Long")
    with pytest.raises(ValidationError):
        services.household_create(village=village_b, code="H1", head_name="Ma Văn Tiến")
    services.household_create(village=other_village, code="H1", head_name="Ma Văn Tiến")


def test_a_zero_floor_area_is_refused(village_a):
    with pytest.raises(ValidationError) as exc:
        services.household_create(village=village_a, code="H2", head_name="A", floor_area_m2=0)
    assert "floor_area_m2" in exc.value.message_dict


def test_a_cycle_needs_a_standard_in_force(commune):
    with pytest.raises(ValidationError):
        services.review_cycle_create(commune=commune, year=2019)
    cycle = services.review_cycle_create(commune=commune, year=2024)
    assert cycle.standard.code == "2022-2025"
    assert cycle.reference_date == datetime.date(2024, 12, 14)


def test_a_second_periodic_cycle_in_a_year_is_refused(commune):
    services.review_cycle_create(commune=commune, year=2024)
    with pytest.raises(ValidationError):
        services.review_cycle_create(commune=commune, year=2024)
