"""An import in the browser with its jobs in a thread of the web process (the embedded default,
no broker): the upload returns at once, the batch's page polls its job (htmx) and reloads to the
preview when the job is done; the confirm likewise ends on the import page with what was
written."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from conftest import DESKTOP
from households.models import Household
from imports.tests.test_imports import good_registry

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's shared in-memory test database locks a whole table between the job's "
        "thread and the page's polls at once (a file database waits for the lock instead)",
    ),
]


def test_the_page_polls_the_preview_job_then_shows_the_preview_and_the_confirm(
    logged_in_page, live_server, poverty_standards, commune, village_a, officer, tmp_path, settings
):
    settings.JOBS_EMBEDDED = "thread"  # as `make run`: each job in a thread of the web process
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(good_registry().getvalue())
    page = logged_in_page("officer", DESKTOP)
    page.goto(f"{live_server.url}/imports/")
    page.locator("#id_commune").select_option(str(commune.pk))
    page.locator('input[type="file"]').first.set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và xem trước").first.click()
    expect(page.get_by_test_id("new-rows")).to_contain_text("VH-001", timeout=20_000)
    assert "/imports/" in page.url and Household.objects.count() == 0
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.get_by_text("Đã nhập “danh-sach.xlsx”: 1 dòng mới")).to_be_visible(timeout=20_000)
    assert Household.objects.get().code == "VH-001"
