"""An officer plans a household's exit at phone width: from the ranked list to the household's
pathway, ticks it, names its helper and its support, saves, and finds it planned in the list."""

import os

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from exits.models import Pathway, SupportNorm
from households import services as household_services
from households.models import ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import Indicator
from projects.tests.factories import SubProjectFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

#: set to a folder to keep the screenshots (docs/screenshots/exits-*-phone.png were made so)
KEEP = os.environ.get("EXITS_SCREENSHOTS")


@pytest.fixture
def homes(poverty_standards, commune, village_a):
    cycle = ReviewCycleFactory(commune=commune, year=2023)
    homes = []
    for name, income, deprived in (
        ("Nguyễn Văn Một", 1_000_000, ["6.1", "5.2", "2.2"]),
        ("Trần Thị Hai", 1_300_000, ["5.2"]),
    ):
        household = HouseholdFactory(village=village_a, head_name=name)
        MemberFactory.create_batch(3, household=household)
        household_services.assessment_record(
            cycle=cycle, household=household, income_per_capita=income, deprived=deprived
        )
        homes.append(household)
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.FINALISED)
    SupportNorm.objects.create(
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


def test_an_officer_plans_an_exit_on_a_phone(logged_in_page, live_server, officer, commune, homes):
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/exits/?commune={commune.pk}&year=2024")
    table = page.get_by_test_id("exits-table")
    expect(table).to_contain_text("Nguyễn Văn Một")
    expect(table).to_contain_text("Trần Thị Hai")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if KEEP:
        page.screenshot(path=f"{KEEP}/exits-list-phone.png", full_page=True)
    page.get_by_role("link", name=homes[0].code).click()
    expect(page.get_by_test_id("exits-needs")).to_contain_text("Giảm 1")
    form = page.get_by_test_id("exits-plan-form")
    form.get_by_label("Hộ dự kiến thoát nghèo trong năm").check()
    form.get_by_label("Người, tổ chức giúp đỡ").fill("Hội Nông dân xã")
    expect(form.get_by_label("Hỗ trợ internet", exact=False)).to_be_checked()  # the cheapest cover
    form.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_test_id("exits-supports")).to_contain_text("600.000")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if KEEP:
        page.screenshot(path=f"{KEEP}/exits-household-phone.png", full_page=True)
    pathway = Pathway.objects.get(household=homes[0], year=2024)
    assert pathway.planned and pathway.helper == "Hội Nông dân xã"
    page.goto(f"{live_server.url}/exits/?commune={commune.pk}&year=2024")
    expect(page.get_by_test_id("exits-targets")).to_contain_text("Hộ nghèo: 1")
