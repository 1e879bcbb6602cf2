"""The demo's periodic reviews as a commune runs them (sample data): the end-2024 review taken
through its stages with their records, and the current year's review open and partly surveyed.

The end-2024 review: its results (``followup.review_2024``) are agreed by a meeting in each village
in the first week of December 2024, posted from Monday 9 December (3 working days), one complaint
is received and resolved during the posting (a re-check that keeps the result), and the commune
decides on 13 December. Every write goes through ``review.services``, as a commune's would, so the
conditions of each stage are checked. The 2024 figures are the results' and do not change.

The end-2023 review stays finalised directly (data loaded whole, no stage records): the seed's
section I is its only source. The current year's review gets results for about a third of the
households of two villages, copied from their 2024 results, and waits in the survey stage.
"""

from __future__ import annotations

import datetime

from django.db import transaction

MEETINGS_FROM = datetime.date(2024, 12, 2)  # a Monday: two villages a day, Monday to Friday
POSTING_STARTS = datetime.date(2024, 12, 9)  # a Monday: posted until Wednesday 11 December
COMPLAINT_RECEIVED = datetime.date(2024, 12, 10)
COMPLAINT_RESOLVED = datetime.date(2024, 12, 11)
DECISION_DATE = datetime.date(2024, 12, 13)
DECISION_NUMBER = "245/QĐ-UBND"
DECISION_SIGNER = "Lê Thị Ngọc"  # the seed's signer (KT. Chủ tịch, Phó Chủ tịch UBND xã)
REOPEN_REASON = "Dữ liệu mẫu: ghi lại các bước rà soát (họp thôn, niêm yết, quyết định)"
# Share of a village's household representatives at its meeting (all above half), in turn.
ATTENDANCE = (0.82, 0.76, 0.88, 0.71, 0.79)
# The ad-hoc review of June 2024: applications to be recognised out of poverty (Mẫu 04).
ADHOC_RECEIVED = datetime.date(2024, 6, 3)
ADHOC_REVIEWED = datetime.date(2024, 6, 10)
ADHOC_DECIDED = datetime.date(2024, 6, 17)
ADHOC_DECISION = "118/QĐ-UBND"
CURRENT_VILLAGES = 2  # villages of the current year's review with results
CURRENT_SHARE = 3  # one household in three of those villages


def _village_short(village) -> str:
    return village.name.split("(")[0].strip()


@transaction.atomic
def decide_2024(cycle, log=print) -> None:
    """Take the commune's end-2024 periodic cycle, its results recorded, through its stages to
    the decision. Idempotent: a step already done changes nothing; a cycle finalised directly by
    an older demo (without its records) is reopened once, with the reason, and decided again."""
    from households.models import ReviewCycle
    from review import services
    from review.models import Posting, VillageMeeting
    from review.queries import village_rows

    Stage = ReviewCycle.Stage
    cycle.refresh_from_db()
    if cycle.is_finalised and cycle.decision_number:
        return
    if cycle.is_finalised:
        services.reopen(cycle=cycle, reason=REOPEN_REASON)
    for stage in (Stage.SURVEY, Stage.MEETINGS):
        cycle.refresh_from_db()
        if services.ORDER.index(cycle.stage) < services.ORDER.index(stage):
            services.advance(cycle=cycle, to_stage=stage)
    rows = village_rows(cycle)
    for i, row in enumerate(rows):
        if VillageMeeting.objects.filter(cycle=cycle, village=row.village).exists():
            continue
        total = row.households
        present = max((total + 1) // 2, round(total * ATTENDANCE[i % len(ATTENDANCE)]))
        name = _village_short(row.village)
        services.meeting_record(
            cycle=cycle,
            village=row.village,
            held_on=MEETINGS_FROM + datetime.timedelta(days=i // 2),
            chair=f"Trưởng {name[0].lower()}{name[1:]}",
            secretary="Công chức Văn hóa - Xã hội xã",
            place=f"Nhà văn hóa {name[0].lower()}{name[1:]}",
            representatives_present=present,
            representatives_total=total,
            note="Có đại diện Ủy ban MTTQ xã giám sát (dữ liệu mẫu).",
        )
    cycle.refresh_from_db()
    if not Posting.objects.filter(cycle=cycle).exists():
        services.posting_record(
            cycle=cycle,
            starts_on=POSTING_STARTS,
            place="Nhà văn hóa các thôn và trụ sở UBND xã",
        )
    cycle.refresh_from_db()
    household = _complained_about(cycle)
    complaint = services.complaint_record(
        cycle=cycle,
        household=household,
        complainant="Đại diện hộ dân cùng thôn (dữ liệu mẫu)",
        content="Đề nghị phúc tra thu nhập của hộ: hộ mới thoát nghèo nhưng thu nhập chưa ổn định.",
        received_on=COMPLAINT_RECEIVED,
    )
    services.complaint_resolve(
        complaint=complaint,
        resolved_on=COMPLAINT_RESOLVED,
        resolution=(
            "Tổ rà soát đã phúc tra tại hộ: thu nhập bình quân đầu người đúng như phiếu B, "
            "giữ nguyên kết quả; đã trả lời người khiếu nại."
        ),
    )
    services.decide(
        cycle=cycle,
        decision_number=DECISION_NUMBER,
        decision_date=DECISION_DATE,
        decision_signer=DECISION_SIGNER,
    )
    _date_the_moves(cycle)
    log(f"Đã ghi các bước rà soát 2024 và quyết định số {DECISION_NUMBER} (dữ liệu mẫu).")


def _date_the_moves(cycle) -> None:
    """The cycle's moves are stamped when the loader runs; a sample of 2024 dates them on the days
    of its stages instead, so its history reads as the review happened. An older demo's cycle,
    reopened to get its records, keeps the times of its moves: they follow the reopening."""
    from django.utils import timezone

    from review.models import CycleEvent

    days = {
        "survey": datetime.datetime(2024, 9, 16, 8),
        "meetings": datetime.datetime(2024, 11, 29, 16),
        "posting": datetime.datetime.combine(POSTING_STARTS, datetime.time(8)),
        "decided": datetime.datetime.combine(DECISION_DATE, datetime.time(10)),
    }
    events = CycleEvent.objects.filter(cycle=cycle)
    if events.filter(from_stage="decided").exists():
        return
    for event in events:
        when = timezone.make_aware(days[event.to_stage])
        if event.at != when:
            CycleEvent.objects.filter(pk=event.pk).update(at=when)


def _complained_about(cycle):
    """The first household (by code) that left poverty in 2024: the result a neighbour doubts."""
    from households.models import Assessment

    escaped = (
        Assessment.objects.filter(cycle=cycle)
        .exclude(household_class__in=["poor", "near_poor"])
        .filter(
            household__assessments__cycle__year=cycle.year - 1,
            household__assessments__cycle__kind="periodic",
            household__assessments__household_class="poor",
        )
        .select_related("household")
        .order_by("household__code")
        .first()
    )
    return escaped.household


@transaction.atomic
def adhoc_escapes_2024(entries, log=print):
    """The households that escaped poverty in June 2024 (``entries``, their results): each
    applies with form Mẫu 04, is reviewed in the commune's ad-hoc cycle of June and recognised by
    the commune's decision, through ``review.adhoc_services`` as the officer would. The June cycle
    is then closed. Returns it."""
    from households import services as household_services
    from households.models import ReviewRequest
    from review import adhoc_services

    cycle = None
    for entry in entries:
        request, _created = adhoc_services.request_record(
            household=entry.household,
            kind=ReviewRequest.Kind.EXIT,
            received_on=ADHOC_RECEIVED,
            applicant="Chủ hộ",
            note="Đề nghị công nhận thoát nghèo (Mẫu 04, dữ liệu mẫu)",
        )
        cycle = adhoc_services.result_cycle(request=request, day=ADHOC_REVIEWED)
        adhoc_services.result_lock(request=request, cycle=cycle)
        assessment = household_services.assessment_record(
            cycle=cycle,
            household=entry.household,
            income_per_capita=entry.income_per_capita,
            deprived=entry.deprived,
            member_count=entry.member_count,
        )
        adhoc_services.result_link(request=request, assessment=assessment)
        adhoc_services.request_decide(
            request=request, decision_number=ADHOC_DECISION, decision_date=ADHOC_DECIDED
        )
    household_services.review_cycle_finalise(cycle=cycle, user=None)
    log(f"Đã ghi {len(entries)} đơn đề nghị thoát nghèo tháng 6/2024 và quyết định (dữ liệu mẫu).")
    return cycle


@transaction.atomic
def survey_current(cycle, log=print) -> None:
    """Results for one household in three of the first two villages of the current year's open
    cycle, copied from their latest periodic result, and the cycle moved to the survey stage.
    Only an open cycle without results gets them (run again, it changes nothing)."""
    from core.collation import by_name
    from households import services as household_services
    from households.models import Assessment, ReviewCycle
    from review import services

    if cycle.is_finalised or cycle.assessments.exists():
        return
    if cycle.stage == ReviewCycle.Stage.OPEN:
        services.advance(cycle=cycle, to_stage=ReviewCycle.Stage.SURVEY)
    villages = sorted(cycle.commune.children.filter(kind="village"), key=by_name)
    latest = {}
    for a in (
        Assessment.objects.filter(
            cycle__commune=cycle.commune,
            cycle__kind=ReviewCycle.Kind.PERIODIC,
            cycle__year__lt=cycle.year,
            village__in=villages[:CURRENT_VILLAGES],
        )
        .select_related("household")
        .order_by("cycle__year", "household__code")
    ):
        latest[a.household.code] = a  # the newest year wins
    entries = [
        household_services.AssessmentEntry(
            household=a.household,
            income_per_capita=a.income_per_capita,
            deprived=[c for c in a.deprived_codes.split(",") if c],
        )
        for i, (_code, a) in enumerate(sorted(latest.items()))
        if i % CURRENT_SHARE == 0
    ]
    household_services.assessments_record(cycle=cycle, entries=entries)
    log(f"Đã nhập {len(entries)} kết quả rà soát {cycle.year} (đợt đang mở, dữ liệu mẫu).")
