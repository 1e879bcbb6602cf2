"""The review's round trip in the browser at phone width: a file with rejected rows and a
warning, written as “only the valid rows” once the warnings are accepted (issue 15, item 7)."""

import pytest
from playwright.sync_api import expect

from conftest import PHONE
from households.models import Assessment
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports.tests.test_imports import INDICATORS, xlsx

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def test_valid_rows_with_a_warning_accepted_at_phone_width(
    logged_in_page, live_server, poverty_standards, commune, village_a, officer, tmp_path
):
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    for n in range(1, 6):
        MemberFactory(household=HouseholdFactory(village=village_a, code=f"T-{n:02d}"))
    header = ["Mã hộ", "Thu nhập bình quân (đồng/người/tháng)", "Điểm B1", *INDICATORS]
    incomes = [1_600_000, "nhiều", 850, 2_000_000, 10**30]
    rows = [[f"T-{n:02d}", income, None, *[""] * 12] for n, income in enumerate(incomes, 1)]
    path = tmp_path / "ket-qua.xlsx"
    path.write_bytes(xlsx({"Kết quả rà soát": [header, *rows]}).getvalue())

    page = logged_in_page("officer", PHONE)
    questions = []
    page.on("dialog", lambda d: (questions.append(d.message), d.accept()))  # "valid rows only?"
    page.goto(f"{live_server.url}/imports/")
    page.locator("#id_cycle").select_option(str(cycle.pk))
    page.locator('input[type="file"]').nth(1).set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và xem trước").nth(1).click()
    expect(page.get_by_test_id("warning-rows")).to_contain_text("850")
    expect(page.get_by_test_id("invalid-rows")).to_contain_text("nhiều")
    expect(page.get_by_test_id("rejected-link")).to_be_visible()
    page.screenshot(path=tmp_path / "preview-valid-only.png", full_page=True)

    button = page.get_by_role("button", name="Chỉ nhập các dòng hợp lệ (3 dòng), bỏ qua dòng lỗi")
    button.click()  # without the box: refused, nothing written
    expect(page.get_by_role("alert").filter(has_text="1 dòng có cảnh báo")).to_be_visible()
    assert not Assessment.objects.exists()
    page.get_by_label("Tôi đã kiểm tra các cảnh báo; số liệu đúng, vẫn ghi các dòng này.").check()
    page.get_by_role("button", name="Chỉ nhập các dòng hợp lệ (3 dòng), bỏ qua dòng lỗi").click()
    expect(page.get_by_test_id("rejected-download")).to_be_visible()
    assert questions and all("dòng hợp lệ" in q for q in questions)
    assert sorted(Assessment.objects.values_list("household__code", flat=True)) == [
        "T-01",
        "T-03",
        "T-04",
    ]
    with page.expect_download() as download:
        page.get_by_test_id("rejected-download").get_by_role("link").click()
    assert download.value.suggested_filename == "dong-loi-ket-qua-ra-soat-2024.xlsx"
