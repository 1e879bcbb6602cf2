import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from areas.models import Area
from areas.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_every_unit_below_an_area_is_one_query(
    commune, village_a, village_b, other_village, django_assert_num_queries
):
    with django_assert_num_queries(1):
        below = list(commune.descendants())
    assert set(below) == {commune, village_a, village_b}


def test_the_path_follows_the_parent_chain(district, commune, village_a):
    assert village_a.path == f"{district.parent.path}{district.pk}/{commune.pk}/{village_a.pk}/"
    assert village_a.is_within(district)
    assert list(village_a.ancestors()) == [district.parent, district, commune]


def test_a_commune_may_sit_directly_under_a_province_after_the_2025_reform():
    province = ProvinceFactory(code="08", name="Tỉnh Tuyên Quang")
    commune = Area(kind=Area.Kind.COMMUNE, code="02000", name="Xã Mới", parent=province)
    commune.full_clean()
    commune.save()
    assert commune.is_within(province)


def test_a_village_cannot_sit_under_a_district(district):
    village = Area(kind=Area.Kind.VILLAGE, name="Thôn lạc", parent=district)
    with pytest.raises(ValidationError):
        village.full_clean()


def test_codes_are_unique_among_valid_units_of_a_kind_only():
    old = ProvinceFactory(code="02", name="Tỉnh Hà Giang", valid_to=datetime.date(2025, 6, 30))
    successor = ProvinceFactory(code="08", name="Tỉnh Tuyên Quang")
    old.merged_into = successor
    old.save()
    # A new unit may reuse no code of a valid unit of its kind ...
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvinceFactory(code="08", name="Trùng mã")
    # ... but history keeps the ended unit and its code.
    ProvinceFactory(code="02", name="Tỉnh khác 02")
    assert list(successor.merged_from.all()) == [old]


def test_villages_may_have_no_code(commune):
    VillageFactory(parent=commune, code="")
    VillageFactory(parent=commune, code="")
    assert commune.children.filter(code="").count() == 2


def test_valid_on_keeps_the_units_of_the_time():
    old = ProvinceFactory(code="02", valid_to=datetime.date(2025, 6, 30))
    new = ProvinceFactory(code="08", valid_from=datetime.date(2025, 7, 1))
    assert list(
        Area.objects.filter(pk__in=[old.pk, new.pk]).valid_on(datetime.date(2024, 1, 1))
    ) == [old]
    assert list(
        Area.objects.filter(pk__in=[old.pk, new.pk]).valid_on(datetime.date(2026, 1, 1))
    ) == [new]


def test_lookup_finds_by_code_or_exact_name():
    commune = CommuneFactory(code="01090", name="Xã Vĩnh Hảo")
    assert list(Area.objects.lookup("01090")) == [commune]
    assert list(Area.objects.lookup("xã vĩnh hảo")) == [commune]
    assert not Area.objects.lookup("Vĩnh").exists()
