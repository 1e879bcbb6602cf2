"""The multidimensional poverty rule, as one pure function (no Django, no database).

Decree 07/2021/NĐ-CP, art. 3 (2022–2025 standard, kept in force through 2026 by Decree
351/2025/NĐ-CP) and Circular 07/2021/TT-BLĐTBXH (the survey form's scores):

- poor: income ≤ the poverty line of the household's area and deprived in ≥ cut-off (3) of the
  indicators; near-poor: income ≤ the line and deprived in fewer than the cut-off;
- average living standard: income above the line and ≤ the upper bound of the band;
- otherwise not poor.

A result may carry an estimated income, a B1 score (the income score of form B), or both. The B1
score is the figure the official survey produces, so when it is present it decides whether the
household is under the line (B1 ≤ 140 rural, ≤ 175 urban). Above the line, only income can place a
household in the average-living-standard band, so income decides that when it is given.
``Classification.measure`` says which figure decided the class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class HouseholdClass(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE = "average"
    NOT_POOR = "not_poor"


class Measure(StrEnum):
    INCOME = "income"
    B1_SCORE = "b1"


class ClassificationError(ValueError):
    """The inputs cannot be classified. ``code`` names the reason for callers that translate it;
    the message says it in Vietnamese."""

    def __init__(self, code: str, message: str, *, params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class StandardRule:
    """The figures of one poverty standard that the rule needs (copied out of the database)."""

    rural_line: int
    urban_line: int
    rural_average_upper: int | None
    urban_average_upper: int | None
    b1_rural_max: int | None
    b1_urban_max: int | None
    deprivation_cutoff: int
    indicator_codes: frozenset[str]
    b2_points_per_indicator: int = 10


@dataclass(frozen=True)
class Classification:
    household_class: HouseholdClass
    measure: Measure
    deprivation_count: int
    b2_score: int


def classify(
    rule: StandardRule,
    *,
    urban: bool,
    income: int | None,
    b1_score: int | None,
    deprived: Iterable[str],
) -> Classification:
    """Classify one household's review result under ``rule``."""
    if urban is None:
        raise ClassificationError(
            "missing_area_type", "Thiếu thông tin hộ ở thành thị hay nông thôn."
        )
    if income is None and b1_score is None:
        raise ClassificationError(
            "missing_measure", "Cần nhập thu nhập bình quân đầu người hoặc điểm B1."
        )
    if income is not None and income < 0:
        raise ClassificationError("negative_income", "Thu nhập không được âm.")
    if b1_score is not None and b1_score < 0:
        raise ClassificationError("negative_b1", "Điểm B1 không được âm.")
    deprived_set = frozenset(deprived)
    unknown = deprived_set - rule.indicator_codes
    if unknown:
        raise ClassificationError(
            "unknown_indicator",
            "Chỉ số không thuộc chuẩn nghèo đang áp dụng: " + ", ".join(sorted(unknown)),
            params={"codes": ", ".join(sorted(unknown))},
        )

    count = len(deprived_set)
    b2 = count * rule.b2_points_per_indicator
    line = rule.urban_line if urban else rule.rural_line

    if b1_score is not None:
        b1_max = rule.b1_urban_max if urban else rule.b1_rural_max
        if b1_max is None:
            raise ClassificationError(
                "no_b1_threshold", "Chuẩn nghèo này chưa có ngưỡng điểm B1; hãy nhập thu nhập."
            )
        under_line, measure = b1_score <= b1_max, Measure.B1_SCORE
    else:
        under_line, measure = income <= line, Measure.INCOME

    if under_line:
        poor = count >= rule.deprivation_cutoff
        cls = HouseholdClass.POOR if poor else HouseholdClass.NEAR_POOR
        return Classification(cls, measure, count, b2)

    if income is None:
        return Classification(HouseholdClass.NOT_POOR, measure, count, b2)
    if income <= line:
        # The B1 score put the household above the line although the estimated income is not:
        # the score decided, and the household is not in the average band.
        return Classification(HouseholdClass.NOT_POOR, measure, count, b2)
    upper = rule.urban_average_upper if urban else rule.rural_average_upper
    if upper is not None and income <= upper:
        return Classification(HouseholdClass.AVERAGE, Measure.INCOME, count, b2)
    return Classification(HouseholdClass.NOT_POOR, Measure.INCOME, count, b2)
