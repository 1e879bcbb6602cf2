"""The rows of by-unit tables come in Vietnamese order of their names (core.collation)."""

import pytest

from areas.tests.factories import CommuneFactory, VillageFactory
from reports.units import Units

pytestmark = pytest.mark.django_db


def test_villages_and_communes_in_vietnamese_order(district, commune):
    for name in ["Thôn 10", "Đồng Tâm", "Thôn 2", "Dốc Đỏ", "Ấp Ông"]:
        VillageFactory(name=name, parent=commune)
    units = Units(commune)
    assert [units.name(i) for i in units.ids] == [
        "Ấp Ông",
        "Dốc Đỏ",
        "Đồng Tâm",
        "Thôn 2",
        "Thôn 10",
    ]
    assert units.village_ids == units.ids
    # communes by name, not by code; their villages follow them
    east = CommuneFactory(name="Xã Đông", code="09999", parent=district)  # after by code
    VillageFactory(name="Thôn 1", parent=east)
    units = Units(district)
    assert [units.name(i) for i in units.ids] == ["Xã Đông", commune.name]  # Đ before V
    assert [units.unit_of[v] for v in units.village_ids][0] == east.pk
