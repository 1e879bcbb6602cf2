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
