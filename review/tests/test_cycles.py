"""Creating and closing a review cycle: its dates, its standard, duplicates, and the rule that a
periodic review closes only when every household of its registry has a result (the close of data
loaded whole; a commune decides through the stages: test_stages.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households import services
from households.models import ReviewCycle
from households.queries import Coverage, cycle_coverage, households_without_result
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import PovertyStandard

pytestmark = pytest.mark.django_db

AD_HOC = ReviewCycle.Kind.AD_HOC


def standard(code):
    return PovertyStandard.objects.get(code=code)


def home(village, **fields):
    household = HouseholdFactory(village=village, **fields)
    MemberFactory.create_batch(2, household=household)
    return household


def record(cycle, household):
    services.assessment_record(cycle=cycle, household=household, income_per_capita=5_000_000)


def form_data(commune, **changes):
    data = {"commune": commune.pk, "year": 2024, "kind": "periodic", "reference_date": "2024-12-14"}
    return {**data, **changes}


# --- creation: the service ---------------------------------------------------------------


@pytest.mark.parametrize("day", [datetime.date(2024, 9, 1), datetime.date(2024, 12, 31)])
def test_a_periodic_review_may_fall_on_either_end_of_its_season(commune, day):
    cycle = services.review_cycle_create(commune=commune, year=2024, reference_date=day)
    assert cycle.reference_date == day and cycle.standard.code == "2022-2025"


@pytest.mark.parametrize(
    "day",
    [datetime.date(2024, 8, 31), datetime.date(2021, 12, 14), datetime.date(2025, 1, 1)],
)
def test_a_periodic_review_outside_its_season_is_refused(commune, day):
    with pytest.raises(ValidationError) as exc:
        services.review_cycle_create(commune=commune, year=2024, reference_date=day)
    assert "01/09–31/12/2024" in exc.value.message_dict["reference_date"][0]
    assert not ReviewCycle.objects.exists()


def test_an_ad_hoc_review_may_fall_on_any_day_of_its_year(commune):
    day = datetime.date(2024, 3, 5)
    cycle = services.review_cycle_create(
        commune=commune, year=2024, kind=AD_HOC, reference_date=day
    )
    assert cycle.reference_date == day
    with pytest.raises(ValidationError) as exc:
        services.review_cycle_create(
            commune=commune, year=2024, kind=AD_HOC, reference_date=datetime.date(2023, 12, 30)
        )
    assert "thuộc năm 2024" in exc.value.message_dict["reference_date"][0]
    assert ReviewCycle.objects.count() == 1


def test_the_default_standard_is_the_one_in_force_on_the_reference_date(commune):
    assert services.review_cycle_create(commune=commune, year=2026).standard.code == "2022-2025"
    assert services.review_cycle_create(commune=commune, year=2027).standard.code == "2027-2030"


def test_a_standard_not_in_force_on_the_reference_date_is_refused(commune):
    with pytest.raises(ValidationError) as exc:
        services.review_cycle_create(commune=commune, year=2027, standard=standard("2022-2025"))
    assert "không áp dụng vào ngày chốt số liệu 14/12/2027" in exc.value.message_dict["standard"][0]
    assert not ReviewCycle.objects.exists()
    chosen = services.review_cycle_create(
        commune=commune, year=2027, standard=standard("2027-2030")
    )
    assert chosen.standard.code == "2027-2030"


def test_a_duplicate_periodic_review_is_refused_in_vietnamese(commune):
    services.review_cycle_create(commune=commune, year=2024)
    with pytest.raises(ValidationError) as exc:
        services.review_cycle_create(
            commune=commune, year=2024, reference_date=datetime.date(2024, 11, 30)
        )
    assert exc.value.messages == [
        "Xã đã có đợt rà soát định kỳ của năm này; mỗi năm chỉ có một đợt."
    ]
    assert ReviewCycle.objects.count() == 1


def test_a_twin_saved_after_the_check_is_refused_not_raised(commune, monkeypatch):
    """Two requests at once both pass the check; the database's constraint refuses the second,
    and the service turns that into a message."""
    services.review_cycle_create(commune=commune, year=2024)
    monkeypatch.setattr(ReviewCycle, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError, match="đã được tạo"):
        services.review_cycle_create(
            commune=commune, year=2024, reference_date=datetime.date(2024, 11, 30)
        )
    assert ReviewCycle.objects.count() == 1


# --- creation: the page ------------------------------------------------------------------


def test_the_form_offers_the_standards_with_their_dates_and_preselects_the_one_in_force(
    client, officer
):
    client.force_login(officer)
    form = client.get(reverse("cycle_list")).context["form"]
    today = datetime.date.today()
    assert form["reference_date"].value() == datetime.date(today.year, 12, 14)
    assert form["standard"].value() == PovertyStandard.objects.for_year(today.year).pk
    page = str(form["standard"])
    assert "Chuẩn nghèo đa chiều giai đoạn 2022–2025 (áp dụng 01/01/2022 – 31/12/2026)" in page
    assert "Chuẩn nghèo đa chiều giai đoạn 2027–2030 (áp dụng từ 01/01/2027)" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference_date": "2024-06-14"}, "reference_date", "01/09–31/12/2024"),
        ({"reference_date": "2019-12-14"}, "reference_date", "01/09–31/12/2024"),
        ({"kind": "ad_hoc", "reference_date": "2025-02-01"}, "reference_date", "thuộc năm 2024"),
        ({"standard": "2027-2030"}, "standard", "không áp dụng vào ngày chốt số liệu 14/12/2024"),
    ],
)
def test_the_page_shows_a_refusal_on_its_field_and_writes_nothing(
    client, officer, commune, changes, field, message
):
    if "standard" in changes:
        changes["standard"] = standard(changes["standard"]).pk
    client.force_login(officer)
    response = client.post(reverse("cycle_list"), form_data(commune, **changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_a_chosen_standard_in_force_is_kept(client, officer, commune):
    client.force_login(officer)
    data = form_data(commune, year=2027, reference_date="2027-12-14")
    data["standard"] = standard("2027-2030").pk
    assert client.post(reverse("cycle_list"), data).status_code == 302
    assert ReviewCycle.objects.get().standard.code == "2027-2030"


def test_a_form_posted_twice_creates_one_cycle_and_says_why(client, officer, commune):
    client.force_login(officer)
    data = form_data(commune)
    assert client.post(reverse("cycle_list"), data).status_code == 302
    response = client.post(reverse("cycle_list"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "mỗi năm chỉ có một đợt" in page
    assert "one_periodic_review_per_commune_year" not in page and "Constraint" not in page
    assert ReviewCycle.objects.count() == 1


def test_a_second_periodic_review_on_another_date_is_refused_on_the_page(client, officer, commune):
    client.force_login(officer)
    client.post(reverse("cycle_list"), form_data(commune))
    response = client.post(reverse("cycle_list"), form_data(commune, reference_date="2024-10-01"))
    assert "mỗi năm chỉ có một đợt" in response.content.decode()
    assert ReviewCycle.objects.count() == 1


# --- closing -----------------------------------------------------------------------------


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


def test_an_empty_cycle_cannot_be_closed(cycle, officer, village_a):
    home(village_a)
    with pytest.raises(ValidationError, match="chưa có kết quả nào"):
        services.review_cycle_finalise(cycle=cycle, user=officer)
    cycle.refresh_from_db()
    assert not cycle.is_finalised


def test_an_incomplete_periodic_review_cannot_be_closed(cycle, officer, village_a, village_b):
    done, waiting = home(village_a), home(village_b)
    record(cycle, done)
    assert list(households_without_result(cycle)) == [waiting]
    with pytest.raises(ValidationError) as exc:
        services.review_cycle_finalise(cycle=cycle, user=officer)
    assert exc.value.messages == ["Chưa chốt được đợt rà soát: còn 1/2 hộ chưa có kết quả."]
    cycle.refresh_from_db()
    assert not cycle.is_finalised and cycle.finalised_at is None
    record(cycle, waiting)
    assert services.review_cycle_finalise(cycle=cycle, user=officer).is_finalised


def test_the_registry_of_a_cycle_is_the_one_of_its_reference_date(
    cycle, officer, village_a, other_village
):
    done = home(village_a)
    home(village_a, left_registry_on=datetime.date(2024, 12, 14))  # left on the date: not counted
    stayed = home(village_a, left_registry_on=datetime.date(2024, 12, 15))  # left after it
    home(other_village)  # another commune's
    record(cycle, done)
    assert cycle_coverage(cycle) == Coverage(total=2, missing=1)
    assert cycle_coverage(cycle).reviewed == 1
    assert list(households_without_result(cycle)) == [stayed]
    record(cycle, stayed)
    assert services.review_cycle_finalise(cycle=cycle, user=officer).is_finalised


def test_an_ad_hoc_review_closes_with_the_households_that_applied(commune, officer, village_a):
    applied = home(village_a)
    home(village_a)
    cycle = ReviewCycleFactory(
        commune=commune, year=2024, kind=AD_HOC, reference_date=datetime.date(2024, 6, 14)
    )
    record(cycle, applied)
    assert services.review_cycle_finalise(cycle=cycle, user=officer).is_finalised


def test_the_cycle_list_is_paged(client, officer, commune, django_assert_max_num_queries):
    """A commune's ad-hoc cycles are monthly: the list shows 50 to a page, in bounded queries."""
    for i in range(55):
        ReviewCycleFactory(
            commune=commune,
            year=2023,
            kind=ReviewCycle.Kind.AD_HOC,
            reference_date=datetime.date(2023, 1, 1) + datetime.timedelta(days=i),
        )
    client.force_login(officer)
    client.get(reverse("cycle_list"))  # warm the session
    with django_assert_max_num_queries(12):
        first = client.get(reverse("cycle_list"))
    assert len(first.context["cycles"].object_list) == 50
    assert "Trang 1/2" in first.content.decode()
    second = client.get(reverse("cycle_list") + "?page=2")
    assert len(second.context["cycles"].object_list) == 5
