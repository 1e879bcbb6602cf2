"""Large synthetic areas for benchmarks: a province (~200,000 households) or a district (~30,000).

Everything generated is sample data and says so: the units are named "Tỉnh Tổng hợp 99",
"Xã Tổng hợp 99001"…, the villages "Thôn Mẫu 01", every household has ``is_sample=True``. Its
people and dwellings are made by ``demo.households``, as the demo commune's are. The same seed gives
the same area, household for household; the province code changes only the codes, so two areas
built with one seed hold the same data.

The shape follows design.md's scale figures: communes of about 1,000–1,500 households in villages of
about 100–150, households of about 4 members, and a periodic review whose mix is roughly 5–10 % poor
and 2–4 % near-poor per commune. The generator only plans incomes and deprivations; the class of
each household is decided by the rule, because every row is written through ``services.py``
(``registry_bulk_load`` then ``assessments_record``, one commune at a time).
"""

from __future__ import annotations

import datetime
import multiprocessing
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from areas.models import Area
from households import services, summary
from households.models import Member
from indicators.models import PovertyStandard
from indicators.rules import StandardRule

from .households import (
    HouseholdPlan,
    PersonPlan,
    build_household,
    plan_household,
    review_entries,
)

LEVELS = ("province", "district")
COMMUNE_MEAN, VILLAGE_MEAN = 1250, 125  # households; sizes vary about ±16 % around these
COMMUNES_PER_DISTRICT = 12
MAX_COMMUNES = 999  # commune codes are the province code and a three-digit number
URBAN_SHARE = 0.10  # share of communes that are wards (phường)

# Chance that a poor / near-poor household is deprived in each indicator: the seed's end-2023
# rates for Vĩnh Hảo (section I), softened for near-poor 2.2 so that not every household lacks it.
# An indicator missing here (a later standard's new one) gets DEFAULT_RATE.
POOR_RATES = {
    "1.1": 0.38,
    "1.2": 0.34,
    "2.1": 0.10,
    "2.2": 0.90,
    "3.1": 0.22,
    "3.2": 0.02,
    "4.1": 0.54,
    "4.2": 0.23,
    "5.1": 0.19,
    "5.2": 0.27,
    "6.1": 0.37,
    "6.2": 0.08,
}
NEAR_RATES = {
    "1.1": 0.03,
    "1.2": 0.19,
    "2.1": 0.03,
    "2.2": 0.60,
    "3.1": 0.03,
    "3.2": 0.03,
    "4.1": 0.25,
    "4.2": 0.03,
    "5.1": 0.11,
    "5.2": 0.06,
    "6.1": 0.06,
    "6.2": 0.01,
}
DEFAULT_RATE = 0.10
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
HOUSEHOLD_SIZE_WEIGHTS = (5, 12, 20, 28, 18, 10, 5, 2)  # mean 4.02 members
ETHNICITIES = ("Kinh", "Tày", "Nùng", "Dao", "Mông", "Thái")
ETHNICITY_WEIGHTS = (40, 20, 12, 10, 10, 8)


@dataclass
class CommunePlan:
    index: int
    district_index: int | None
    is_urban: bool
    village_sizes: list[int]
    poor_rate: float
    near_rate: float
    average_rate: float

    @property
    def households(self) -> int:
        return sum(self.village_sizes)


@dataclass
class GenerationResult:
    area: Area | None
    districts: int = 0
    communes: int = 0
    villages: int = 0
    households: int = 0
    members: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def split(total: int, parts: int, rng: random.Random, spread: float = 0.16) -> list[int]:
    """``parts`` positive integers summing to ``total``, each within about ±``spread`` of the
    mean (largest-remainder rounding of random weights)."""
    parts = max(1, min(parts, total))
    weights = [rng.uniform(1 - spread, 1 + spread) for _n in range(parts)]
    scale = (total - parts) / sum(weights)  # one is reserved per part so none ends up empty
    raw = [w * scale for w in weights]
    sizes = [1 + int(r) for r in raw]
    short = total - sum(sizes)
    for i in sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:short]:
        sizes[i] += 1
    return sizes


def plan_layout(households: int, seed: int, *, with_districts: bool = True) -> list[CommunePlan]:
    """The communes (with their district and village sizes) of an area of ``households``."""
    rng = random.Random(f"layout:{seed}")
    commune_sizes = split(households, max(1, round(households / COMMUNE_MEAN)), rng)
    if len(commune_sizes) > MAX_COMMUNES:
        raise ValidationError(
            _("Tối đa %(max)s xã cho một tỉnh tổng hợp (khoảng %(households)s hộ).")
            % {"max": MAX_COMMUNES, "households": MAX_COMMUNES * COMMUNE_MEAN}
        )
    n_districts = max(1, round(len(commune_sizes) / COMMUNES_PER_DISTRICT))
    per_district = split(len(commune_sizes), n_districts, rng, spread=0.0)
    district_of = [d for d, n in enumerate(per_district) for _n in range(n)]
    plans = []
    for index, size in enumerate(commune_sizes):
        plans.append(
            CommunePlan(
                index=index,
                district_index=district_of[index] if with_districts else None,
                is_urban=rng.random() < URBAN_SHARE,
                village_sizes=split(size, max(1, round(size / VILLAGE_MEAN)), rng),
                poor_rate=rng.uniform(0.05, 0.10),
                near_rate=rng.uniform(0.02, 0.04),
                average_rate=rng.uniform(0.08, 0.15),
            )
        )
    return plans


def plan_households(
    commune: CommunePlan, rule: StandardRule, seed: int, reference: datetime.date
) -> list[HouseholdPlan]:
    """The households of one commune. Each commune has its own random stream, so a commune's
    households do not depend on how many communes came before it."""
    rng = random.Random(f"commune:{seed}:{commune.index}")
    codes = sorted(rule.indicator_codes)
    line = rule.urban_line if commune.is_urban else rule.rural_line
    upper = rule.urban_average_upper if commune.is_urban else rule.rural_average_upper
    plans = []
    for v_index, size in enumerate(commune.village_sizes):
        for number in range(1, size + 1):
            draw = rng.random()
            if draw < commune.poor_rate:
                klass = "poor"
            elif draw < commune.poor_rate + commune.near_rate:
                klass = "near_poor"
            elif upper and draw < commune.poor_rate + commune.near_rate + commune.average_rate:
                klass = "average"
            else:
                klass = "not_poor"
            income = _income(rng, klass, line, upper)
            deprived = _deprivations(rng, klass, codes, rule.deprivation_cutoff)
            ethnicity = rng.choices(ETHNICITIES, ETHNICITY_WEIGHTS)[0]
            plans.append(
                plan_household(
                    rng,
                    village_index=v_index,
                    number=number,
                    intended_class=klass,
                    income=income,
                    deprived=deprived,
                    ethnicity=ethnicity,
                    size=rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SIZE_WEIGHTS)[0],
                    reference=reference,
                )
            )
    return plans


def _income(rng: random.Random, klass: str, line: int, upper: int | None) -> int:
    step = 10_000
    top = upper or line
    if klass in ("poor", "near_poor"):
        return rng.randrange(line * 43 // 100 // step * step, line + 1, step)
    if klass == "average":
        return rng.randrange(line + step, top + 1, step)
    return rng.randrange(top + step, top * 3 + 1, step)


def _deprivations(rng: random.Random, klass: str, codes: list[str], cutoff: int) -> list[str]:
    if klass == "poor":
        chosen = [c for c in codes if rng.random() < POOR_RATES.get(c, DEFAULT_RATE)]
        # Under the line a household is poor only with ``cutoff`` deprivations (Decree 07/2021,
        # art. 3), so a poor plan gets more of the common ones until it has them.
        while len(chosen) < cutoff:
            rest = [c for c in codes if c not in chosen]
            chosen.append(rng.choices(rest, [POOR_RATES.get(c, DEFAULT_RATE) for c in rest])[0])
    elif klass == "near_poor":
        chosen = [c for c in codes if rng.random() < NEAR_RATES.get(c, DEFAULT_RATE)]
        while len(chosen) >= cutoff:
            chosen.remove(rng.choice(chosen))
    else:
        # Households above the line may lack something too; it does not change their class.
        k = rng.choices((0, 1, 2), (70, 22, 8))[0]
        chosen = rng.sample(codes, min(k, cutoff - 1, len(codes)))
    return sorted(chosen)


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneTask:
    """What one commune needs to be written, in one transaction, by this or a worker process."""

    plan: CommunePlan
    code: str
    parent_id: int
    province_code: str
    rule: StandardRule
    seed: int
    year: int


def generate_area(
    *,
    households: int,
    province_code: str = "99",
    year: int = 2023,
    seed: int = 1,
    level: str = "province",
    with_districts: bool = True,
    workers: int = 1,
    resume: bool = False,
    log: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Build a synthetic province (or one district in a new synthetic province) with
    ``households`` households and the periodic review of ``year``.

    Refuses with a ValidationError when the province code (or a code it would create) is taken.
    With one worker everything is one transaction, so a failure leaves nothing behind. With more
    (PostgreSQL only) each commune is its own transaction, written by a pool of processes; if one
    fails the communes already written stay, and ``resume=True`` with the same parameters writes
    the missing ones.
    """
    log = log or (lambda message: None)
    started = time.perf_counter()
    if households < 1:
        raise ValidationError(_("Số hộ phải lớn hơn 0."))
    if level not in LEVELS:
        raise ValidationError(_("Cấp phải là “province” hoặc “district”."))
    if not re.fullmatch(r"\d{2}", province_code or ""):
        raise ValidationError(_("Mã tỉnh phải gồm đúng 2 chữ số."))
    if workers < 1:
        raise ValidationError(_("Số tiến trình phải lớn hơn 0."))
    standard = PovertyStandard.objects.for_year(year)
    if standard is None:
        raise ValidationError(
            _("Không có chuẩn nghèo nào áp dụng cho năm %(year)s.") % {"year": year}
        )
    rule = standard.rule()
    layout = plan_layout(households, seed, with_districts=with_districts or level == "district")
    if level == "district":
        for commune in layout:
            commune.district_index = 0
    codes = _codes(province_code, layout)
    if not resume:
        _refuse_taken_codes(province_code, codes)
    if workers > 1 and connection.vendor != "postgresql":
        log(_("Cơ sở dữ liệu này chỉ cho một tiến trình ghi; chạy với 1 tiến trình."))
        workers = 1

    result = GenerationResult(area=None)

    def progress(counts: dict, total: int) -> None:
        result.communes += 1
        for key in ("villages", "households", "members"):
            setattr(result, key, getattr(result, key) + counts[key])
        for klass, n in counts["classes"].items():
            result.classes[klass] = result.classes.get(klass, 0) + n
        if result.communes % 10 == 0 or result.communes == total:
            log(
                _("%(done)s/%(total)s xã, %(households)s hộ, %(seconds).0f giây")
                % {
                    "done": result.communes,
                    "total": total,
                    "households": result.households,
                    "seconds": time.perf_counter() - started,
                }
            )

    with transaction.atomic():
        province, districts = _upper_areas(codes, layout, resume)
        result.area = districts[0] if level == "district" else province
        result.districts = len(districts)
        tasks = _tasks(layout, codes, province, districts, rule, seed, year, resume)
        if len(tasks) < len(layout):
            log(
                _("Đã có %(n)s xã từ lần chạy trước; chỉ ghi %(m)s xã còn thiếu.")
                % {"n": len(layout) - len(tasks), "m": len(tasks)}
            )
        if workers == 1:
            for task in tasks:
                progress(write_commune(task), len(tasks))
    if workers > 1:
        _write_in_parallel(tasks, workers, lambda counts: progress(counts, len(tasks)))
    result.seconds = time.perf_counter() - started
    return result


def _upper_areas(codes: dict, layout: list[CommunePlan], resume: bool) -> tuple[Area, dict]:
    """The province and its districts: new ones, or on ``resume`` those of the earlier run."""
    province_name = _("Tỉnh Tổng hợp %(code)s") % {"code": codes["province"]}
    province = None
    if resume:
        province = Area.objects.filter(
            kind=Area.Kind.PROVINCE, code=codes["province"], valid_to__isnull=True
        ).first()
        if province is not None and province.name != province_name:
            raise ValidationError(
                _("Tỉnh mã %(code)s (“%(name)s”) không phải địa bàn tổng hợp; không ghi thêm.")
                % {"code": province.code, "name": province.name}
            )
    province = province or _new_area(Area.Kind.PROVINCE, codes["province"], province_name, None)
    districts = {}
    for d in sorted({c.district_index for c in layout if c.district_index is not None}):
        code = codes["districts"][d]
        existing = (
            Area.objects.filter(kind=Area.Kind.DISTRICT, code=code, parent=province).first()
            if resume
            else None
        )
        districts[d] = existing or _new_area(
            Area.Kind.DISTRICT, code, _("Huyện Tổng hợp %(code)s") % {"code": code}, province
        )
    return province, districts


def _tasks(layout, codes, province, districts, rule, seed, year, resume) -> list[CommuneTask]:
    # A commune is written in one transaction with its villages, households and review, so one
    # that exists is complete.
    written = (
        set(
            Area.objects.filter(
                kind=Area.Kind.COMMUNE, code__in=codes["communes"], path__startswith=province.path
            ).values_list("code", flat=True)
        )
        if resume
        else set()
    )
    return [
        CommuneTask(
            plan=plan,
            code=codes["communes"][plan.index],
            parent_id=(
                districts[plan.district_index] if plan.district_index is not None else province
            ).pk,
            province_code=codes["province"],
            rule=rule,
            seed=seed,
            year=year,
        )
        for plan in layout
        if codes["communes"][plan.index] not in written
    ]


def _write_in_parallel(tasks: list[CommuneTask], workers: int, progress) -> None:
    # Forked workers must not share the parent's database connection; each opens its own.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for counts in pool.imap_unordered(_write_commune_in_worker, tasks):
            if "error" in counts:
                raise ValidationError(
                    _(
                        "Dừng khi ghi xã %(code)s: %(error)s. Các xã đã ghi xong được giữ lại; "
                        "chạy lại với cùng tham số và --resume để ghi nốt."
                    )
                    % counts
                )
            progress(counts)
        pool.close()
        pool.join()


def _write_commune_in_worker(task: CommuneTask) -> dict:
    try:
        return write_commune(task)
    except Exception as exc:  # the parent stops the run and reports it
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else repr(exc)
        return {"error": message, "code": task.code}


def _codes(province_code: str, layout: list[CommunePlan]) -> dict:
    n_districts = len({c.district_index for c in layout if c.district_index is not None})
    return {
        "province": province_code,
        "districts": [f"{province_code}{d + 1:02d}" for d in range(n_districts)],
        "communes": [f"{province_code}{c.index + 1:03d}" for c in layout],
    }


def _refuse_taken_codes(province_code: str, codes: dict) -> None:
    wanted = {
        Area.Kind.PROVINCE: [codes["province"]],
        Area.Kind.DISTRICT: codes["districts"],
        Area.Kind.COMMUNE: codes["communes"],
    }
    for kind, kind_codes in wanted.items():
        taken = (
            Area.objects.filter(kind=kind, code__in=kind_codes, valid_to__isnull=True)
            .order_by("code")
            .first()
        )
        if taken is not None:
            raise ValidationError(
                _(
                    "Mã %(code)s đã được dùng cho “%(name)s”; không tạo lại. Hãy chọn mã tỉnh "
                    "khác (--province-code)."
                )
                % {"code": taken.code, "name": taken.name}
            )
    if Member.objects.filter(citizen_id__startswith=_citizen_prefix(province_code)).exists():
        raise ValidationError(
            _("Đã có người mang số CCCD của tỉnh mã %(code)s; hãy chọn mã tỉnh khác.")
            % {"code": province_code}
        )


def _citizen_prefix(province_code: str) -> str:
    return f"0{province_code}"


def _new_area(kind: str, code: str, name: str, parent: Area | None, **extra) -> Area:
    area = Area(kind=kind, code=code, name=name, parent=parent, **extra)
    area.full_clean(exclude=["path"])
    area.save()
    return area


@transaction.atomic
def write_commune(task: CommuneTask) -> dict:
    """Write one commune, its villages, households, members and finalised periodic review, and
    return what was written (its summary counts refreshed once, in the same transaction)."""
    with summary.collecting():
        return _write_commune(task)


def _write_commune(task: CommuneTask) -> dict:
    plan, code = task.plan, task.code
    reference = datetime.date(task.year, 12, 14)
    parent = Area.objects.get(pk=task.parent_id)
    label = _("Phường Tổng hợp %(code)s") if plan.is_urban else _("Xã Tổng hợp %(code)s")
    commune = _new_area(
        Area.Kind.COMMUNE, code, label % {"code": code}, parent, is_urban=plan.is_urban
    )
    village_label = _("Tổ dân phố Mẫu %(code)s") if plan.is_urban else _("Thôn Mẫu %(code)s")
    villages = [
        _new_area(Area.Kind.VILLAGE, "", village_label % {"code": f"{i + 1:02d}"}, commune)
        for i in range(len(plan.village_sizes))
    ]
    household_plans = plan_households(plan, task.rule, task.seed, reference)
    households, members, serials = [], [], {}
    for p in household_plans:
        for person in p.members:
            person.citizen_id = _citizen_id(
                task.province_code, plan.index, person, reference, serials
            )
        village = villages[p.village_index]
        household, people = build_household(
            p,
            commune=commune,
            village=village,
            code=f"{code}-{p.village_index + 1:02d}-{p.number:04d}",
            address=f"{village.name}, {commune.name}",
        )
        households.append(household)
        members.extend(people)
    services.registry_bulk_load(households=households, members=members)
    cycle = services.review_cycle_create(commune=commune, year=task.year, reference_date=reference)
    entries = review_entries(households, household_plans)
    saved = services.assessments_record(cycle=cycle, entries=entries)
    services.review_cycle_finalise(cycle=cycle, user=None)
    classes: dict[str, int] = {}
    for assessment in saved:
        classes[assessment.household_class] = classes.get(assessment.household_class, 0) + 1
    return {
        "villages": len(villages),
        "households": len(households),
        "members": len(members),
        "classes": classes,
    }


def _citizen_id(
    province_code: str, commune_index: int, person: PersonPlan, reference: datetime.date, serials
) -> str:
    """A 12-digit ID in the CCCD layout (province, century/sex, year of birth, serial) for people
    aged 14 and over. The serial is the commune's number and a count per century/sex and year of
    birth within the commune, so IDs never repeat and do not depend on the order of communes."""
    born = person.date_of_birth
    if (reference - born).days < 14 * 365:
        return ""
    century = (0 if born.year < 2000 else 2) + (1 if person.sex == "F" else 0)
    key = (century, born.year % 100)
    serials[key] = serials.get(key, 0) + 1
    if serials[key] > 999:  # about 40 per key in a commune of 1,500 households
        raise ValidationError(_("Xã quá lớn để cấp số CCCD mẫu."))
    return (
        f"{_citizen_prefix(province_code)}{century}{born.year % 100:02d}"
        f"{commune_index + 1:03d}{serials[key]:03d}"
    )
