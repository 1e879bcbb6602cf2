"""Truth table for what a household lacks to change class (``indicators.needs``), on both sides of
each threshold, rural and urban; and the needs checked against the rule itself: meeting them
changes the class, falling one short does not. No database."""

import pytest

from indicators.needs import needs
from indicators.rules import HouseholdClass, StandardRule, classify
from indicators.tests.test_rules import CODES, RULE

NO_BAND = StandardRule(2_200_000, 2_800_000, None, None, None, None, 3, CODES)
P, N, A, X = (
    HouseholdClass.POOR,
    HouseholdClass.NEAR_POOR,
    HouseholdClass.AVERAGE,
    HouseholdClass.NOT_POOR,
)
TWO = ["2.2", "4.1"]
THREE = ["2.2", "4.1", "5.2"]
FIVE = ["1.1", "2.2", "4.1", "5.1", "5.2"]


def needs_of(urban, income, deprived, members=4, b1=None, rule=RULE):
    result = classify(rule, urban=urban, income=income, b1_score=b1, deprived=deprived)
    return needs(
        rule, result, urban=urban, income=income, b1_score=b1, deprived=deprived, members=members
    )


@pytest.mark.parametrize(
    ("urban", "income", "deprived", "cls", "to", "lift", "gap_month"),
    [
        # rural: at the line and one đồng above it
        (False, 1_500_000, THREE, P, N, 1, 1),
        (False, 1_500_001, THREE, A, None, 0, None),
        (False, 1_500_000, TWO, N, A, 0, 1),
        (False, 1_500_001, TWO, A, None, 0, None),
        # the cut-off: 3 deprivations need one lifted, 2 none, 5 need three
        (False, 1_000_000, THREE, P, N, 1, 500_001),
        (False, 1_000_000, TWO, N, A, 0, 500_001),
        (False, 1_000_000, FIVE, P, N, 3, 500_001),
        (False, 1_000_000, [], N, A, 0, 500_001),
        # urban: 1.8 million is under the urban line only
        (True, 1_800_000, THREE, P, N, 1, 200_001),
        (False, 1_800_000, THREE, A, None, 0, None),
        (True, 2_000_000, TWO, N, A, 0, 1),
        (True, 2_000_001, TWO, A, None, 0, None),
        # above the band: on no list
        (False, 2_250_001, FIVE, X, None, 0, None),
        # no income at all
        (False, 0, TWO, N, A, 0, 1_500_001),
    ],
)
def test_truth_table(urban, income, deprived, cls, to, lift, gap_month):
    result = needs_of(urban, income, deprived)
    assert result.household_class == cls
    assert result.to_class == to
    assert result.deprivations_to_lift == lift
    assert result.income_gap_month == gap_month
    assert result.income_gap_year == (None if gap_month is None else gap_month * 4 * 12)
    assert result.deprived == tuple(sorted(deprived))
    assert result.on_a_list == (to is not None)


@pytest.mark.parametrize("urban", [False, True])
@pytest.mark.parametrize("deprived", [THREE, FIVE, TWO, []])
@pytest.mark.parametrize("income", [0, 900_000, 1_499_999, 1_500_000, 1_999_999, 2_000_000])
def test_meeting_the_needs_changes_the_class_and_one_short_does_not(urban, deprived, income):
    before = classify(RULE, urban=urban, income=income, b1_score=None, deprived=deprived)
    result = needs_of(urban, income, deprived)
    if not result.on_a_list:
        assert before.household_class in (A, X)
        return
    gap = result.income_gap_month
    richer = classify(RULE, urban=urban, income=income + gap, b1_score=None, deprived=deprived)
    assert richer.household_class not in (P, N)
    assert gap >= 1
    almost = classify(RULE, urban=urban, income=income + gap - 1, b1_score=None, deprived=deprived)
    assert almost.household_class == before.household_class
    if result.household_class == P:
        lifted = result.deprived[result.deprivations_to_lift :]
        fewer = classify(RULE, urban=urban, income=income, b1_score=None, deprived=lifted)
        assert fewer.household_class == result.to_class == N
        one_short = result.deprived[result.deprivations_to_lift - 1 :]
        still = classify(RULE, urban=urban, income=income, b1_score=None, deprived=one_short)
        assert still.household_class == P


def test_the_household_gap_counts_its_members_over_a_year():
    assert needs_of(False, 1_400_000, THREE, members=6).income_gap_year == 100_001 * 6 * 12
    assert needs_of(False, 1_400_000, THREE, members=1).income_gap_year == 100_001 * 12


def test_a_class_decided_by_the_b1_score_gives_its_gap_in_points():
    rural = needs_of(False, None, THREE, b1=120)
    assert (rural.household_class, rural.b1_gap, rural.income_gap_month) == (P, 21, None)
    assert needs_of(False, None, TWO, b1=140).b1_gap == 1
    assert needs_of(True, None, TWO, b1=175).b1_gap == 1
    assert needs_of(True, None, TWO, b1=176).on_a_list is False
    # with an estimated income beside the score, both gaps are given
    both = needs_of(False, 1_200_000, THREE, b1=130)
    assert (both.b1_gap, both.income_gap_month) == (11, 300_001)


def test_without_an_average_band_the_income_path_leads_out_of_both_lists():
    result = needs_of(False, 2_000_000, TWO, rule=NO_BAND)
    assert (result.household_class, result.to_class, result.income_gap_month) == (N, X, 200_001)
