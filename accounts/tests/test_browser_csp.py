"""The main pages in the system Chromium under the Content-Security-Policy: no violation is
reported (inline scripts, handlers, styles or eval would be), and the behaviours moved out of the
templates into static/js/app.js still work."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from areas.models import Area
from conftest import log_in
from households import services
from households.tests.factories import ReviewCycleFactory

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "areas-new-commune-sample.xlsx"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]
# Reports each violation in the page itself; init scripts are not subject to the page's policy.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def login(new_page, live_server):
    """Opens a session that has sent the login form (the root conftest closes its context)."""
    return lambda username: Session(new_page(init_script=LISTEN), live_server.url, username)


@pytest.fixture
def home(poverty_standards, commune, village_a):
    home = services.household_create(
        village=village_a, code="A-001", head_name="Nguyễn Văn Đức", floor_area_m2=40
    )
    services.member_add(
        household=home,
        full_name="Nguyễn Văn Đức",
        sex="M",
        relation_to_head="head",
        date_of_birth=datetime.date(1975, 3, 4),
    )
    return home, ReviewCycleFactory(commune=commune, year=2024)


class Session:
    """One logged-in browser context that records CSP violations and console errors."""

    def __init__(self, page, base, username):
        self.base = base
        self.page = page
        self.console = []
        self.page.on("console", self._console)
        log_in(self.page, base, username)

    def _console(self, message):
        # Script errors and policy reports (a feature the Permissions-Policy names that the
        # browser does not know is reported as a warning); a missing resource (the browser's own
        # /favicon.ico) is not what these tests look for.
        text = message.text
        if "Permissions-Policy" in text or (
            message.type == "error" and not text.startswith("Failed to load resource")
        ):
            self.console.append(text)

    def open(self, path):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response.status < 400, (path, response.status)
        return self.violations()

    def violations(self):
        return self.page.evaluate("window.__csp") + [
            text for text in self.console if "Content Security Policy" in text
        ]


def test_the_main_pages_report_no_csp_violation(login, live_server, officer, home):
    household, cycle = home
    session = login("officer")
    session.page.wait_for_url(f"{live_server.url}/")
    pages = [
        "/login/",
        "/",
        "/households/",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/edit/",
        "/households/new/",
        f"/households/{household.pk}/review/{cycle.pk}/",
        f"/cycles/{cycle.pk}/",
        "/reports/",
        "/imports/",
        "/projects/",
        "/projects/plan/",
        "/budget/",
        "/account/two-factor/",
        "/account/password/",
    ]
    found = {path: v for path in pages if (v := session.open(path))}
    assert found == {}
    assert session.console == []


def test_the_review_form_preview_still_updates_through_htmx(login, live_server, officer, home):
    household, cycle = home
    session = login("officer")
    session.page.wait_for_url(f"{live_server.url}/")
    session.open(f"/households/{household.pk}/review/{cycle.pk}/")
    session.page.fill("#id_income_per_capita", "1200000")
    session.page.check("#id_ind_6_1")
    expect(session.page.get_by_test_id("preview-class")).to_have_text("Hộ cận nghèo")
    assert session.violations() == []


def test_the_language_select_switches_without_an_inline_handler(login, live_server, officer):
    session = login("officer")
    session.page.wait_for_url(f"{live_server.url}/")
    session.page.select_option("select[name=language]", "en")
    session.page.wait_for_load_state("networkidle")
    expect(session.page.locator("html")).to_have_attribute("lang", "en")
    assert session.violations() == []


def admin_session(login, live_server, administrator):
    """The administrator logged in with the password and a code from the enrolled device."""
    session = login("administrator")
    session.page.wait_for_url("**/account/two-factor/verify/**")
    device = TOTPDevice.objects.get(user=administrator)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    session.page.fill("#id_token", f"{code:06d}")
    session.page.get_by_test_id("verify").click()
    session.page.wait_for_url(f"{live_server.url}/")
    return session


def test_an_administrator_logs_in_with_a_code_and_the_admin_reports_no_violation(
    login, live_server, administrator
):
    session = admin_session(login, live_server, administrator)
    assert session.violations() == []
    found = {
        path: v
        for path in (
            "/admin/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{administrator.pk}/change/",
            "/admin/accounts/user/add/",
            "/account/two-factor/",
            "/admin/areas/area/",
            "/admin/areas/area/import/",
            "/admin/areas/area/export/",
            "/admin/indicators/target/",
            "/admin/budget/budgetline/import/",
        )
        if (v := session.open(path))
    }
    assert found == {}
    assert session.console == []


def test_an_upload_shows_its_note_without_eval(login, live_server, officer, home):
    session = login("officer")
    session.page.wait_for_url(f"{live_server.url}/")
    session.open("/imports/")
    progress = session.page.locator("#import-progress")
    expect(progress).to_be_hidden()
    # The submit event app.js listens to, without sending a file: the note shows (the batch
    # page the upload leads to polls the preview's job).
    session.page.evaluate(
        """document.querySelector("form[data-progress]").dispatchEvent(
            new Event("submit", {bubbles: true, cancelable: true}))"""
    )
    expect(progress).to_be_visible()
    assert session.violations() == []
    assert session.console == []


def test_an_administrator_imports_the_sample_commune_sheet_with_no_violation(
    login, live_server, administrator, district
):
    """django-import-export's pages: upload, preview, confirm, and the export page (whose own
    template has an inline handler; templates/admin/import_export/export.html replaces it)."""
    session = admin_session(login, live_server, administrator)
    page = session.page
    assert session.open("/admin/areas/area/import/") == []
    page.set_input_files("#id_import_file", str(SAMPLE))
    page.select_option("#id_format", label="xlsx")
    page.get_by_role("button", name="Submit").or_(page.locator("input[type=submit]")).first.click()
    confirm = page.locator("input[name=confirm]")
    expect(confirm).to_be_visible()
    expect(page.locator("table.import-preview")).to_contain_text("Thôn Mẫu 2 (dữ liệu mẫu)")
    assert session.violations() == []
    confirm.click()
    page.wait_for_url("**/admin/areas/area/")
    assert Area.objects.get(code="01099").children.count() == 3
    assert session.open("/admin/areas/area/export/") == []
    page.uncheck(".select-toggle")
    expect(
        page.locator(".selectable-field-export-row input[type=checkbox]").first
    ).not_to_be_checked()
    assert session.violations() == []
    assert session.console == []
