"""The Vĩnh Hảo demo commune, generated deterministically from ``fixtures/demo_vinh_hao.json``.

Households and people are synthetic sample data; the end-2023 review reproduces every count of
section I of plan 193/KH-UBND exactly: households and members per class, and per indicator the
poor and near-poor households deprived. Every poor household is deprived in at least 3 indicators,
every near-poor one in at most 2, and dwelling and member facts agree with the deprivations.
"""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

from django.conf import settings

from .followup import load_followup
from .households import HouseholdPlan, build_household, plan_household, review_entries
from .projects import remove_projects_samples

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_vinh_hao.json"
SEED = 20231214
ETHNICITIES = ["Tày"] * 5 + ["Kinh"] * 3 + ["Dao"] * 2 + ["Nùng"]


def load_spec() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """``parts`` sizes of at least 1 summing to ``total``, close to the mean, in random order."""
    base, extra = divmod(total, parts)
    sizes = [base + (1 if i < extra else 0) for i in range(parts)]
    # Vary sizes pairwise (+1/-1) so they look like households, keeping the sum.
    for _ in range(parts):
        i, j = rng.randrange(parts), rng.randrange(parts)
        if i != j and sizes[j] > 2 and sizes[i] < 8:
            sizes[i] += 1
            sizes[j] -= 1
    rng.shuffle(sizes)
    return sizes


def _assign_deprivations(n_households: int, counts: dict[str, int]) -> list[list[str]]:
    """Give each indicator's count to the households with the fewest deprivations so far, so the
    per-indicator counts are exact and deprivations are spread as evenly as they can be."""
    assigned: list[list[str]] = [[] for _ in range(n_households)]
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        order = sorted(range(n_households), key=lambda h: (len(assigned[h]), h))
        for h in order[:count]:
            assigned[h].append(code)
    return [sorted(d) for d in assigned]


def plan_demo(spec: dict | None = None) -> list[HouseholdPlan]:
    spec = spec or load_spec()
    review = spec["review_2023"]
    villages = spec["areas"]["villages"]
    rng = random.Random(SEED)
    total = sum(v["households"] for v in villages)
    assert total == review["total_households"], "village sizes must add up to the commune total"

    poor, near = review["poor"], review["near_poor"]
    n_poor, n_near, n_avg = poor["households"], near["households"], review["average_households"]
    order = list(range(total))
    rng.shuffle(order)
    klass = ["not_poor"] * total
    for i in order[:n_poor]:
        klass[i] = "poor"
    for i in order[n_poor : n_poor + n_near]:
        klass[i] = "near_poor"
    for i in order[n_poor + n_near : n_poor + n_near + n_avg]:
        klass[i] = "average"

    poor_ids = sorted(i for i in range(total) if klass[i] == "poor")
    near_ids = sorted(i for i in range(total) if klass[i] == "near_poor")
    deprived: dict[int, list[str]] = {}
    sizes: dict[int, int] = {}
    for ids, group in ((poor_ids, poor), (near_ids, near)):
        for i, d in zip(ids, _assign_deprivations(len(ids), group["deprived"]), strict=True):
            deprived[i] = d
        for i, s in zip(ids, _spread(group["members"], len(ids), rng), strict=True):
            sizes[i] = s
    codes = sorted(poor["deprived"])
    for i in range(total):
        if i not in deprived:
            # Households above the line may still lack something; it does not change their class.
            k = rng.choices([0, 1, 2], weights=[70, 22, 8])[0]
            deprived[i] = sorted(rng.sample([c for c in codes if c != "2.2"], k))
            sizes[i] = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[4, 12, 22, 30, 18, 9, 5])[0]

    reference = datetime.date.fromisoformat(review["reference_date"])
    plans: list[HouseholdPlan] = []
    serial = 0
    index = 0
    for v_index, village in enumerate(villages):
        for n in range(1, village["households"] + 1):
            i = index
            index += 1
            cls = klass[i]
            # Every range is drawn whatever the class: the demo's households depend on it.
            income = {
                "poor": rng.randrange(650_000, 1_500_001, 10_000),
                "near_poor": rng.randrange(900_000, 1_500_001, 10_000),
                "average": rng.randrange(1_510_000, 2_250_001, 10_000),
                "not_poor": rng.randrange(2_260_000, 7_000_001, 10_000),
            }[cls]
            plan = plan_household(
                rng,
                village_index=v_index,
                number=n,
                intended_class=cls,
                income=income,
                deprived=deprived[i],
                ethnicity=rng.choice(ETHNICITIES),
                size=sizes[i],
                reference=reference,
            )
            plan.code = f"VH{v_index + 1:02d}-{n:04d}"
            for m in plan.members:
                # Numbered in the order of the commune's people, whether or not they hold one.
                serial += 1
                m.citizen_id = _citizen_id(m.sex, m.date_of_birth, serial) if m.age >= 14 else ""
            plans.append(plan)
    return plans


def _citizen_id(sex: str, born: datetime.date, serial: int) -> str:
    # Province 002 (Hà Giang), then century/sex digit, two-digit year of birth, 6-digit serial.
    century = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
    return f"002{century}{born.year % 100:02d}{serial:06d}"


def load_demo(*, reset: bool = False, log=print) -> dict:
    """Create the demo commune, its households, the end-2023 review and the demo users.

    Idempotent: when the demo is already there it only makes sure the users exist.
    """
    from django.db import transaction

    from accounts.models import Membership, User
    from areas.models import Area
    from households import summary
    from households.models import Assessment, Deprivation, Household, Member, ReviewCycle

    spec = load_spec()
    a = spec["areas"]
    with transaction.atomic(), summary.collecting():
        successor = _area(Area.Kind.PROVINCE, a["successor_province"], None)
        province = _area(Area.Kind.PROVINCE, a["province"], None, merged_into=successor)
        district = _area(Area.Kind.DISTRICT, a["district"], province)
        commune = _area(Area.Kind.COMMUNE, a["commune"], district)
        villages = [
            _area(Area.Kind.VILLAGE, {"name": v["name"], "code": ""}, commune)
            for v in a["villages"]
        ]
        year = spec["review_2023"]["year"]
        existing = ReviewCycle.objects.filter(commune=commune, year=year, kind="periodic").first()
        if reset and existing is not None:
            remove_projects_samples(commune)
            cycles = ReviewCycle.objects.filter(commune=commune)
            Deprivation.objects.filter(assessment__cycle__in=cycles).delete()
            Assessment.objects.filter(cycle__in=cycles).delete()
            cycles.delete()
            Member.objects.filter(household__commune=commune, household__is_sample=True).delete()
            Household.objects.filter(commune=commune, is_sample=True).delete()
            summary.touch(summary.villages_of_commune(commune.pk))  # rows written past services
            existing = None
        loaded = existing is not None and existing.assessments.exists()
        if not loaded:
            _load_households_and_review(spec, commune, villages, log)
        users = _demo_users(
            spec,
            {"commune": commune, "district": district, "province": province, "villages": villages},
            User,
            Membership,
        )
    load_followup(commune=commune, log=log)
    _open_current_review(commune, log)
    return {"commune": commune, "already_loaded": loaded, "users": users}


def _area(kind, data, parent, merged_into=None):
    from areas.models import Area

    lookup = {"kind": kind, "parent": parent, "name": data["name"]}
    area = Area.objects.filter(**lookup).first() or Area(**lookup)
    area.code = data.get("code", "")
    area.is_urban = data.get("is_urban", False)
    area.valid_from = data.get("valid_from")
    area.valid_to = data.get("valid_to")
    area.merged_into = merged_into
    area.full_clean(exclude=["path"])
    area.save()
    return area


def _load_households_and_review(spec, commune, villages, log):
    from households import services

    plans = plan_demo(spec)
    households, members = [], []
    for p in plans:
        village = villages[p.village_index]
        household, people = build_household(
            p, commune=commune, village=village, code=p.code, address=village.name
        )
        households.append(household)
        members.extend(people)
    services.registry_bulk_load(households=households, members=members)
    review = spec["review_2023"]
    cycle = services.review_cycle_create(
        commune=commune,
        year=review["year"],
        reference_date=datetime.date.fromisoformat(review["reference_date"]),
    )
    entries = review_entries(households, plans)
    services.assessments_record(cycle=cycle, entries=entries)
    services.review_cycle_finalise(cycle=cycle, user=None)
    log(f"Đã tạo {len(households)} hộ, {len(members)} thành viên và kết quả rà soát {cycle.year}.")


def _demo_users(spec, areas, User, Membership):
    created = []
    for u in spec["users"]:
        where = u["area"]
        area = (
            areas["villages"][int(where.split(":")[1])]
            if where.startswith("village:")
            else areas[where]
        )
        user, new = User.objects.get_or_create(username=u["username"])
        if new:  # hashing is slow on purpose; an existing demo user keeps its password
            user.first_name = u["name"]
            user.is_superuser = user.is_staff = bool(u.get("superuser"))
            user.set_password(spec["password"])
            user.save()
        Membership.objects.get_or_create(user=user, area=area, role=u["role"])
        created.append((u["username"], u["role"], area.name))
    return created


def _open_current_review(commune, log=print) -> None:
    """The periodic review of the current year, open and partly surveyed
    (:func:`demo.review.survey_current`), so that the demo shows review entry as a commune has it
    between September and December next to the decided 2024 review."""
    from django.utils import timezone

    from households import services
    from households.models import ReviewCycle

    from .review import survey_current

    year = timezone.localdate().year
    cycle = ReviewCycle.objects.filter(commune=commune, year=year, kind="periodic").first()
    if cycle is None:
        cycle = services.review_cycle_create(commune=commune, year=year)
    survey_current(cycle, log)
