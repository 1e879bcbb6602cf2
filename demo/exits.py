"""The demo commune's exit pathways of 2024 (sample data): support norms marked as sample values,
30 poor and 5 near-poor households planned to escape (plan 193/KH-UBND: "giảm 35 hộ"), chosen
from the top of the pathway list, village by village up to each village's target (Appendix 01),
with the support that covers their needs, a helper each, the
households that registered, and two follow-up visits per planned household. The end-2024 review
(``demo.followup``) then shows planned against actual (``report exits_outcome``)."""

from __future__ import annotations

import datetime

from django.db import transaction

from exits import services
from exits.models import Pathway, SupportNorm
from exits.queries import pathway_rows
from indicators.models import Indicator, Target
from projects.models import SubProject

YEAR = 2024
PLANNED_POOR, PLANNED_NEAR = 30, 5
REGISTERED_MORE = 12  # households that registered to escape beyond those planned
SAMPLE_SOURCE = "Giá trị mẫu, chưa đối chiếu văn bản quy định định mức"

#: (sub-project code, indicator code or None for the income gap, item, unit, amount in đồng)
NORMS = [
    ("DA4-TDA3", "1.1", "Tư vấn, kết nối việc làm cho lao động của hộ", "person", 1_500_000),
    ("DA3-TDA2", "2.1", "Hỗ trợ dinh dưỡng cho trẻ em, phụ nữ mang thai", "household", 2_000_000),
    ("DA4-TDA1", "3.1", "Đào tạo nghề trình độ sơ cấp, dưới 3 tháng", "household", 4_000_000),
    ("DA6-TDA1", "6.1", "Hỗ trợ sử dụng dịch vụ internet", "household", 600_000),
    ("DA6-TDA1", "6.2", "Hỗ trợ phương tiện nghe, xem", "household", 2_500_000),
    ("DA2", None, "Mô hình sinh kế: giống, vật tư, kỹ thuật", "household", 12_000_000),
    ("DA3-TDA1", None, "Hỗ trợ phát triển sản xuất nông nghiệp", "household", 8_000_000),
]
HELPERS = [
    "Hội Liên hiệp Phụ nữ xã",
    "Hội Nông dân xã",
    "Đoàn Thanh niên xã",
    "Hội Cựu chiến binh xã",
    "Ủy ban Mặt trận Tổ quốc xã",
    "Chi bộ thôn (đảng viên phụ trách)",
]


def load_exits_demo(commune, *, log=print) -> None:
    """Idempotent: nothing is done when the commune already has pathways of 2024."""
    if Pathway.objects.filter(year=YEAR, household__commune=commune).exists():
        return
    with transaction.atomic():
        _norms(commune)
        rows = pathway_rows(commune, YEAR)
        if not rows:
            return
        targets = Target.objects.filter(area__parent=commune).reductions(YEAR)
        poor = _chosen(rows, "poor", PLANNED_POOR, _of(targets, Target.Metric.POOR_REDUCTION))
        near = _chosen(
            rows, "near_poor", PLANNED_NEAR, _of(targets, Target.Metric.NEAR_POOR_REDUCTION)
        )
        planned = poor + near
        for i, row in enumerate(planned):
            services.register(household=row.household, year=YEAR, registered=True)
            pathway = services.plan(
                household=row.household,
                year=YEAR,
                planned=True,
                helper=HELPERS[i % len(HELPERS)],
                norms=[c.norm for c in row.covered],
            )
            for month, text in ((4, "Thăm hộ, rà soát nhu cầu hỗ trợ"), (9, "Kiểm tra tiến độ")):
                services.visit_record(
                    pathway=pathway,
                    visited_on=datetime.date(YEAR, month, 5 + i % 20),
                    visitor=pathway.helper,
                    support="; ".join(c.norm.item for c in row.covered) if month == 9 else "",
                    note=text,
                )
        chosen = {r.household.pk for r in planned}
        others = [r for r in rows if r.household.pk not in chosen][:REGISTERED_MORE]
        for row in others:
            services.register(household=row.household, year=YEAR, registered=True)
        Pathway.objects.filter(year=YEAR, household__commune=commune).update(is_sample=True)
    log(
        f"Lộ trình thoát nghèo {YEAR}: {len(poor)} hộ nghèo, {len(near)} hộ cận nghèo dự kiến "
        f"thoát; {len(planned) + len(others)} hộ đăng ký (dữ liệu mẫu)."
    )


def _of(targets: dict, metric: str) -> dict[int, int]:
    return {area_id: int(value) for (area_id, m), value in targets.items() if m == metric}


def _chosen(rows, household_class: str, total: int, per_village: dict[int, int]) -> list:
    """The first households of the ranked list, as many in each village as its target (Appendix
    01), then the next ones anywhere until ``total``: what an officer does by hand."""
    candidates = [r for r in rows if r.needs.household_class == household_class]
    taken: dict[int, int] = {}
    chosen = []
    for row in candidates:
        village = row.household.village_id
        if taken.get(village, 0) < per_village.get(village, 0) and len(chosen) < total:
            chosen.append(row)
            taken[village] = taken.get(village, 0) + 1
    for row in candidates:
        if len(chosen) >= total:
            break
        if row not in chosen:
            chosen.append(row)
    return chosen


def _norms(commune) -> None:
    subprojects = {s.code: s for s in SubProject.objects.all()}
    indicators = {
        i.code: i for i in Indicator.objects.filter(dimension__standard__code="2022-2025")
    }
    for code, indicator, item, unit, amount in NORMS:
        if code not in subprojects:
            continue
        SupportNorm.objects.get_or_create(
            area=commune,
            year=YEAR,
            subproject=subprojects[code],
            item=item,
            defaults={
                "indicator": indicators.get(indicator) if indicator else None,
                "unit": unit,
                "amount": amount,
                "source": SAMPLE_SOURCE,
                "is_sample": True,
            },
        )
