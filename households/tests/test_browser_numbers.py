"""The number helper in the browser at phone width (issue 15, item 2): the income is echoed as
read while typing, Enter in a number field does not save the review, and an implausible income
asks for a confirmation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PHONE
from households.models import Assessment
from households.tests.test_browser import homes  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def test_the_income_is_echoed_and_enter_does_not_submit_at_phone_width(
    logged_in_page,
    live_server,
    board_a,
    homes,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    page = logged_in_page("board_a", PHONE)
    url = reverse("review_entry", args=[homes["a"].pk, homes["cycle"].pk])
    page.goto(f"{live_server.url}{url}")
    income = page.locator("#id_income_per_capita")
    echo = page.locator('[data-number-echo-for="id_income_per_capita"]')
    income.press_sequentially("1.200.000")
    expect(echo).to_have_text("= 1.200.000 đ/người/tháng")
    expect(echo).to_be_in_viewport()
    income.fill("")
    income.press_sequentially("1,2 triệu")
    expect(echo).to_have_text("= 1.200.000 đ/người/tháng")
    # the live preview reads the grouped text as the server does
    expect(page.get_by_test_id("preview-class")).to_be_visible()
    page.screenshot(path=tmp_path / "income-echo-phone.png", full_page=True)

    income.press("Enter")
    page.wait_for_timeout(700)
    assert page.url == f"{live_server.url}{url}"
    assert not Assessment.objects.exists()

    income.fill("60.000.000")
    page.get_by_test_id("save-review").click()
    # the field's own message (the form's error summary at the top repeats it)
    expect(page.locator('[data-error-for="income_per_capita"]')).to_contain_text(
        "ngoài khoảng thường gặp"
    )
    assert not Assessment.objects.exists()
    page.get_by_label("Tôi xác nhận số liệu này đúng").check()
    page.get_by_test_id("save-review").click()
    expect(page.get_by_test_id("class-over-years")).to_be_visible()
    assert Assessment.objects.get().income_per_capita == 60_000_000
