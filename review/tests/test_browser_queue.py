"""An officer reviews five households in a row through the village's queue at phone width, with
the keyboard only: the income typed, indicators toggled by their number keys and the space bar,
Ctrl+Enter for "Lưu và sang hộ tiếp theo", until the queue says the village is done."""

import os
import shutil
import time

import pytest
from playwright.sync_api import expect

from conftest import DESKTOP, PHONE
from households.models import Assessment
from households.tests.factories import ReviewCycleFactory
from households.tests.test_views import make_home

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

#: set to a folder to keep the screenshots (docs/screenshots/queue-phone.png was made so)
KEEP = os.environ.get("REVIEW_SCREENSHOTS")


@pytest.fixture
def cycle(poverty_standards, commune, village_a, village_b):
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    for i in (3, 1, 5, 2, 4):  # created out of order: the queue goes by code
        make_home(village_a, f"Chủ hộ số {i}", code=f"A-00{i}")
    make_home(village_b, "Hộ thôn khác", code="B-001")
    return cycle


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id || ''")


def tab_to(page, test_id, limit=80):
    """Tab through the page until the element with ``data-testid=test_id`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(id) => document.activeElement && document.activeElement.dataset.testid === id",
            test_id,
        ):
            return
    raise AssertionError(f"{test_id} not reached by Tab")


def test_an_officer_reviews_five_households_in_a_row_with_the_keyboard(
    logged_in_page, live_server, officer, cycle, village_a, tmp_path
):
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/queue/{village_a.pk}/")
    expect(page.get_by_test_id("queue-count")).to_contain_text("Còn 5 hộ chờ rà soát")
    assert "Hộ thôn khác" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab_to(page, "queue-start")
    page.keyboard.press("Enter")
    started = time.monotonic()

    for i in range(1, 6):
        expect(page.locator("h1")).to_contain_text(f"A-00{i}")
        if i == 3:  # the queue half-way, seen in another tab (docs/screenshots/queue-phone.png)
            shot = page.context.new_page()
            shot.goto(f"{live_server.url}/cycles/{cycle.pk}/queue/{village_a.pk}/")
            expect(shot.get_by_test_id("queue-count")).to_contain_text("đã xong 2/5")
            shot.screenshot(path=tmp_path / "queue-phone.png")
            shot.close()
            if KEEP:
                shutil.copy(tmp_path / "queue-phone.png", os.path.join(KEEP, "queue-phone.png"))
        expect(page.locator("#id_income_per_capita")).to_be_focused()
        page.keyboard.type("900000")
        page.keyboard.press("Tab")
        assert focused(page) == "id_b1_score"
        page.keyboard.press("Tab")
        assert focused(page) == "id_ind_1_1"  # the tab order follows the form
        page.keyboard.press("2")  # 1.2
        assert focused(page) == "id_ind_1_2"
        expect(page.locator("#id_ind_1_2")).to_be_checked()
        page.keyboard.press("Space")  # the focused box, off and on again
        expect(page.locator("#id_ind_1_2")).not_to_be_checked()
        page.keyboard.press("Space")
        page.keyboard.press("-")  # 6.1, the eleventh
        expect(page.locator("#id_ind_6_1")).to_be_checked()
        expect(page.locator("#preview")).to_contain_text("cận nghèo")
        if KEEP and i == 1:
            page.screenshot(path=os.path.join(KEEP, "review-form-phone.png"), full_page=True)
        page.keyboard.press("Control+Enter")

    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    # docs/benchmarks.md: seconds per household of this flow (-s shows it)
    print(f"queue flow: {(time.monotonic() - started) / 5:.2f} s per household")
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu kết quả rà soát")
    results = Assessment.objects.filter(cycle=cycle).select_related("household")
    assert sorted(a.household.code for a in results) == [f"A-00{i}" for i in range(1, 6)]
    assert all({"1.2", "6.1"} <= set(a.deprived_codes.split(",")) for a in results)
    assert {a.household_class for a in results} == {"near_poor"}


def test_the_live_preview_stays_in_view_on_a_wide_screen(
    logged_in_page, live_server, officer, cycle, village_a
):
    page = logged_in_page("officer", DESKTOP)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/queue/{village_a.pk}/")
    page.get_by_test_id("queue-start").click()
    page.locator("#id_income_per_capita").fill("900000")
    page.locator("#id_b1_score").press("Tab")
    page.keyboard.press("=")  # 6.2, the last indicator, at the foot of the form
    page.locator("#id_ind_6_2").scroll_into_view_if_needed()
    page.get_by_test_id("save-next").scroll_into_view_if_needed()
    expect(page.locator("#preview")).to_be_in_viewport()
    if KEEP:
        page.screenshot(path=os.path.join(KEEP, "review-form-desktop.png"))
