"""Indicators that can be read off member and dwelling data (domain.md §2).

Returns, per indicator code, True (deprived), False (not deprived) or None (the data cannot tell).
The review form shows these beside the officer's ticks; answering against them needs a reason.
Indicator 1.2 (dependants) is not derived: its definition of a dependant is unconfirmed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from .models import Household, Member


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def derived_indicators(
    household: Household, members: Sequence[Member], on: datetime.date
) -> dict[str, bool | None]:
    ages = [(m, age_on(m.date_of_birth, on)) for m in members]
    result: dict[str, bool | None] = {}

    # 1.1: a working-age member unemployed, or working for wages without a contract.
    statuses = [m.work_status for m in members if m.work_status]
    result["1.1"] = (
        any(s in (Member.Work.UNEMPLOYED, Member.Work.EMPLOYED_NO_CONTRACT) for s in statuses)
        if statuses
        else None
    )
    # 2.2: a member aged 6 or over without a health-insurance card.
    known = [(m, a) for m, a in ages if a is not None]
    result["2.2"] = any(a >= 6 and not m.has_health_insurance for m, a in known) if known else None
    # 3.2: a child aged 3 to under 16 not at school.
    children = [m for m, a in known if 3 <= a < 16]
    if children and all(m.schooling for m in children):
        result["3.2"] = any(m.schooling != Member.Schooling.IN_SCHOOL for m in children)
    else:
        result["3.2"] = False if known and not children else None
    # 4.1: a non-durable dwelling.
    result["4.1"] = (
        household.house_material == Household.Material.NON_DURABLE
        if household.house_material
        else None
    )
    # 4.2: floor area per person under 8 m².
    result["4.2"] = (
        float(household.floor_area_m2) / len(members) < 8
        if household.floor_area_m2 and members
        else None
    )
    # 5.1: no clean domestic water; 5.2: no hygienic latrine.
    result["5.1"] = (
        household.water_source == Household.Water.UNSAFE if household.water_source else None
    )
    result["5.2"] = household.latrine != Household.Latrine.HYGIENIC if household.latrine else None
    return result
