"""The one household builder of the demo and the generator: what it records agrees with the
deprivations it was given, and the rows it builds are the plan's."""

import datetime
import random

from areas.models import Area
from demo.households import build_household, plan_household
from households.derive import derived_indicators

REFERENCE = datetime.date(2023, 12, 14)
CODES = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]


def plans(seed: int, n: int):
    rng = random.Random(seed)
    for number in range(1, n + 1):
        yield plan_household(
            rng,
            village_index=0,
            number=number,
            intended_class="poor",
            income=1_000_000,
            deprived=sorted(rng.sample(CODES, rng.randrange(0, 7))),
            ethnicity="Tày",
            size=rng.randrange(1, 9),
            reference=REFERENCE,
        )


def built(plan):
    commune, village = Area(kind=Area.Kind.COMMUNE, name="Xã"), Area(kind=Area.Kind.VILLAGE)
    return build_household(plan, commune=commune, village=village, code="X-1", address="Thôn")


def test_the_dwelling_and_members_show_each_deprivation_they_can_when_planned():
    for plan in plans(seed=1, n=400):
        household, members = built(plan)
        derived = derived_indicators(household, members, REFERENCE)
        for code in ("4.1", "4.2", "5.1", "5.2"):
            assert derived[code] == (code in plan.deprived), (code, plan)
        uninsured = any(not m.has_health_insurance for m in members)
        assert uninsured == ("2.2" in plan.deprived)
        # 1.1 shows only when the head is of working age; it never shows without the deprivation.
        assert not derived["1.1"] or "1.1" in plan.deprived


def test_the_rows_built_are_the_plans_when_built():
    for plan in plans(seed=2, n=50):
        household, members = built(plan)
        assert household.head_name == members[0].full_name == plan.members[0].full_name
        assert household.is_sample and household.code == "X-1"
        assert [m.full_name for m in members] == [p.full_name for p in plan.members]
        assert all(m.household is household and m.ethnicity == "Tày" for m in members)
        assert members[0].relation_to_head == "head"
        family = members[0].full_name.split()[0]
        assert all(m.full_name.split()[0] == family for m in members)


def test_the_same_stream_plans_the_same_households():
    def key(p):
        return (p.deprived, p.floor_area_m2, [(m.full_name, m.date_of_birth) for m in p.members])

    assert [key(p) for p in plans(seed=3, n=100)] == [key(p) for p in plans(seed=3, n=100)]
