"""The flows people use, in the system Chromium driven by Playwright (part of `make test`)."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from households import services
from households.tests.factories import ReviewCycleFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


@pytest.fixture
def homes(poverty_standards, village_a, village_b, commune):
    def make(village, head):
        home = services.household_create(
            village=village,
            code=head[-4:],
            head_name=head,
            floor_area_m2=40,
            house_material="durable",
            water_source="piped",
            latrine="hygienic",
        )
        services.member_add(
            household=home,
            full_name=head,
            sex="M",
            relation_to_head="head",
            date_of_birth=datetime.date(1975, 3, 4),
            has_health_insurance=True,
            work_status="self",
        )
        return home

    cycle = ReviewCycleFactory(commune=commune, year=2024)
    return {
        "a": make(village_a, "Nguyễn Văn Đức"),
        "b": make(village_b, "Hoàng Thị Bích"),
        "cycle": cycle,
    }


def test_a_board_finds_a_household_ticks_indicators_and_saves_at_phone_width(
    logged_in_page, live_server, board_a, homes, tmp_path
):
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/households/")
    page.fill("#id_q", "nguyen van duc")
    page.press("#id_q", "Enter")
    page.get_by_role("link", name="Nguyễn Văn Đức").click()
    page.get_by_role("link", name="Nhập kết quả 2024").click()
    page.fill("#id_income_per_capita", "1200000")
    page.check("#id_ind_6_1")
    preview = page.get_by_test_id("preview-class")
    expect(preview).to_have_text("Hộ cận nghèo")
    page.check("#id_ind_6_2")
    page.check("#id_ind_3_1")
    expect(preview).to_have_text("Hộ nghèo")
    page.get_by_test_id("save-review").click()
    expect(page.get_by_test_id("class-over-years")).to_contain_text("Hộ nghèo")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("board_a")
    expect(history).to_contain_text("3.1,6.1,6.2")
    page.screenshot(path=tmp_path / "board-saved-phone.png", full_page=True)


def test_a_board_gets_404_for_a_household_of_the_other_village(
    logged_in_page, live_server, board_a, homes
):
    page = logged_in_page("board_a", PHONE)
    response = page.goto(f"{live_server.url}/households/{homes['b'].pk}/")
    assert response.status == 404
    assert "Hoàng Thị Bích" not in page.content()


def test_a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(
    logged_in_page, live_server, viewer, homes
):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/households/{homes['a'].pk}/")
    expect(page.get_by_role("heading", name="Nguyễn Văn Đức")).to_be_visible()
    expect(page.get_by_test_id("edit-controls")).to_have_count(0)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/households/{homes['a'].pk}/review/{homes['cycle'].pk}/",
        form={"income_per_capita": "100", "version": "0", "ind_6_1": "on"},
        headers={"X-CSRFToken": token, "Referer": live_server.url + "/"},
    )
    assert response.status == 403  # a viewer records results nowhere: refused before the fetch
    assert not homes["a"].assessments.exists()


def test_two_people_editing_the_same_household_get_a_conflict(
    logged_in_page, live_server, officer, board_a, homes
):
    url = f"{live_server.url}/households/{homes['a'].pk}/edit/"
    first = logged_in_page("officer")
    second = logged_in_page("board_a")
    first.goto(url)
    second.goto(url)
    first.fill("#id_phone", "0912000111")
    first.get_by_role("button", name="Lưu").click()
    expect(first.get_by_role("heading", name="Nguyễn Văn Đức")).to_be_visible()
    second.fill("#id_phone", "0987000222")
    second.get_by_role("button", name="Lưu").click()
    expect(second.get_by_test_id("conflict")).to_contain_text("0912000111")
    homes["a"].refresh_from_db()
    assert homes["a"].phone == "0912000111"
