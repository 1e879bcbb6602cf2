import datetime

import pytest

from indicators.models import Indicator, PovertyStandard

pytestmark = pytest.mark.django_db


def test_the_2022_standard_is_complete_and_in_force_through_2026():
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert (standard.rural_poverty_line, standard.urban_poverty_line) == (1_500_000, 2_000_000)
    assert (standard.rural_average_upper, standard.urban_average_upper) == (2_250_000, 3_000_000)
    assert (standard.b1_rural_max, standard.b1_urban_max, standard.deprivation_cutoff) == (
        140,
        175,
        3,
    )
    codes = list(Indicator.objects.of_standard(standard).values_list("code", flat=True))
    assert codes == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "4.1",
        "4.2",
        "5.1",
        "5.2",
        "6.1",
        "6.2",
    ]
    assert standard.dimensions.count() == 6
    assert not standard.indicators_provisional
    assert PovertyStandard.objects.for_year(2026) == standard
    assert PovertyStandard.objects.for_year(2022) == standard


def test_the_2027_standard_has_its_income_lines_and_a_provisional_indicator_set():
    standard = PovertyStandard.objects.get(code="2027-2030")
    assert (standard.rural_poverty_line, standard.urban_poverty_line) == (2_200_000, 2_800_000)
    assert standard.indicators_provisional
    assert standard.rural_average_upper is None  # unconfirmed, so left empty
    assert PovertyStandard.objects.for_year(2027) == standard
    assert PovertyStandard.objects.in_force_on(datetime.date(2027, 1, 1)).get() == standard


def test_indicator_definitions_are_those_the_seed_states():
    indicator = Indicator.objects.get(dimension__standard__code="2022-2025", code="2.2")
    assert indicator.definition == (
        "Hộ gia đình có ít nhất 1 thành viên từ 06 tuổi trở lên không có thẻ bảo hiểm y tế"
    )
    assert indicator.dimension.name == "Y tế"


def test_the_rule_of_a_standard_carries_its_indicator_codes():
    rule = PovertyStandard.objects.get(code="2022-2025").rule()
    assert len(rule.indicator_codes) == 12
    assert rule.rural_line == 1_500_000
