"""The pathway pages: who sees which households, planning and registering through the page,
a post for another village refused, errors shown, bounded queries."""

import pytest
from django.urls import reverse

from exits.models import Pathway, SupportNorm
from households import services as household_services
from households.models import ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import Indicator
from projects.tests.factories import SubProjectFactory

pytestmark = pytest.mark.django_db


def home(village, members=2):
    household = HouseholdFactory(village=village)
    MemberFactory.create_batch(members, household=household)
    return household


@pytest.fixture
def data(commune, village_a, village_b):
    cycle = ReviewCycleFactory(commune=commune, year=2023)
    homes = {"a": home(village_a, 3), "b": home(village_b), "rich": home(village_a)}
    household_services.assessment_record(
        cycle=cycle,
        household=homes["a"],
        income_per_capita=1_000_000,
        deprived=["6.1", "5.2", "2.2"],
    )
    household_services.assessment_record(
        cycle=cycle, household=homes["b"], income_per_capita=1_200_000, deprived=["5.2"]
    )
    household_services.assessment_record(
        cycle=cycle, household=homes["rich"], income_per_capita=3_000_000
    )
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.FINALISED)
    homes["norm"] = SupportNorm.objects.create(
        area=commune,
        year=2024,
        subproject=SubProjectFactory(code="DA6-TDA1"),
        indicator=Indicator.objects.filter(code="6.1").first(),
        item="Hỗ trợ internet",
        unit="household",
        amount=600_000,
        source="Giá trị mẫu",
    )
    return homes


def list_url(commune, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"commune": commune.pk, "year": 2024, **extra}.items())
    return reverse("exits:list") + "?" + query


def test_an_officer_sees_the_commune_and_a_board_its_village(
    client, commune, data, officer, board_a, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        page = client.get(list_url(commune)).content.decode()
    assert data["a"].code in page and data["b"].code in page and data["rich"].code not in page
    client.force_login(board_a)
    page = client.get(list_url(commune)).content.decode()
    assert data["a"].code in page and data["b"].code not in page
    # a board asking for the other village
    other = data["b"].village
    assert client.get(list_url(commune, village=other.pk)).status_code == 404
    assert client.get(reverse("exits:household", args=[data["b"].pk, 2024])).status_code == 404


def test_finance_and_other_communes_get_nothing(client, commune, data, other_officer):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(membership=(commune, "finance")))
    assert client.get(list_url(commune)).status_code in (403, 404)
    client.force_login(other_officer)
    assert client.get(list_url(commune)).status_code == 404
    assert client.get(reverse("exits:household", args=[data["a"].pk, 2024])).status_code == 404


def test_an_officer_plans_through_the_page(client, data, officer, django_assert_max_num_queries):
    client.force_login(officer)
    url = reverse("exits:household", args=[data["a"].pk, 2024])
    with django_assert_max_num_queries(30):
        page = client.get(url).content.decode()
    assert "Hỗ trợ internet" in page and "Giảm 1" in page
    missing = client.post(url, {"action": "plan", "planned": "on", "norms": [data["norm"].pk]})
    assert missing.status_code == 200 and "giúp đỡ" in missing.content.decode()
    assert not Pathway.objects.filter(planned=True).exists()
    response = client.post(
        url,
        {"action": "plan", "planned": "on", "helper": "Hội Nông dân", "norms": [data["norm"].pk]},
    )
    assert response.status_code == 302
    pathway = Pathway.objects.get(household=data["a"], year=2024)
    assert pathway.planned and pathway.supports.get().amount == 600_000
    # the same form posted again, with the version it was opened at: refused, nothing changed
    stale = client.post(url, {"action": "plan", "helper": "Đoàn", "version": pathway.version - 1})
    assert stale.status_code == 200 and "người khác sửa" in stale.content.decode()
    assert Pathway.objects.get(pk=pathway.pk).planned


def test_a_board_registers_and_records_visits_but_does_not_plan(client, data, officer, board_a):
    client.force_login(board_a)
    url = reverse("exits:household", args=[data["a"].pk, 2024])
    page = client.get(url).content.decode()
    assert 'data-testid="exits-plan-form"' not in page
    assert client.post(url, {"action": "plan", "planned": "on", "helper": "x"}).status_code == 404
    assert client.post(url, {"action": "register", "registered": "on"}).status_code == 302
    assert Pathway.objects.get(household=data["a"]).registered
    Pathway.objects.filter(household=data["a"]).update(planned=True, helper="Đoàn")
    response = client.post(
        url, {"action": "visit", "visited_on": "2024-05-02", "visitor": "Đoàn xã", "support": ""}
    )
    assert response.status_code == 302
    future = client.post(url, {"action": "visit", "visited_on": "2099-01-01", "visitor": "x"})
    assert future.status_code == 200 and "sau hôm nay" in future.content.decode()


def test_a_visit_links_the_households_own_beneficiary_record_only(client, commune, data, officer):
    from exits.models import FollowUpVisit
    from projects.models import Beneficiary
    from projects.tests.factories import AssignmentFactory

    assignment = AssignmentFactory(commune=commune, year=2024)
    own, other = (
        Beneficiary.objects.create(
            assignment=assignment,
            household=h,
            village=h.village,
            support_kind=Beneficiary.Kind.SERVICE,
            description="Lắp internet",
        )
        for h in (data["a"], data["b"])
    )
    Pathway.objects.create(household=data["a"], year=2024, planned=True, helper="Đoàn")
    client.force_login(officer)
    url = reverse("exits:household", args=[data["a"].pk, 2024])
    visit = {"action": "visit", "visited_on": "2024-06-01", "visitor": "Đoàn xã"}
    refused = client.post(url, {**visit, "beneficiary": other.pk})
    assert refused.status_code == 200 and not FollowUpVisit.objects.exists()
    assert client.post(url, {**visit, "beneficiary": own.pk}).status_code == 302
    assert FollowUpVisit.objects.get().beneficiary == own


def test_the_plan_page_links_the_pathways_for_those_who_may_list_households(
    client, commune, officer
):
    from accounts.tests.factories import UserFactory

    url = reverse("plan_document") + f"?commune={commune.pk}&year=2024"
    client.force_login(officer)
    assert 'data-testid="plan-exits"' in client.get(url).content.decode()
    client.force_login(UserFactory(membership=(commune, "finance")))
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="plan-exits"' not in page.content.decode()
