"""Truth table for the classification rule (Decree 07/2021, art. 3; Circular 07/2021).

No database."""

import pytest

from indicators.rules import (
    ClassificationError,
    HouseholdClass,
    Measure,
    StandardRule,
    classify,
)

CODES = frozenset(
    ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
)
RULE = StandardRule(
    rural_line=1_500_000,
    urban_line=2_000_000,
    rural_average_upper=2_250_000,
    urban_average_upper=3_000_000,
    b1_rural_max=140,
    b1_urban_max=175,
    deprivation_cutoff=3,
    indicator_codes=CODES,
)
TWO = ["2.2", "4.1"]
THREE = ["2.2", "4.1", "5.2"]

P, N, A, X = (
    HouseholdClass.POOR,
    HouseholdClass.NEAR_POOR,
    HouseholdClass.AVERAGE,
    HouseholdClass.NOT_POOR,
)
INC, B1 = Measure.INCOME, Measure.B1_SCORE


@pytest.mark.parametrize(
    ("urban", "income", "b1", "deprived", "expected", "measure"),
    [
        # income exactly at the line, and one đồng above it (rural)
        (False, 1_500_000, None, THREE, P, INC),
        (False, 1_500_001, None, THREE, A, INC),
        (False, 1_500_000, None, TWO, N, INC),
        (False, 1_500_001, None, TWO, A, INC),
        # urban against rural: 1.8 million is under the urban line only
        (True, 1_800_000, None, THREE, P, INC),
        (False, 1_800_000, None, THREE, A, INC),
        (True, 2_000_000, None, TWO, N, INC),
        (True, 2_000_001, None, TWO, A, INC),
        # 2 deprivations against 3; 0 counts as fewer than 3
        (False, 1_000_000, None, TWO, N, INC),
        (False, 1_000_000, None, THREE, P, INC),
        (False, 1_000_000, None, [], N, INC),
        # both edges of the average-living-standard band
        (False, 2_250_000, None, [], A, INC),
        (False, 2_250_001, None, [], X, INC),
        (True, 3_000_000, None, [], A, INC),
        (True, 3_000_001, None, [], X, INC),
        # a B1 score against an income: the score decides under the line
        (False, None, 140, THREE, P, B1),
        (False, None, 141, THREE, X, B1),
        (True, None, 175, TWO, N, B1),
        (True, None, 176, TWO, X, B1),
        (False, 5_000_000, 120, THREE, P, B1),
        # above the B1 threshold, income places the household in the band
        (False, 2_000_000, 150, THREE, A, INC),
        (False, 3_000_000, 150, THREE, X, INC),
    ],
)
def test_classify_truth_table(urban, income, b1, deprived, expected, measure):
    result = classify(RULE, urban=urban, income=income, b1_score=b1, deprived=deprived)
    assert (result.household_class, result.measure) == (expected, measure)


def test_b2_score_is_ten_points_per_deprived_indicator():
    result = classify(RULE, urban=False, income=1_000_000, b1_score=None, deprived=THREE)
    assert result.deprivation_count == 3
    assert result.b2_score == 30


def test_duplicate_indicator_codes_count_once():
    result = classify(RULE, urban=False, income=1_000_000, b1_score=None, deprived=TWO + TWO)
    assert result.household_class == N


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"urban": False, "income": None, "b1_score": None}, "missing_measure"),
        ({"urban": None, "income": 1_000_000, "b1_score": None}, "missing_area_type"),
        ({"urban": False, "income": -1, "b1_score": None}, "negative_income"),
        ({"urban": False, "income": None, "b1_score": -5}, "negative_b1"),
    ],
)
def test_missing_or_invalid_inputs_raise_a_clear_error(kwargs, code):
    with pytest.raises(ClassificationError) as exc:
        classify(RULE, deprived=[], **kwargs)
    assert exc.value.code == code
    assert str(exc.value)  # a message the user can read


def test_an_indicator_outside_the_standard_is_refused():
    with pytest.raises(ClassificationError, match="9.9"):
        classify(RULE, urban=False, income=1_000_000, b1_score=None, deprived=["9.9"])


def test_b1_score_without_a_threshold_in_the_standard_is_refused():
    rule = StandardRule(2_200_000, 2_800_000, None, None, None, None, 3, CODES)
    with pytest.raises(ClassificationError) as exc:
        classify(rule, urban=False, income=None, b1_score=100, deprived=[])
    assert exc.value.code == "no_b1_threshold"


def test_no_average_band_means_not_poor_above_the_line():
    rule = StandardRule(2_200_000, 2_800_000, None, None, None, None, 3, CODES)
    result = classify(rule, urban=False, income=2_200_001, b1_score=None, deprived=[])
    assert result.household_class == X
