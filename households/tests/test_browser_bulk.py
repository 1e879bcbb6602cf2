"""Bulk actions of the household list on a phone (issue 15, item 6), in the system Chromium: a
village board ticks three households and adds them to a sub-project's beneficiaries."""

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from households.tests.factories import HouseholdFactory, ReviewCycleFactory
from projects.models import Beneficiary
from projects.tests.factories import AssignmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


@pytest.fixture
def listed(poverty_standards, commune, village_a):
    ReviewCycleFactory(commune=commune, year=2024)
    assignment = AssignmentFactory(commune=commune, year=2024)
    homes = [
        HouseholdFactory(village=village_a, code=f"A{i}", head_name=f"Chủ hộ A {i}")
        for i in range(1, 6)
    ]
    return assignment, homes


def test_a_board_adds_three_ticked_households_to_a_subproject_on_a_phone(
    logged_in_page, live_server, board_a, listed
):
    assignment, homes = listed
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/households/?sort=code")
    count = page.locator("[data-bulk-count]")
    expect(count).to_be_visible()
    expect(page.locator("[data-bulk-number]")).to_have_text("0")
    # "select all on this page", then two taken off again
    page.locator("[data-bulk-all]").check()
    expect(page.locator("[data-bulk-number]")).to_have_text("5")
    page.uncheck(f"#sel-{homes[3].pk}")
    page.uncheck(f"#sel-{homes[4].pk}")
    expect(page.locator("[data-bulk-number]")).to_have_text("3")
    assert page.locator("[data-bulk-all]").evaluate("box => box.indeterminate")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("bulk-beneficiaries").click()
    # the confirmation page names the three and writes nothing yet
    listed_here = page.get_by_test_id("bulk-households")
    for h in homes[:3]:
        expect(listed_here).to_contain_text(h.head_name)
    expect(listed_here).not_to_contain_text(homes[3].head_name)
    assert not Beneficiary.objects.exists()
    page.select_option("#id_target", f"a{assignment.pk}")
    page.select_option("#id_support_kind", "training")
    page.fill("#id_description", "Tập huấn kỹ thuật chăn nuôi")
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Ghi nhận 3 hộ").click()
    page.wait_for_url(f"{live_server.url}/projects/assignments/{assignment.pk}/")
    assert questions == ["Ghi nhận 3 hộ vào danh sách thụ hưởng?"]
    expect(page.get_by_role("alert").first).to_contain_text("Đã thêm 3 hộ")
    assert sorted(Beneficiary.objects.values_list("household__code", flat=True)) == [
        "A1",
        "A2",
        "A3",
    ]
    assert set(Beneficiary.objects.values_list("recorded_by", flat=True)) == {board_a.pk}
