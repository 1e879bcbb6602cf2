"""One way to make a sample household, shared by the demo commune and the generated areas.

``plan_household`` draws a household's people (names, sexes, ages, relations, schooling, work,
health insurance) and its dwelling from a random stream, so that what the registry records agrees
with the indicators the household is deprived in: a non-durable house for 4.1, under 8 m² a person
for 4.2, unsafe water for 5.1, no hygienic latrine for 5.2, a member aged 6 or over without a
health-insurance card for 2.2, a head of working age working without a contract for 1.1. Schooling
does not show 3.2: every child of 3 to 15 is at school, as the demo has always had it. The draws,
in their order, are part of the demo's output: changing them changes the demo's households.

``build_household`` turns a plan into the unsaved ``Household`` and ``Member`` rows that
``households.services.registry_bulk_load`` writes. Names of people are synthetic, drawn from the
tables below.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from areas.models import Area
from households import services
from households.models import Household, Member

FAMILY_NAMES = [
    "Nguyễn",
    "Hoàng",
    "Nông",
    "Lục",
    "Triệu",
    "Bàn",
    "Lý",
    "Đặng",
    "Vương",
    "Ma",
    "Phùng",
    "Lương",
    "Trần",
    "Lê",
    "Đỗ",
    "Phạm",
]
MIDDLE_M = ["Văn", "Đức", "Quang", "Minh", "Xuân", "Hữu"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Minh", "Hồng"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Mạnh",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thắng",
    "Tiến",
    "Tuấn",
    "Việt",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hằng",
    "Hoa",
    "Huệ",
    "Lan",
    "Liên",
    "Mai",
    "Nga",
    "Nhung",
    "Oanh",
    "Phương",
    "Thảo",
    "Thủy",
    "Yến",
]


@dataclass
class PersonPlan:
    full_name: str
    sex: str
    date_of_birth: datetime.date
    age: int  # whole years on the reference date
    relation: str
    schooling: str
    work_status: str
    has_health_insurance: bool = True
    citizen_id: str = ""  # numbered by the caller, whose scheme depends on the area


@dataclass
class HouseholdPlan:
    village_index: int
    number: int  # within the village, from 1
    # The class the income and deprivations were drawn for; the stored class is the rule's.
    intended_class: str
    income: int
    deprived: list[str]
    ethnicity: str
    members: list[PersonPlan] = field(default_factory=list)
    floor_area_m2: Decimal = Decimal(0)
    house_material: str = Household.Material.DURABLE
    water_source: str = Household.Water.PIPED
    latrine: str = Household.Latrine.HYGIENIC
    code: str = ""  # set by a caller whose codes do not depend on where the area is written

    @property
    def head_name(self) -> str:
        return self.members[0].full_name


def plan_household(
    rng: random.Random,
    *,
    village_index: int,
    number: int,
    intended_class: str,
    income: int,
    deprived: list[str],
    ethnicity: str,
    size: int,
    reference: datetime.date,
) -> HouseholdPlan:
    """A household of ``size`` people sharing one family name, and its dwelling, with ages on
    ``reference``."""
    family = rng.choice(FAMILY_NAMES)
    plan = HouseholdPlan(
        village_index=village_index,
        number=number,
        intended_class=intended_class,
        income=income,
        deprived=deprived,
        ethnicity=ethnicity,
        members=_members(rng, size, family, deprived, reference),
    )
    _dwelling(rng, plan)
    return plan


def build_household(
    plan: HouseholdPlan, *, commune: Area, village: Area, code: str, address: str
) -> tuple[Household, list[Member]]:
    """The plan as unsaved rows, for ``households.services.registry_bulk_load``."""
    household = Household(
        commune=commune,
        village=village,
        code=code,
        head_name=plan.head_name,
        address=address,
        ethnicity=plan.ethnicity,
        is_urban=commune.is_urban,
        floor_area_m2=plan.floor_area_m2,
        house_material=plan.house_material,
        water_source=plan.water_source,
        latrine=plan.latrine,
        is_sample=True,
    )
    members = [
        Member(
            household=household,
            full_name=m.full_name,
            sex=m.sex,
            date_of_birth=m.date_of_birth,
            relation_to_head=m.relation,
            citizen_id=m.citizen_id,
            ethnicity=plan.ethnicity,
            has_health_insurance=m.has_health_insurance,
            schooling=m.schooling,
            work_status=m.work_status,
        )
        for m in plan.members
    ]
    return household, members


def review_entries(households: list[Household], plans: list[HouseholdPlan]) -> list:
    """The review results the plans intend, one entry per saved household, in the same order."""
    return [
        services.AssessmentEntry(
            household=h,
            income_per_capita=p.income,
            deprived=p.deprived,
            member_count=len(p.members),
        )
        for h, p in zip(households, plans, strict=True)
    ]


def _name(rng: random.Random, family: str, sex: str) -> str:
    middle = rng.choice(MIDDLE_M if sex == "M" else MIDDLE_F)
    given = rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
    return f"{family} {middle} {given}"


def _members(
    rng: random.Random, size: int, family: str, deprived: list[str], reference: datetime.date
) -> list[PersonPlan]:
    members: list[PersonPlan] = []
    for k in range(size):
        if k == 0:
            sex, age, relation = rng.choice("MMMF"), rng.randrange(28, 75), Member.Relation.HEAD
        elif k == 1 and size > 2:
            sex = "F" if members[0].sex == "M" else "M"
            age, relation = rng.randrange(25, 70), Member.Relation.SPOUSE
        else:
            sex, age, relation = rng.choice("MF"), rng.randrange(1, 24), Member.Relation.CHILD
            if rng.random() < 0.12:
                age, relation = rng.randrange(60, 90), Member.Relation.PARENT
        born = reference - datetime.timedelta(days=age * 365 + rng.randrange(0, 364))
        if age < 3:
            schooling = Member.Schooling.NONE
        elif age < 18:
            schooling = Member.Schooling.IN_SCHOOL
        else:
            schooling = Member.Schooling.LOWER_SECONDARY
        if age < 15 or age >= 60:
            work = Member.Work.NOT_IN_LABOUR_FORCE
        elif k == 0 and "1.1" in deprived:
            work = Member.Work.EMPLOYED_NO_CONTRACT
        else:
            work = Member.Work.SELF_EMPLOYED
        members.append(
            PersonPlan(
                full_name=_name(rng, family, sex),
                sex=sex,
                date_of_birth=born,
                age=age,
                relation=relation,
                schooling=schooling,
                work_status=work,
            )
        )
    if "2.2" in deprived:
        # 2.2: a member aged 6 or over without a health-insurance card.
        older = [m for m in members if (reference - m.date_of_birth).days >= 6 * 365]
        (older[-1] if older else members[0]).has_health_insurance = False
    return members


def _dwelling(rng: random.Random, plan: HouseholdPlan) -> None:
    size, d = len(plan.members), plan.deprived
    plan.house_material = (
        Household.Material.NON_DURABLE
        if "4.1" in d
        else rng.choice(
            [Household.Material.DURABLE, Household.Material.DURABLE, Household.Material.SEMI]
        )
    )
    per_person = rng.uniform(4.0, 7.5) if "4.2" in d else rng.uniform(9.0, 30.0)
    plan.floor_area_m2 = Decimal(f"{per_person * size:.1f}")
    plan.water_source = (
        Household.Water.UNSAFE
        if "5.1" in d
        else rng.choice([Household.Water.PIPED, Household.Water.PROTECTED])
    )
    plan.latrine = (
        rng.choice([Household.Latrine.UNHYGIENIC, Household.Latrine.NONE])
        if "5.2" in d
        else Household.Latrine.HYGIENIC
    )
