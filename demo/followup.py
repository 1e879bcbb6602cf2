"""The Vĩnh Hảo demo after its plan: the 2024 targets of plan 193/KH-UBND, the end-2024 periodic
review (with an ad-hoc review in June), the figures the plan's section I states (for the
reconciliation report) and the commune's document blocks.

Everything here is sample data except what the seed states: the commune's 2024 targets (section
II) and the section I figures and signature block. The plan's Appendix 01 (targets per village) is
referenced but not included in the seed, so the per-village targets are the commune's targets
shared out in proportion to each village's poor and near-poor households at the end of 2023 (they
add up to the commune's). The 2024 movement is chosen to be plausible against the targets (a
reduction of 28 poor households against 30, and 3 near-poor against 5) and is written through
``households.services`` like any other review. Deprivations that the registry records (dwelling,
water, health insurance) are only changed for households that leave the poor list, so the registry
stays consistent with every poor household's result.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.db import transaction

SEED_2024 = 20241214
SOURCE_PLAN = "Kế hoạch số 193/KH-UBND ngày 16/4/2024 của UBND xã Vĩnh Hảo"
# The movement of 2024 (sample data): how many households take each path.
POOR_ESCAPE, POOR_TO_NEAR = 20, 12
NEAR_ESCAPE, NEAR_TO_POOR = 17, 2
NEWLY_POOR, NEWLY_NEAR = 2, 4
AD_HOC_ESCAPES = 5  # recognised out of poverty in June (form Mẫu 04), confirmed in December
# Indicators the registry does not record, so a result may gain or lose them freely.
FREE_CODES = ("1.1", "3.1", "6.1", "5.2", "1.2", "2.1")

COMMUNE_TARGETS_2024 = [
    ("poor_reduction", "30", "mục II.2.1"),
    ("near_poor_reduction", "5", "mục II.2.1"),
    ("poverty_rate", "7,64", "mục II.2.1"),
    ("jobs", "130", "mục II.2.2"),
    ("jobs_other_provinces", "100", "mục II.2.2"),
    ("jobs_local", "30", "mục II.2.2"),
    ("health_insurance", "100", "mục II.2.2"),
    ("schooling", "100", "mục II.2.2"),
    ("clean_water", "50", "mục II.2.2"),
    ("latrine", "60", "mục II.2.2"),
    ("telecom", "50", "mục II.2.2"),
]
# Jobs found in 2024 as the labour officer would report them (sample figures).
JOBS_PROGRESS_2024 = [
    ("jobs", "118"),
    ("jobs_other_provinces", "91"),
    ("jobs_local", "27"),
]

# Section I of the plan exactly as it is printed (row; column; value).
SEED_SECTION_ONE = """\
poor_and_near_poor; households; 134
poor_and_near_poor; rate; 10,35
poor; households; 98
poor; members; 400
poor; rate; 7,57
near_poor; households; 36
near_poor; members; 150
near_poor; rate; 2,78
1.1; poor; 37
1.1; poor_rate; 37,75
1.1; near_poor; 01
1.1; near_poor_rate; 2,78
1.2; poor; 33
1.2; poor_rate; 7,14
1.2; near_poor; 7
1.2; near_poor_rate; 19,44
2.1; poor; 10
2.1; poor_rate; 10,29
2.1; near_poor; 01
2.1; near_poor_rate; 2,78
2.2; poor; 98
2.2; poor_rate; 100
2.2; near_poor; 36
2.2; near_poor_rate; 100
3.1; poor; 22
3.1; poor_rate; 22,45
3.1; near_poor; 01
3.1; near_poor_rate; 2,77
3.2; poor; 02
3.2; poor_rate; 2,04
3.2; near_poor; 01
3.2; near_poor_rate; 2,77
4.1; poor; 53
4.1; poor_rate; 50,08
4.1; near_poor; 9
4.1; near_poor_rate; 25,00
4.2; poor; 23
4.2; poor_rate; 23,47
4.2; near_poor; 1
4.2; near_poor_rate; 2,77
5.1; poor; 19
5.1; poor_rate; 19,38
5.1; near_poor; 4
5.1; near_poor_rate; 11,11
5.2; poor; 26
5.2; poor_rate; 26,53
5.2; near_poor; 2
5.2; near_poor_rate; 5,55
6.1; poor; 36
6.1; poor_rate; 36,73
6.1; near_poor; 2
6.1; near_poor_rate; 5,55
6.2; poor; 8
6.2; poor_rate; 8,16
6.2; near_poor; 0
6.2; near_poor_rate; 0
"""

SEED_RECIPIENTS = """\
- Phòng Lao động-TBXH huyện;
- Thường trực Đảng ủy;
- Thường trực HĐND - UBND;
- Các đồng chí UV.BCH;
- Các Tổ chức chính trị xã hội;
- BQ thôn;
- Lưu VP."""


def load_followup(*, commune, log=print) -> None:
    """Add the 2024 data to the demo commune. Idempotent: each part is skipped or updated in
    place when it is already there."""
    with transaction.atomic():
        villages = list(commune.children.filter(kind="village").order_by("name"))
        review_2024(commune, log)
        _targets_2024(commune, villages)
        _stated_section_one(commune)
        _document_settings(commune)


def _results_2023(commune) -> dict:
    from households.models import Assessment

    results = {}
    for a in (
        Assessment.objects.filter(cycle__commune=commune, cycle__year=2023, cycle__kind="periodic")
        .select_related("household")
        .prefetch_related("deprivations__indicator")
        .order_by("household__code")
    ):
        results[a.household.code] = {
            "household": a.household,
            "class": a.household_class,
            "income": a.income_per_capita,
            "deprived": sorted(d.indicator.code for d in a.deprivations.all()),
            "members": a.member_count,
            "village_id": a.village_id,
        }
    return results


def plan_2024(results: dict) -> dict[str, tuple[int, list[str]]]:
    """{household code: (income, deprived)} for the end-2024 review, deterministic."""
    rng = random.Random(SEED_2024)
    by_class: dict[str, list[str]] = {"poor": [], "near_poor": [], "other": []}
    for code, r in results.items():
        by_class.get(r["class"], by_class["other"]).append(code)
    for codes in by_class.values():
        rng.shuffle(codes)
    plan: dict[str, tuple[int, list[str]]] = {}

    def add_free(deprived: list[str], at_least: int) -> list[str]:
        out = list(deprived)
        for extra in FREE_CODES:
            if len(out) >= at_least:
                break
            if extra not in out:
                out.append(extra)
        return sorted(out)

    poor = by_class["poor"]
    for i, code in enumerate(poor):
        r = results[code]
        if i < POOR_ESCAPE:  # escaped: income above the line, health insurance bought
            income = rng.randrange(1_600_000, 2_600_001, 10_000)
            plan[code] = (income, [c for c in r["deprived"] if c != "2.2"])
        elif i < POOR_ESCAPE + POOR_TO_NEAR:  # still under the line, 2 deprivations left
            kept = [c for c in r["deprived"] if c != "2.2"][:2]
            plan[code] = (r["income"], kept)
        else:  # still poor; some fixed their latrine or got internet, keeping ≥ 3
            deprived = list(r["deprived"])
            for fixable in ("5.2", "6.1"):
                if fixable in deprived and len(deprived) > 3 and rng.random() < 0.5:
                    deprived.remove(fixable)
            plan[code] = (r["income"], deprived)
    near = by_class["near_poor"]
    for i, code in enumerate(near):
        r = results[code]
        if i < NEAR_ESCAPE:
            income = rng.randrange(1_550_000, 2_400_001, 10_000)
            plan[code] = (income, [c for c in r["deprived"] if c != "2.2"])
        elif i < NEAR_ESCAPE + NEAR_TO_POOR:  # lost a job, a child fell ill
            plan[code] = (max(r["income"] - 200_000, 600_000), add_free(r["deprived"], 3))
        else:
            deprived = [c for c in r["deprived"] if c != "2.2" or rng.random() < 0.6]
            plan[code] = (r["income"], deprived)
    others = by_class["other"]
    for i, code in enumerate(others):
        r = results[code]
        if i < NEWLY_POOR:
            plan[code] = (rng.randrange(900_000, 1_400_001, 10_000), add_free(r["deprived"], 3))
        elif i < NEWLY_POOR + NEWLY_NEAR:
            deprived = r["deprived"][:1] or ["5.2"]
            plan[code] = (rng.randrange(1_100_000, 1_450_001, 10_000), deprived)
        else:
            plan[code] = (r["income"], r["deprived"])
    return plan


def review_2024(commune, log=print) -> None:
    from households import services
    from households.models import ReviewCycle

    from .review import adhoc_escapes_2024, decide_2024

    existing = ReviewCycle.objects.filter(commune=commune, year=2024, kind="periodic").first()
    if existing is not None:
        if existing.assessments.exists():
            decide_2024(existing, log)  # a demo loaded before the stages gets their records
        return
    results = _results_2023(commune)
    if not results:
        return
    plan = plan_2024(results)
    poor_2023 = [c for c, r in results.items() if r["class"] == "poor"]
    escaped_early = [
        c for c in poor_2023 if plan[c][0] > 1_500_000 and results[c]["class"] == "poor"
    ][:AD_HOC_ESCAPES]
    adhoc_escapes_2024(
        [
            services.AssessmentEntry(
                household=results[c]["household"],
                income_per_capita=plan[c][0],
                deprived=plan[c][1],
                member_count=results[c]["members"],
            )
            for c in escaped_early
        ],
        log,
    )
    cycle = services.review_cycle_create(commune=commune, year=2024)
    saved = services.assessments_record(
        cycle=cycle,
        entries=[
            services.AssessmentEntry(
                household=r["household"],
                income_per_capita=plan[code][0],
                deprived=plan[code][1],
                member_count=r["members"],
            )
            for code, r in results.items()
        ],
    )
    classes = Counter(a.household_class for a in saved)
    log(
        f"Đã tạo kết quả rà soát 2024: {classes['poor']} hộ nghèo, "
        f"{classes['near_poor']} hộ cận nghèo (dữ liệu mẫu)."
    )
    decide_2024(cycle, log)


def share_out(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), never above a weight,
    adding up exactly to ``total`` when the weights allow it."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    total = min(total, whole)
    exact = [total * w / whole for w in weights]
    parts = [min(int(x), w) for x, w in zip(exact, weights, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    missing = total - sum(parts)
    for i in order * 2:
        if missing <= 0:
            break
        if parts[i] < weights[i]:
            parts[i] += 1
            missing -= 1
    return parts


def _targets_2024(commune, villages) -> None:
    from households.models import Assessment
    from indicators import services
    from indicators.models import ProgressRecord, Target

    for metric, value, section in COMMUNE_TARGETS_2024:
        services.target_set(
            area=commune, year=2024, metric=metric, value=value, source=f"{SOURCE_PLAN}, {section}"
        )
    counts = Counter(
        Assessment.objects.filter(
            cycle__commune=commune, cycle__year=2023, cycle__kind="periodic"
        ).values_list("village_id", "household_class")
    )
    for metric, klass, total in (
        ("poor_reduction", "poor", 30),
        ("near_poor_reduction", "near_poor", 5),
    ):
        shares = share_out(total, [counts[(v.pk, klass)] for v in villages])
        for village, share in zip(villages, shares, strict=True):
            services.target_set(
                area=village,
                year=2024,
                metric=metric,
                value=share,
                source=(
                    "Phụ lục 01 (dữ liệu mẫu): chỉ tiêu của xã chia theo số hộ của thôn cuối "
                    "năm 2023"
                ),
            )
    for metric, value in JOBS_PROGRESS_2024:
        target = Target.objects.get(area=commune, year=2024, metric=metric)
        if not ProgressRecord.objects.filter(target=target).exists():
            services.progress_record(
                target=target,
                as_of=datetime.date(2024, 12, 14),
                value=value,
                source="Báo cáo của công chức VH-XH xã (số liệu mẫu)",
            )


def _stated_section_one(commune) -> None:
    from reports import services

    services.stated_document_save(
        area=commune,
        year=2023,
        reference=f"{SOURCE_PLAN}, mục I",
        text=SEED_SECTION_ONE,
    )


def _document_settings(commune) -> None:
    from reports import services

    services.document_settings_save(
        area=commune,
        issuing_body="ỦY BAN NHÂN DÂN\nXÃ VĨNH HẢO",
        place="Vĩnh Hảo",
        signing_authority="KT. CHỦ TỊCH",
        signer_position="PHÓ CHỦ TỊCH",
        signer_name="Lê Thị Ngọc",
        recipients=SEED_RECIPIENTS,
    )
