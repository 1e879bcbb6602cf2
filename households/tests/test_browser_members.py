"""Member rows of the household form in Chromium at phone width: six members in one save, and a
removal that asks why and for confirmation."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from households.models import Household, Member
from households.tests.test_members import SIX
from households.tests.test_views import make_home

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

#: set to a folder to keep the screenshots (docs/screenshots/members-*.png were made so)
KEEP = os.environ.get("MEMBERS_SCREENSHOTS")


def shoot(page, path):
    """The visible part of the page at phone width (small enough to keep in the docs)."""
    page.screenshot(path=path)
    if KEEP:
        shutil.copy(path, os.path.join(KEEP, path.name))


def test_a_board_creates_a_six_member_household_in_one_save(
    logged_in_page, live_server, board_a, village_a, tmp_path
):
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/households/new/")
    page.fill("#id_code", "N-6")
    page.fill("#id_head_name", "Hoàng Văn Nam")
    count = page.get_by_test_id("member-count")
    for i, member in enumerate(SIX):
        if i:
            page.get_by_test_id("add-member").click()
            expect(page.locator(f"#id_members-{i}-full_name")).to_be_focused()
        page.fill(f"#id_members-{i}-full_name", member["full_name"])
        page.select_option(f"#id_members-{i}-sex", member["sex"])
        page.select_option(f"#id_members-{i}-relation_to_head", member["relation_to_head"])
        page.fill(f"#id_members-{i}-date_of_birth", member["date_of_birth"])
        expect(count).to_have_text(str(i + 1))
    # A seventh row added by mistake and dropped again: not saved, not counted.
    page.get_by_test_id("add-member").click()
    page.fill("#id_members-6-full_name", "Dòng thừa")
    expect(count).to_have_text("7")
    page.locator("#id_members-6-full_name").locator("xpath=ancestor::fieldset[1]").get_by_role(
        "button", name="Xóa dòng này"
    ).click()
    expect(count).to_have_text("6")
    page.get_by_test_id("add-member").scroll_into_view_if_needed()
    shoot(page, tmp_path / "members-rows-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".alert-success").first).to_contain_text("Đã lưu hộ N-6")
    home = Household.objects.get(code="N-6")
    assert list(home.members.values_list("full_name", flat=True)) == [m["full_name"] for m in SIX]


def test_removing_a_member_asks_why_and_confirms(
    logged_in_page, live_server, board_a, village_a, tmp_path
):
    home = make_home(village_a, "Vi Văn Hải", members=3)
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/households/{home.pk}/edit/")
    reason = page.locator("#id_members-2-removal_reason")
    expect(reason).to_be_hidden()
    expect(page.get_by_test_id("split-panel")).to_be_hidden()
    page.check("#id_members-2-DELETE")
    expect(reason).to_be_visible()
    expect(page.get_by_test_id("member-count")).to_have_text("2")
    reason.select_option("split")
    expect(page.get_by_test_id("split-panel")).to_be_visible()
    page.fill("#id_split-code", "VH-T1")
    expect(page.locator("#id_members-3-full_name")).to_be_hidden()  # the spare blank row
    page.get_by_test_id("split-panel").scroll_into_view_if_needed()
    shoot(page, tmp_path / "members-split-phone.png")
    reason.select_option("died")
    expect(page.get_by_test_id("split-panel")).to_be_hidden()

    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Lưu", exact=True).click()  # dismissed: nothing sent
    expect(reason).to_be_visible()
    assert home.members.count() == 3
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".alert-success").first).to_contain_text("Đã lưu hộ")
    assert "Vi Văn Hải 2" in questions[0]
    assert home.members.count() == 2
    expect(page.get_by_test_id("history-reason").first).to_contain_text("Mất")
    assert Member.history.filter(history_type="-").get().history_change_reason == "Mất"
