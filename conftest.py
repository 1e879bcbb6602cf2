"""Personas shared by every app's tests (style.md): the officer of Vĩnh Hảo, the boards of two of
its villages, the officer of another commune, a district viewer and an administrator."""

import pytest

from accounts.tests.factories import VERIFIED_IN_TESTS, UserFactory, totp_device
from areas.tests.factories import CommuneFactory, DistrictFactory, VillageFactory


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached filter choices of one test's data (the same
    area paths recur from test to test) must not show in the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def interface_language():
    """Each test starts in the default language (Vietnamese): a request made in English leaves
    English active in the thread (LocaleMiddleware activates, nothing deactivates), and texts and
    numbers built outside a request follow the active language (core/formatting.py)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def poverty_standards(db):
    """The standards the data migration loads; tests that flush the database (browser tests with
    a live server) need them put back."""
    from django.apps import apps

    from indicators import standards_data

    standards_data.load(apps)


@pytest.fixture
def district(db):
    return DistrictFactory(name="Huyện Bắc Quang", code="034")


@pytest.fixture
def commune(district):
    return CommuneFactory(name="Xã Vĩnh Hảo", code="01090", parent=district)


@pytest.fixture
def village_a(commune):
    return VillageFactory(name="Thôn A", parent=commune)


@pytest.fixture
def village_b(commune):
    return VillageFactory(name="Thôn B", parent=commune)


@pytest.fixture
def other_commune(db):
    # In another district and province altogether.
    return CommuneFactory(name="Xã Khác", code="09999")


@pytest.fixture
def other_village(other_commune):
    return VillageFactory(name="Thôn Xa", parent=other_commune)


@pytest.fixture
def officer(commune):
    return UserFactory(username="officer", membership=(commune, "officer"))


@pytest.fixture
def board_a(village_a):
    return UserFactory(username="board_a", membership=(village_a, "board"))


@pytest.fixture
def board_b(village_b):
    return UserFactory(username="board_b", membership=(village_b, "board"))


@pytest.fixture
def other_officer(other_commune):
    return UserFactory(username="other_officer", membership=(other_commune, "officer"))


@pytest.fixture
def viewer(district):
    return UserFactory(username="viewer", membership=(district, "viewer"))


@pytest.fixture
def administrator(db):
    """A superuser, who must use two-factor login: enrolled, and force_login gives a verified
    session (see ``_force_login_verifies``), as logging in with a code would."""
    user = UserFactory(username="administrator", is_superuser=True, is_staff=True)
    totp_device(user, name=VERIFIED_IN_TESTS)
    return user


@pytest.fixture(autouse=True)
def _force_login_verifies(monkeypatch):
    """``client.force_login(user)`` skips the login pages, the second step included. For a user
    whose device is named VERIFIED_IN_TESTS (the administrator persona) the session is also marked
    as verified by that device, as django_otp.login does after a good code. Other users' sessions
    stay unverified, so the two-factor tests see what a real password-only session gets."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    force_login = Client.force_login

    def verified_force_login(self, user, backend=None):
        force_login(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, name=VERIFIED_IN_TESTS).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", verified_force_login)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses hashed static names from `collectstatic`; tests render without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _files_in_tmp_path(settings, tmp_path):
    """Uploads, generated files and backups of a test go to its own tmp folder, never to the
    repository or the machine's /tmp (a test that needs its own folders still sets them)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    settings.BACKUP_DIR = tmp_path / "backups"


# Browser tests (style.md: Playwright on the system Chromium). One Chromium per test session;
# each test gets fresh contexts (cookies, storage), closed before the live server's database is
# flushed.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "secret-pass-123"  # UserFactory's


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """The system Chromium (settings.CHROMIUM_PATH). Its home, cache and config folders point into
    a tmp folder, so a run leaves nothing in ~/.cache or ~/.config."""
    import os

    from django.conf import settings
    from playwright.sync_api import sync_playwright

    assert os.path.exists(settings.CHROMIUM_PATH), "install Debian's chromium (make test does)"
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (fixtures, checks) are still synchronous, one at a time.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    home = tmp_path_factory.mktemp("chromium-home")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "TMPDIR": str(home),
    }
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=settings.CHROMIUM_PATH, args=settings.CHROMIUM_ARGS, env=env
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """``new_page(viewport=None, init_script=None)``: a page in a fresh Vietnamese context."""
    contexts = []

    def open_page(viewport=None, init_script=None):
        context = browser.new_context(viewport=viewport or DESKTOP, locale="vi-VN")
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            page.wait_for_load_state("networkidle")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fills the login form; where it leads (home page, two-factor step) is the caller's check."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.fixture
def logged_in_page(new_page, live_server):
    """``logged_in_page(username, viewport=None)``: a page whose user has logged in with the
    password form and reached the home page."""

    def open_page(username, viewport=None):
        page = new_page(viewport)
        log_in(page, live_server.url, username)
        page.wait_for_url(f"{live_server.url}/")
        return page

    return open_page
