"""Personas shared by every app's tests (style.md): the officer of Vĩnh Hảo, the boards of two of
its villages, the officer of another commune, a district viewer and an administrator."""

import pytest

from accounts.tests.factories import UserFactory
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
    return UserFactory(username="administrator", is_superuser=True, is_staff=True)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses hashed static names from `collectstatic`; tests render without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
