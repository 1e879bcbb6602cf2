"""Projects pages in the system Chromium: a village board records progress at phone width, and two
people saving the same activity get the conflict instead of overwriting each other."""

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from projects.tests.factories import ActivityFactory, AssignmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


@pytest.fixture
def plan(poverty_standards, commune, village_a, village_b):
    assignment = AssignmentFactory(commune=commune)
    return {
        "assignment": assignment,
        "mine": ActivityFactory(assignment=assignment, area=village_a, title="Họp dân thôn A"),
        "theirs": ActivityFactory(assignment=assignment, area=village_b, title="Họp dân thôn B"),
    }


def test_a_board_records_progress_of_its_village_at_phone_width(
    logged_in_page,
    live_server,
    board_a,
    plan,
    tmp_path,
):
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/projects/assignments/{plan['assignment'].pk}/")
    rows = page.get_by_test_id("activities").locator("tbody tr")
    theirs = rows.filter(has_text="Họp dân thôn B")
    expect(theirs.get_by_role("link", name="Cập nhật tiến độ")).to_have_count(0)
    rows.filter(has_text="Họp dân thôn A").get_by_role("link", name="Cập nhật tiến độ").click()
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "40")
    page.fill("#id_result", "Đã họp 35 hộ")
    page.get_by_role("button", name="Lưu").click()
    mine = page.get_by_test_id("activities").locator("tbody tr", has_text="Họp dân thôn A")
    expect(mine).to_contain_text("40 %")
    expect(mine).to_contain_text("Đã họp 35 hộ")
    page.screenshot(path=tmp_path / "board-progress-phone.png", full_page=True)
    plan["theirs"].refresh_from_db()
    assert plan["theirs"].progress == 0


def test_two_people_saving_the_same_activity_get_a_conflict(
    logged_in_page,
    live_server,
    officer,
    board_a,
    plan,
):
    url = f"{live_server.url}/projects/activities/{plan['mine'].pk}/progress/"
    first = logged_in_page("board_a")
    second = logged_in_page("officer")
    first.goto(url)
    second.goto(url)
    first.fill("#id_progress", "40")
    first.select_option("#id_status", "in_progress")
    first.get_by_role("button", name="Lưu").click()
    expect(first.get_by_test_id("activities")).to_contain_text("40 %")
    second.fill("#id_progress", "70")
    second.select_option("#id_status", "in_progress")
    second.get_by_role("button", name="Lưu").click()
    expect(second.get_by_role("alert")).to_contain_text("vừa được người khác sửa")
    expect(second.get_by_role("alert")).to_contain_text("40 %")
    plan["mine"].refresh_from_db()
    assert (plan["mine"].progress, plan["mine"].version) == (40, 2)
