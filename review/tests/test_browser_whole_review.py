"""One whole periodic review of a small commune in the system Chromium (Playwright), as the people
who run it: the commune officer opens the cycle, the officer and the board of Thôn A enter
results through the review form (the rest by the service, to save time), the board records its
village's meeting and the officer the other's, the officer posts the results, records a complaint
and its resolution and the decision. The dashboard then shows the official figures and the
district viewer downloads the decision as a PDF.

Each user action (a click that sends a form or follows a link) is counted in ``steps``; the test
pins the count so a new detour in the flow shows up here."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from households import services as household_services
from households.models import ReviewCycle
from review.tests.test_stages import home

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

YEAR = 2025
MEETING_A, MEETING_B = datetime.date(2025, 12, 1), datetime.date(2025, 12, 2)
POSTING = datetime.date(2025, 12, 8)  # a Monday: 3 working days to Wednesday 10 December
COMPLAINT, RESOLVED = datetime.date(2025, 12, 9), datetime.date(2025, 12, 10)
DECISION_DAY = datetime.date(2025, 12, 12)
DECISION_NUMBER = "27/QĐ-UBND"
POOR = {"income_per_capita": 900_000, "deprived": ("1.1", "2.2", "4.1")}
NEAR_POOR = {"income_per_capita": 1_200_000, "deprived": ("2.2",)}
ABOVE = {"income_per_capita": 4_000_000}
STEPS = 30  # the clicks of the whole review, pinned


@pytest.fixture
def households(poverty_standards, commune, village_a, village_b):
    """Four households in each village, two members each."""
    return {
        code: home(village, code=code, head_name=f"Chủ hộ {code}")
        for village, codes in ((village_a, "A1 A2 A3 A4"), (village_b, "B1 B2 B3 B4"))
        for code in codes.split()
    }


class Steps:
    """Counts the user's actions: every click that follows a link or sends a form (filling a
    field is not counted). The whole review is reached by clicks from the home page: no address
    is typed."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def enter_result(steps, page, household_code, income):
    """From the list of households without a result: the household, its review form, saved."""
    steps.click(page.get_by_role("link", name=re.compile(household_code)).first)
    steps.click(page.get_by_role("link", name=f"Nhập kết quả {YEAR}"))
    expect(page.get_by_test_id("review-form")).to_be_visible()
    page.fill("#id_income_per_capita", str(income))
    steps.click(page.get_by_test_id("save-review"))
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Đã lưu kết quả rà soát của hộ {household_code}"
    )


def open_cycle(steps, page):
    """From any page: the menu's review cycles, then the periodic cycle of YEAR."""
    steps.click(page.get_by_role("link", name="Đợt rà soát").first)
    steps.click(page.get_by_role("link", name=f"Rà soát định kỳ 14/12/{YEAR}"))


def record_meeting(steps, page, village_name, day, present, total):
    row = page.get_by_test_id("progress").get_by_role("row").filter(has_text=village_name)
    steps.click(row.get_by_role("link", name="Ghi biên bản"))
    page.fill("#id_held_on", day.isoformat())
    page.fill("#id_chair", f"Trưởng {village_name.lower()}")
    page.fill("#id_representatives_present", str(present))
    page.fill("#id_representatives_total", str(total))
    steps.click(page.get_by_role("button", name="Ghi biên bản"))
    expect(page.get_by_role("alert").first).to_contain_text(f"Đã ghi biên bản họp {village_name}")


def test_a_whole_periodic_review_from_opening_to_the_decision_pdf(
    logged_in_page, live_server, households, officer, board_a, viewer, commune
):
    steps = Steps()
    url = live_server.url
    officer_page = logged_in_page("officer")
    page = officer_page

    # a. the officer opens the cycle of YEAR
    steps.click(page.get_by_role("link", name="Đợt rà soát").first)
    page.fill("#id_year", str(YEAR))
    page.fill("#id_reference_date", f"{YEAR}-12-14")
    steps.click(page.get_by_role("button", name="Tạo"))
    expect(page.get_by_role("alert").first).to_contain_text("Đã tạo đợt rà soát")
    cycle = ReviewCycle.objects.get(commune=commune, year=YEAR)
    cycle_url = f"{url}/cycles/{cycle.pk}/"
    assert page.url == cycle_url
    expect(page.get_by_test_id("stages").locator("[aria-current=step]")).to_have_text("Mở đợt")

    # b. survey: the officer and the board enter one result each through the form
    steps.click(page.get_by_role("button", name="Chuyển sang bước “Điều tra, rà soát”"))
    expect(page.get_by_test_id("refusals")).to_contain_text("Còn 8/8 hộ")
    steps.click(page.get_by_role("link", name="Xem các hộ chưa có kết quả"))
    enter_result(steps, page, "B1", 4_000_000)
    board = logged_in_page("board_a")
    steps.click(board.get_by_role("link", name="Thôn A").first)
    enter_result(steps, board, "A1", 3_500_000)
    # the six others by the service (what the form does, without the clicks)
    for code, values in (
        ("A2", POOR),
        ("A3", NEAR_POOR),
        ("A4", ABOVE),
        ("B2", POOR),
        ("B3", ABOVE),
        ("B4", ABOVE),
    ):
        household_services.assessment_record(cycle=cycle, household=households[code], **values)
    open_cycle(steps, page)
    expect(page.get_by_test_id("coverage")).to_contain_text("Đã có kết quả: 8/8 hộ")
    steps.click(page.get_by_role("button", name="Chuyển sang bước “Họp thôn”"))
    expect(page.get_by_test_id("stages").locator("[aria-current=step]")).to_have_text("Họp thôn")

    # c. village meetings: the board its own village, the officer the other
    open_cycle(steps, board)
    assert board.url == cycle_url
    expect(board.get_by_test_id("progress")).not_to_contain_text("Thôn B")
    record_meeting(steps, board, "Thôn A", MEETING_A, present=3, total=4)
    record_meeting(steps, page, "Thôn B", MEETING_B, present=2, total=4)
    expect(page.get_by_test_id("refusals")).to_have_count(0)

    # d. posting, one complaint received and resolved
    page.fill("#id_starts_on", POSTING.isoformat())
    page.fill("#id_place", "Nhà văn hóa thôn và trụ sở UBND xã")
    steps.click(page.get_by_role("button", name="Niêm yết và chuyển sang bước niêm yết"))
    expect(page.get_by_test_id("posting")).to_contain_text("từ 08/12/2025 đến hết 10/12/2025")
    steps.click(page.get_by_text("Ghi khiếu nại mới"))
    form = page.locator("form[action$='/complaints/']")
    form.locator("[name=household]").fill("B2")
    form.locator("[name=complainant]").fill("Người dân thôn B")
    form.locator("[name=content]").fill("Đề nghị phúc tra thu nhập của hộ.")
    form.locator("[name=received_on]").fill(COMPLAINT.isoformat())
    steps.click(form.get_by_role("button", name="Ghi vào sổ"))
    expect(page.get_by_test_id("refusals")).to_contain_text("1 khiếu nại chưa giải quyết")
    steps.click(page.get_by_text("Ghi kết quả giải quyết"))
    resolve = page.locator("form[action$='/resolve/']")
    resolve.locator("[name=resolved_on]").fill(RESOLVED.isoformat())
    resolve.locator("[name=resolution]").fill("Đã phúc tra: giữ nguyên kết quả.")
    steps.click(resolve.get_by_role("button", name="Ghi"))
    expect(page.get_by_test_id("complaints")).to_contain_text("Đã phúc tra: giữ nguyên kết quả.")
    expect(page.get_by_test_id("refusals")).to_have_count(0)

    # e. the decision (the form asks for confirmation first)
    page.fill("#id_decision_number", DECISION_NUMBER)
    page.fill("#id_decision_date", DECISION_DAY.isoformat())
    page.fill("#id_decision_signer", "Chủ tịch UBND xã")
    page.once("dialog", lambda dialog: dialog.accept())
    steps.click(page.get_by_role("button", name="Ghi quyết định, công bố số liệu chính thức"))
    expect(page.get_by_test_id("decision")).to_contain_text(DECISION_NUMBER)
    expect(page.get_by_test_id("status")).to_have_text("Số liệu chính thức")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.stage) == ("finalised", "decided")
    documents = page.get_by_test_id("documents")
    expect(documents).to_contain_text("Quyết định công nhận hộ nghèo")
    expect(documents).to_contain_text("Sổ tiếp nhận khiếu nại")

    # the dashboard: official figures of YEAR, two poor households of eight
    steps.click(page.get_by_role("link", name="Tổng quan").first)
    heading = page.get_by_role("heading", name=f"Kết quả rà soát định kỳ cuối năm {YEAR}")
    expect(heading).to_be_visible()
    expect(page.get_by_test_id("provisional")).to_have_count(0)
    poor_card = (
        page.get_by_test_id("key-figures")
        .locator(".card")
        .filter(has=page.get_by_text("Hộ nghèo", exact=True))
    )
    expect(poor_card.locator(".fs-4")).to_have_text("2")

    # the district viewer finds the commune's decision and downloads its PDF
    viewer_page = logged_in_page("viewer")
    steps.click(viewer_page.get_by_role("link", name="Báo cáo").first)
    row = viewer_page.locator(f"tr[data-area='{commune.pk}']")
    if row.count() == 0:
        row = viewer_page.locator("tr").filter(has_text=commune.name)
    steps.click(row.get_by_role("link", name=re.compile("^Quyết định công nhận")))
    with viewer_page.expect_download() as download:
        steps.click(viewer_page.get_by_role("link", name="PDF").first)
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert DECISION_NUMBER in text and "Chủ hộ A2" in text and "Chủ hộ B2" in text
    assert "Dự thảo" not in text

    assert steps.count == STEPS
