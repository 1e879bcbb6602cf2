"""What a poor or near-poor household lacks to change class, as one pure function beside the rule
(``indicators.rules``), from the same standard; no Django, no database.

Read off the rule (Decree 07/2021, art. 3):

- a **poor** household (income under the line, deprived in ≥ the cut-off) leaves poverty for
  near-poverty when it is deprived in fewer than the cut-off: it must lift ``count − cut-off + 1``
  of the indicators it is deprived in, any of them. It leaves both lists at once when its income
  rises above the line, whatever its deprivations;
- a **near-poor** household leaves near-poverty only by its income rising above the line:
  deprivations do not place a household above the line.

The income gap is what the household's income per person per month must rise by to be above the
line (one đồng more than the line, the rule's ``income <= line``); for the household per year it is
that gap times its members times twelve. When the class was decided by the B1 score (the official
form's income score) the gap is also given in points (``b1_gap``); the income gap then needs an
estimated income and is ``None`` without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .rules import Classification, HouseholdClass, Measure, StandardRule


@dataclass(frozen=True)
class Needs:
    """What one household lacks to move up one class (``to_class``), and to leave both lists."""

    household_class: HouseholdClass
    #: the class the smallest change reaches: near-poor for a poor household, out of both lists
    #: (average or not poor) for a near-poor one; ``None`` for a household on neither list
    to_class: HouseholdClass | None
    #: deprivations to lift to leave poverty for near-poverty (0 for near-poor households)
    deprivations_to_lift: int
    #: the indicators the household is deprived in, any ``deprivations_to_lift`` of which will do
    deprived: tuple[str, ...]
    #: đồng per person per month for the income to be above the line; None without an income
    income_gap_month: int | None
    #: the same for the household over a year (members × 12); None without an income
    income_gap_year: int | None
    #: points of the B1 score above its threshold needed (when the B1 score decided the class)
    b1_gap: int | None

    @property
    def on_a_list(self) -> bool:
        return self.to_class is not None


def needs(
    rule: StandardRule,
    classification: Classification,
    *,
    urban: bool,
    income: int | None,
    b1_score: int | None,
    deprived: Iterable[str],
    members: int,
) -> Needs:
    """The needs of a household whose result ``classify(rule, …)`` gave ``classification``."""
    cls = classification.household_class
    deprived_codes = tuple(sorted(frozenset(deprived)))
    if cls not in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR):
        return Needs(cls, None, 0, deprived_codes, None, None, None)

    line = rule.urban_line if urban else rule.rural_line
    gap_month = None if income is None else max(0, line + 1 - income)
    gap_year = None if gap_month is None else gap_month * max(members, 0) * 12
    b1_gap = None
    if classification.measure == Measure.B1_SCORE and b1_score is not None:
        b1_max = rule.b1_urban_max if urban else rule.b1_rural_max
        b1_gap = max(0, b1_max + 1 - b1_score)

    if cls == HouseholdClass.POOR:
        to_lift = max(0, len(deprived_codes) - rule.deprivation_cutoff + 1)
        return Needs(
            cls, HouseholdClass.NEAR_POOR, to_lift, deprived_codes, gap_month, gap_year, b1_gap
        )
    above = _above_line(rule, urban=urban)
    return Needs(cls, above, 0, deprived_codes, gap_month, gap_year, b1_gap)


def _above_line(rule: StandardRule, *, urban: bool) -> HouseholdClass:
    """The class a household reaches when its income rises just above the line: the average band
    when the standard has one (one đồng above the line is inside it), otherwise not poor."""
    upper = rule.urban_average_upper if urban else rule.rural_average_upper
    return HouseholdClass.AVERAGE if upper is not None else HouseholdClass.NOT_POOR
