"""The year picker of a report page in the system Chromium: choosing an open year reloads the page
with its figures marked provisional."""

import pytest
from playwright.sync_api import expect

from reports.tests.test_provisional import MARK, two_years

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def test_the_picker_opens_an_open_year_marked_provisional(
    poverty_standards, logged_in_page, live_server, officer, village_a, tmp_path
):
    two_years(village_a)
    page = logged_in_page("officer")
    page.goto(f"{live_server.url}/reports/baseline/?area={village_a.parent.pk}")
    expect(page.locator("h2").first).to_contain_text("cuối năm 2023")
    expect(page.get_by_test_id("provisional")).to_have_count(0)
    page.select_option("#year", "2024")
    page.wait_for_url("**year=2024**")
    expect(page.get_by_test_id("provisional")).to_contain_text(MARK)
    expect(page.locator("h2").first).to_contain_text("cuối năm 2024")
    page.screenshot(path=tmp_path / "provisional.png", full_page=False)
