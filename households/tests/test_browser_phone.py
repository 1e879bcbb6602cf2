"""Phone use (issue 15, items 5 and 6) in the system Chromium: the error summary, drafts kept in
the browser, confirmations of destructive actions, the top bar at a laptop's width and pages
that fit a 360 px screen."""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from budget import services as budget_services
from budget.models import Disbursement
from budget.tests.factories import BudgetLineFactory
from conftest import DESKTOP, PHONE
from households import services
from households.models import Household
from households.tests.factories import ReviewCycleFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]
NARROW = {"width": 360, "height": 740}
# Set to a folder to keep the 360 px screenshots for a look (never committed).
SHOTS = os.environ.get("PHONE_SCREENSHOTS")


@pytest.fixture
def home(poverty_standards, village_a, commune):
    household = services.household_create(
        village=village_a,
        code="A-0001",
        head_name="Nguyễn Văn Đức",
        floor_area_m2=40,
        house_material="durable",
        water_source="piped",
        latrine="hygienic",
    )
    services.member_add(
        household=household,
        full_name="Nguyễn Văn Đức",
        sex="M",
        relation_to_head="head",
        date_of_birth=datetime.date(1975, 3, 4),
        has_health_insurance=True,
        work_status="self",
    )
    ReviewCycleFactory(commune=commune, year=2024)
    return household


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_form_with_errors_shows_the_summary_and_focuses_the_first_field(
    logged_in_page, live_server, officer, home
):
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/households/{home.pk}/edit/")
    page.fill("#id_code", "")
    page.fill("#id_head_name", "")
    page.get_by_role("button", name="Lưu", exact=True).click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    links = summary.locator("a[data-error-link]")
    assert links.count() >= 2
    first = links.first.get_attribute("href")
    assert first == "#id_code"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_code'")
    assert page.evaluate("window.scrollY") > 0  # the summary sits below the top bar: scrolled to
    # a link of the summary focuses its field
    links.nth(1).click()
    assert focused_id(page) == "id_head_name"
    Household.objects.get(pk=home.pk, code="A-0001")  # nothing saved


def test_a_draft_of_the_household_form_is_offered_back_after_a_reload(
    logged_in_page, live_server, officer, home
):
    page = logged_in_page("officer", PHONE)
    url = f"{live_server.url}/households/{home.pk}/edit/"
    page.goto(url)
    expect(page.get_by_test_id("draft-prompt")).to_have_count(0)
    page.fill("#id_head_name", "Nguyễn Văn Đức Anh")
    page.fill("#id_floor_area_m2", "52")
    page.wait_for_timeout(500)  # the draft is written 300 ms after the last key
    page.reload()  # a lost connection or a reload: the server never saw the edit
    expect(page.locator("#id_head_name")).to_have_value("Nguyễn Văn Đức")
    prompt = page.get_by_test_id("draft-prompt")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Khôi phục bản nháp").click()
    expect(prompt).to_have_count(0)
    expect(page.locator("#id_head_name")).to_have_value("Nguyễn Văn Đức Anh")
    expect(page.locator("#id_floor_area_m2")).to_have_value("52")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"{live_server.url}/households/{home.pk}/")
    assert Household.objects.get(pk=home.pk).head_name == "Nguyễn Văn Đức Anh"
    # saved: the draft is gone
    page.goto(url)
    expect(page.locator("#id_head_name")).to_have_value("Nguyễn Văn Đức Anh")
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("draft-prompt")).to_have_count(0)


def test_a_draft_recreates_a_member_row_added_in_the_page(
    logged_in_page, live_server, officer, home
):
    page = logged_in_page("officer", PHONE)
    url = f"{live_server.url}/households/{home.pk}/edit/"
    page.goto(url)
    count = page.get_by_test_id("member-count")
    expect(count).to_have_text("1")
    page.get_by_test_id("add-member").click()
    added = page.evaluate("document.activeElement.id")  # the new row's name, focused
    row = added.removesuffix("-full_name")
    assert row.startswith("id_members-")
    page.fill(f"#{added}", "Nguyễn Thị Hoa")
    page.select_option(f"#{row}-sex", "F")
    page.select_option(f"#{row}-relation_to_head", "spouse")
    page.fill(f"#{row}-date_of_birth", "1978-09-05")
    expect(count).to_have_text("2")
    page.wait_for_timeout(500)
    page.reload()  # the row added in the page is gone with the reload
    expect(page.locator(f"#{added}")).to_have_count(0)
    expect(count).to_have_text("1")
    page.get_by_test_id("draft-prompt").get_by_role("button", name="Khôi phục bản nháp").click()
    expect(page.locator(f"#{added}")).to_have_value("Nguyễn Thị Hoa")
    expect(page.locator(f"#{row}-sex")).to_have_value("F")
    expect(page.locator(f"#{row}-relation_to_head")).to_have_value("spouse")
    expect(page.locator(f"#{row}-date_of_birth")).to_have_value("1978-09-05")
    expect(page.locator(f"#{added}")).to_be_visible()
    expect(count).to_have_text("2")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"{live_server.url}/households/{home.pk}/")
    assert sorted(home.members.values_list("full_name", flat=True)) == [
        "Nguyễn Thị Hoa",
        "Nguyễn Văn Đức",
    ]


def test_a_discarded_draft_is_not_offered_again(logged_in_page, live_server, officer, home):
    page = logged_in_page("officer", PHONE)
    url = f"{live_server.url}/households/{home.pk}/edit/"
    page.goto(url)
    page.fill("#id_head_name", "Tên gõ nhầm")
    page.wait_for_timeout(500)
    page.reload()
    page.get_by_test_id("draft-prompt").get_by_role("button", name="Bỏ bản nháp").click()
    expect(page.locator("#id_head_name")).to_have_value("Nguyễn Văn Đức")
    page.reload()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("draft-prompt")).to_have_count(0)


def test_a_stale_draft_meets_the_conflict_page_not_an_overwrite(
    logged_in_page, live_server, officer, home
):
    page = logged_in_page("officer", PHONE)
    url = f"{live_server.url}/households/{home.pk}/edit/"
    page.goto(url)
    page.fill("#id_head_name", "Tên trong bản nháp")
    page.wait_for_timeout(500)
    # meanwhile someone else saves the household
    services.household_update(household=home, expected_version=home.version, head_name="Tên mới")
    page.reload()
    prompt = page.get_by_test_id("draft-prompt")
    expect(prompt).to_contain_text("Hồ sơ đã được lưu lại sau bản nháp")
    prompt.get_by_role("button", name="Khôi phục bản nháp").click()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("conflict")).to_be_visible()
    assert Household.objects.get(pk=home.pk).head_name == "Tên mới"


def test_cancelling_a_disbursement_asks_first(logged_in_page, live_server, officer, commune):
    line = BudgetLineFactory(commune=commune, allocated=100_000_000)
    budget_services.disbursement_record(
        line=line, paid_on=datetime.date(2024, 6, 30), amount=5_000_000, document="GRDT 01"
    )
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/budget/lines/{line.pk}/")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("form[data-confirm] button", has_text="Hủy").click()
    page.wait_for_timeout(300)
    assert questions and questions[0].startswith("Hủy khoản giải ngân này?")
    assert "5.000.000" in questions[0]
    assert Disbursement.objects.filter(line=line).count() == 1  # dismissed: nothing changed
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[data-confirm] button", has_text="Hủy").click()
    page.wait_for_load_state("networkidle")
    assert Disbursement.objects.filter(line=line).count() == 0


def test_the_top_bar_is_one_line_at_1280_and_marks_the_current_page(
    logged_in_page, live_server, officer
):
    page = logged_in_page("officer", DESKTOP)
    officer.is_staff = True  # the longest menu: with the administration's item
    officer.save()
    page.goto(f"{live_server.url}/households/")
    heights = page.eval_on_selector_all(
        "#mainnav .nav-link", "links => links.map(a => a.getBoundingClientRect().height)"
    )
    tops = page.eval_on_selector_all(
        "#mainnav .nav-link", "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(heights) == 10  # every menu item
    assert max(heights) < 1.5 * min(heights)  # no item on two lines
    assert len(set(tops)) == 1  # all in one row
    if SHOTS:
        page.locator("nav.navbar").screenshot(path=Path(SHOTS) / "nav-1280.png")
    nav = page.locator("nav.navbar").bounding_box()
    assert nav["height"] < 80
    officer.is_staff = False  # (a staff member is sent to set up two-factor login first)
    officer.save()
    page.goto(f"{live_server.url}/households/")
    current = page.locator("#mainnav .nav-link.active")
    expect(current).to_have_text("Hộ gia đình")
    expect(current).to_have_attribute("aria-current", "page")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").ok


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_top_bar_is_one_line_at_1280_for_the_administrator(
    new_page, live_server, administrator, commune, language
):
    """The administrator's menu is the longest (every item, the administration's too) and its
    account name in the bar a long one; logged in through a verified session (two-factor); in
    Vietnamese and in English, whose words are longer."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import Membership

    Membership.objects.create(user=administrator, area=commune.parent, role="admin")
    administrator.first_name, administrator.last_name = "Quản trị", "hệ thống cấp huyện"
    administrator.save()
    client = Client()
    client.force_login(administrator)  # verified by its device (conftest)
    page = new_page(DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    for path in ("/households/", "/reports/", "/projects/"):
        page.goto(f"{live_server.url}{path}")
        if SHOTS:
            name = f"nav-1280-admin-{language}{path.replace('/', '-').rstrip('-')}.png"
            page.locator("nav.navbar").screenshot(path=Path(SHOTS) / name)
        tops = page.eval_on_selector_all(
            "#mainnav .nav-link",
            "links => links.map(a => Math.round(a.getBoundingClientRect().top))",
        )
        heights = page.eval_on_selector_all(
            "#mainnav .nav-link", "links => links.map(a => a.getBoundingClientRect().height)"
        )
        assert len(tops) == 10, path  # every item, the administration's included
        assert len(set(tops)) == 1 and max(heights) < 1.5 * min(heights), path
        who = page.get_by_test_id("who").bounding_box()
        assert who["y"] < 40, path  # the account's name on the same line, not below
        assert page.locator("nav.navbar").bounding_box()["height"] < 80, path
        assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/households/",
        "/households/{home}/",
        "/households/{home}/review/{cycle}/",
        "/households/{home}/edit/",
        "/cycles/{cycle}/",
        "/reports/",
    ],
)
def test_main_pages_fit_a_360_px_screen(
    poverty_standards, logged_in_page, live_server, officer, village_a, path
):
    from reports.tests.test_provisional import two_years

    home = two_years(village_a)[0]  # figures on the dashboard and the reports: a decided year
    cycle = village_a.parent.review_cycles.get(year=2024)
    page = logged_in_page("officer", NARROW)
    page.goto(live_server.url + path.format(home=home.pk, cycle=cycle.pk))
    width = page.evaluate("document.documentElement.scrollWidth")
    if SHOTS:
        name = path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "dashboard"
        page.screenshot(path=Path(SHOTS) / f"{name}.png", full_page=True)
    assert width <= NARROW["width"], path


def test_a_report_chart_scales_to_a_360_px_screen(
    poverty_standards, logged_in_page, live_server, officer, village_a
):
    from reports.tests.test_provisional import two_years

    two_years(village_a)
    page = logged_in_page("officer", NARROW)
    page.goto(f"{live_server.url}/reports/baseline/?area={village_a.parent.pk}")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] <= NARROW["width"] - 16  # drawn 720 wide, shown at the screen's width
    ratio = page.evaluate(  # kept in proportion, not stretched or squeezed
        "(() => { const s = document.querySelector('svg.chart'); const v = s.viewBox.baseVal;"
        " const b = s.getBoundingClientRect();"
        " return (b.width / b.height) / (v.width / v.height); })()"
    )
    assert abs(ratio - 1) < 0.02
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    if SHOTS:
        page.screenshot(path=Path(SHOTS) / "report-chart.png", full_page=True)
    # on a laptop it is drawn at its own width, not blown up
    page.set_viewport_size(DESKTOP)
    assert page.locator("svg.chart").first.bounding_box()["width"] <= 720


def test_a_draft_of_the_review_form_is_offered_back_after_a_reload(
    logged_in_page, live_server, officer, home
):
    cycle = home.village.parent.review_cycles.get(year=2024)
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/households/{home.pk}/review/{cycle.pk}/")
    page.fill("#id_income_per_capita", "1200000")
    page.check("#id_ind_6_1")
    page.wait_for_timeout(500)
    page.reload()
    expect(page.locator("#id_ind_6_1")).not_to_be_checked()
    page.get_by_test_id("draft-prompt").get_by_role("button", name="Khôi phục bản nháp").click()
    expect(page.locator("#id_ind_6_1")).to_be_checked()
    expect(page.locator("#id_income_per_capita")).to_have_value("1200000")
    expect(page.get_by_test_id("preview-class")).to_have_text("Hộ cận nghèo")  # preview follows


def test_a_draft_keeps_no_citizen_id_and_is_gone_after_logout(
    logged_in_page, live_server, officer, home
):
    """A shared commune computer: the draft holds no citizen ID number (shown only behind a
    logged reveal), is filed under its user, and logging out removes it."""
    page = logged_in_page("officer", PHONE)
    page.goto(f"{live_server.url}/households/{home.pk}/edit/")
    page.fill("#id_head_name", "Nguyễn Văn Đức Anh")
    citizen = page.locator("input[name$='citizen_id']").first
    citizen.fill("001080099999")
    page.wait_for_timeout(500)  # the draft is written 300 ms after the last key
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('povertyplan:draft:'))"
        ".map(k => [k, localStorage.getItem(k)])"
    )
    assert len(stored) == 1
    key, value = stored[0]
    assert key.startswith(f"povertyplan:draft:{officer.pk}:")
    assert "Nguyễn Văn Đức Anh" in value and "001080099999" not in value
    page.goto(f"{live_server.url}/")
    page.locator("form[data-logout] button").evaluate("b => b.form.requestSubmit()")
    page.wait_for_url(f"{live_server.url}/login/**")
    page.wait_for_load_state("load")
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('povertyplan:draft:'))")
        == []
    )
