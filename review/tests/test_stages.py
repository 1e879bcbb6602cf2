"""A periodic review's stages: each move refused while its condition is unmet and allowed once it
holds, the decision that makes the figures official, reopening, and who may do what."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from households import services as household_services
from households.models import ReviewCycle, ReviewExemption
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from review import services
from review.models import Complaint, CycleEvent, MeetingResult, Posting, VillageMeeting

pytestmark = pytest.mark.django_db

Stage = ReviewCycle.Stage
TODAY = datetime.date.today()
MEETING_DAY = TODAY - datetime.timedelta(days=20)
POSTING_DAY = TODAY - datetime.timedelta(days=15)  # ends at the latest 11 days ago


def home(village, **fields):
    household = HouseholdFactory(village=village, **fields)
    MemberFactory.create_batch(2, household=household)
    return household


def record(cycle, household, income=5_000_000):
    household_services.assessment_record(cycle=cycle, household=household, income_per_capita=income)


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def homes(village_a, village_b):
    return {"a1": home(village_a), "a2": home(village_a), "b1": home(village_b)}


def meet(cycle, village, present=6, total=10, not_agreed=None, user=None):
    return services.meeting_record(
        cycle=cycle,
        village=village,
        held_on=MEETING_DAY,
        chair="Trưởng thôn",
        representatives_present=present,
        representatives_total=total,
        not_agreed=not_agreed,
        user=user,
    )


def to_meetings(cycle, homes):
    for h in homes.values():
        record(cycle, h)
    services.advance(cycle=cycle, to_stage=Stage.SURVEY)
    services.advance(cycle=cycle, to_stage=Stage.MEETINGS)
    cycle.refresh_from_db()


def to_posting(cycle, homes, village_a, village_b, starts_on=POSTING_DAY):
    to_meetings(cycle, homes)
    meet(cycle, village_a)
    meet(cycle, village_b)
    services.posting_record(cycle=cycle, starts_on=starts_on, place="Nhà văn hóa thôn")
    cycle.refresh_from_db()


def decide(cycle, user=None, day=TODAY, number="123/QĐ-UBND"):
    return services.decide(
        cycle=cycle,
        decision_number=number,
        decision_date=day,
        decision_signer="Chủ tịch UBND xã",
        user=user,
    )


# --- survey → meetings: every household has a result or a reason --------------------------------


def test_meetings_wait_for_every_household_with_a_result_or_a_reason(cycle, homes, officer):
    services.advance(cycle=cycle, to_stage=Stage.SURVEY, user=officer)
    record(cycle, homes["a1"])
    with pytest.raises(ValidationError) as exc:
        services.advance(cycle=cycle, to_stage=Stage.MEETINGS, user=officer)
    assert (
        "Còn 2/3 hộ trong danh sách chưa có kết quả rà soát và chưa ghi lý do"
        in (exc.value.messages[0])
    )
    record(cycle, homes["a2"])
    services.exemption_record(
        cycle=cycle, household=homes["b1"], reason=ReviewExemption.Reason.SPLIT, user=officer
    )
    assert services.advance(cycle=cycle, to_stage=Stage.MEETINGS, user=officer).stage == (
        Stage.MEETINGS
    )
    assert list(CycleEvent.objects.values_list("from_stage", "to_stage")) == [
        ("open", "survey"),
        ("survey", "meetings"),
    ]


def test_stages_are_taken_in_order_and_a_repeat_changes_nothing(cycle, homes):
    with pytest.raises(ValidationError, match="Không chuyển được"):
        services.advance(cycle=cycle, to_stage=Stage.MEETINGS)
    services.advance(cycle=cycle, to_stage=Stage.SURVEY)
    services.advance(cycle=cycle, to_stage=Stage.SURVEY)  # a form posted twice
    assert CycleEvent.objects.count() == 1


def test_kept_previous_needs_a_previous_finalised_result(cycle, homes, commune):
    with pytest.raises(ValidationError, match="năm trước"):
        services.exemption_record(
            cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.KEPT_PREVIOUS
        )
    last_year = ReviewCycleFactory(
        commune=commune, year=2023, reference_date=datetime.date(2023, 12, 14)
    )
    for h in homes.values():
        record(last_year, h)
    household_services.review_cycle_finalise(cycle=last_year, user=None)
    services.exemption_record(
        cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.KEPT_PREVIOUS
    )
    services.exemption_record(  # the same again: still one
        cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.KEPT_PREVIOUS
    )
    assert ReviewExemption.objects.count() == 1


def test_a_household_with_a_result_needs_no_reason(cycle, homes):
    record(cycle, homes["a1"])
    with pytest.raises(ValidationError, match="đã có kết quả"):
        services.exemption_record(
            cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.MOVED_OUT
        )


def test_a_board_records_reasons_in_its_own_village_only(cycle, homes, board_a):
    services.exemption_record(
        cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.MOVED_OUT, user=board_a
    )
    with pytest.raises(ValidationError, match="không được ghi lý do"):
        services.exemption_record(
            cycle=cycle,
            household=homes["b1"],
            reason=ReviewExemption.Reason.MOVED_OUT,
            user=board_a,
        )


# --- meetings → posting -------------------------------------------------------------------------


def test_posting_waits_for_an_agreed_meeting_in_every_village(cycle, homes, village_a, village_b):
    to_meetings(cycle, homes)
    with pytest.raises(ValidationError) as exc:
        services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    assert "Thôn A, Thôn B" in " ".join(exc.value.messages)
    meet(cycle, village_a)
    meet(cycle, village_b, present=4, total=10)  # fewer than half present
    with pytest.raises(ValidationError) as exc:
        services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    assert exc.value.messages == [
        "Chưa có biên bản họp thôn đủ ít nhất một nửa số đại diện hộ có mặt: Thôn B."
    ]
    assert not Posting.objects.exists()
    meet(cycle, village_b, present=5, total=10)  # exactly half: agreed
    assert VillageMeeting.objects.count() == 2  # corrected, not added
    posting = services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    cycle.refresh_from_db()
    assert cycle.stage == Stage.POSTING and posting.ends_on > posting.starts_on


def test_a_result_not_agreed_goes_back_to_survey(cycle, homes, village_a, village_b):
    to_meetings(cycle, homes)
    meet(cycle, village_a, not_agreed={homes["a2"].pk: "Thu nhập chưa đúng"})
    meet(cycle, village_b)
    assert MeetingResult.objects.filter(agreed=False).get().household == homes["a2"]
    with pytest.raises(ValidationError) as exc:
        services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    assert exc.value.messages == [
        "Còn 1 hộ họp thôn không nhất trí kết quả, chưa được rà soát lại."
    ]
    record(cycle, homes["a2"], income=1_000_000)  # re-surveyed: a newer result
    services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    cycle.refresh_from_db()
    assert cycle.stage == Stage.POSTING


def test_a_meeting_needs_its_stage_and_the_village_of_its_keeper(
    cycle, homes, village_a, village_b, board_a
):
    with pytest.raises(ValidationError, match="chưa ghi biên bản họp thôn được"):
        meet(cycle, village_a)
    to_meetings(cycle, homes)
    with pytest.raises(ValidationError, match="không được ghi biên bản họp của Thôn B"):
        meet(cycle, village_b, user=board_a)
    meet(cycle, village_a, user=board_a)
    assert VillageMeeting.objects.get().village == village_a


def test_a_posting_posted_twice_writes_once(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b)
    services.posting_record(cycle=cycle, starts_on=POSTING_DAY, place="Nhà văn hóa thôn")
    assert Posting.objects.count() == 1 and Posting.history.count() == 1
    assert CycleEvent.objects.filter(to_stage=Stage.POSTING).count() == 1


# --- posting → decided ------------------------------------------------------------------------


def test_the_decision_waits_for_the_end_of_the_posting(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b, starts_on=TODAY)
    with pytest.raises(ValidationError, match="Thời gian niêm yết chưa kết thúc"):
        decide(cycle)
    cycle.refresh_from_db()
    assert not cycle.is_finalised


def test_the_decision_waits_for_every_complaint_to_be_resolved(
    cycle, homes, village_a, village_b, officer
):
    to_posting(cycle, homes, village_a, village_b)
    posting = Posting.objects.get()
    complaint = services.complaint_record(
        cycle=cycle,
        household=homes["b1"],
        complainant="Người dân thôn B",
        content="Hộ có xe ô tô",
        received_on=posting.starts_on,
        user=officer,
    )
    with pytest.raises(ValidationError) as exc:
        decide(cycle, officer)
    assert exc.value.messages == ["Còn 1 khiếu nại chưa giải quyết."]
    services.complaint_resolve(
        complaint=complaint,
        resolved_on=posting.ends_on,
        resolution="Phúc tra: giữ nguyên kết quả",
        user=officer,
    )
    decided = decide(cycle, officer)
    assert decided.is_finalised and decided.stage == Stage.DECIDED
    assert decided.decision_number == "123/QĐ-UBND" and decided.finalised_by == officer


def test_a_complaint_is_received_only_while_posted(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b)
    posting = Posting.objects.get()
    for day in (
        posting.starts_on - datetime.timedelta(days=1),
        posting.ends_on + datetime.timedelta(days=1),
    ):
        with pytest.raises(ValidationError, match="trong thời gian niêm yết"):
            services.complaint_record(
                cycle=cycle,
                household=homes["a1"],
                complainant="Người dân",
                content="Nội dung",
                received_on=day,
            )
    assert not Complaint.objects.exists()


def test_the_decision_needs_its_number_and_signer(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b)
    with pytest.raises(ValidationError) as exc:
        services.decide(cycle=cycle, decision_number=" ", decision_date=TODAY, decision_signer="")
    assert set(exc.value.message_dict) == {"decision_number", "decision_signer"}


def test_a_decision_posted_twice_writes_once(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b)
    decide(cycle)
    decide(cycle)
    assert CycleEvent.objects.filter(to_stage=Stage.DECIDED).count() == 1


def test_a_decided_cycle_refuses_results_and_records(cycle, homes, village_a, village_b):
    to_posting(cycle, homes, village_a, village_b)
    decide(cycle)
    with pytest.raises(ValidationError, match="đã chốt"):
        record(cycle, homes["a1"], income=1_000)
    with pytest.raises(ValidationError, match="hãy mở lại"):
        services.exemption_record(
            cycle=cycle, household=homes["a1"], reason=ReviewExemption.Reason.MOVED_OUT
        )


# --- reopening --------------------------------------------------------------------------------


def test_reopening_makes_the_figures_provisional_and_keeps_the_reason(
    cycle, homes, village_a, village_b, officer
):
    to_posting(cycle, homes, village_a, village_b)
    decide(cycle, officer)
    with pytest.raises(ValidationError) as exc:
        services.reopen(cycle=cycle, reason="  ", user=officer)
    assert "reason" in exc.value.message_dict
    reopened = services.reopen(cycle=cycle, reason="Sai sót thu nhập hộ A1", user=officer)
    assert reopened.status == ReviewCycle.Status.DRAFT and reopened.stage == Stage.POSTING
    assert reopened.decision_number == "" and reopened.finalised_at is None
    event = CycleEvent.objects.order_by("-pk").first()
    assert (event.from_stage, event.to_stage, event.reason) == (
        "decided",
        "posting",
        "Sai sót thu nhập hộ A1",
    )
    assert event.is_reopening and event.user == officer
    assert cycle.history.first().history_change_reason == "Sai sót thu nhập hộ A1"
    assert cycle.history.filter(decision_number="123/QĐ-UBND").exists()  # the old decision
    services.reopen(cycle=cycle, reason="Sai sót thu nhập hộ A1", user=officer)  # twice: once
    assert CycleEvent.objects.filter(from_stage=Stage.DECIDED).count() == 1
    record(cycle, homes["a1"], income=1_000_000)  # results can be corrected again
    decide(cycle, officer, number="130/QĐ-UBND")
    cycle.refresh_from_db()
    assert cycle.is_finalised and cycle.decision_number == "130/QĐ-UBND"


def test_boards_and_other_communes_neither_move_nor_reopen(
    cycle, homes, village_a, village_b, board_a, other_officer, viewer
):
    for user in (board_a, other_officer, viewer):
        with pytest.raises(ValidationError, match="Chỉ cán bộ xã"):
            services.advance(cycle=cycle, to_stage=Stage.SURVEY, user=user)
    to_posting(cycle, homes, village_a, village_b)
    for user in (board_a, other_officer):
        with pytest.raises(ValidationError, match="Chỉ cán bộ xã"):
            decide(cycle, user)
    decide(cycle)
    for user in (board_a, other_officer):
        with pytest.raises(ValidationError, match="Chỉ cán bộ xã"):
            services.reopen(cycle=cycle, reason="Thử", user=user)
    cycle.refresh_from_db()
    assert cycle.is_finalised


def test_ad_hoc_cycles_take_no_stages(commune):
    ad_hoc = ReviewCycleFactory(
        commune=commune,
        year=2024,
        kind=ReviewCycle.Kind.AD_HOC,
        reference_date=datetime.date(2024, 6, 14),
    )
    with pytest.raises(ValidationError, match="thường xuyên"):
        services.advance(cycle=ad_hoc, to_stage=Stage.SURVEY)


def test_a_meeting_with_more_present_than_invited_is_refused(cycle, homes, village_a):
    to_meetings(cycle, homes)
    with pytest.raises(ValidationError) as exc:
        meet(cycle, village_a, present=11, total=10)
    assert "không được lớn hơn tổng số đại diện hộ" in " ".join(exc.value.messages)
    assert not VillageMeeting.objects.exists()


def test_a_village_whose_households_all_moved_out_needs_no_meeting(
    cycle, homes, village_a, village_b
):
    for h in (homes["a1"], homes["a2"]):
        record(cycle, h)
    services.exemption_record(
        cycle=cycle, household=homes["b1"], reason=ReviewExemption.Reason.MOVED_OUT
    )
    services.advance(cycle=cycle, to_stage=Stage.SURVEY)
    services.advance(cycle=cycle, to_stage=Stage.MEETINGS)
    meet(cycle, village_a)
    services.posting_record(cycle=cycle, starts_on=POSTING_DAY)
    cycle.refresh_from_db()
    assert cycle.stage == Stage.POSTING


def test_a_cycle_loaded_whole_and_reopened_can_be_decided_again(
    cycle, homes, village_a, village_b, officer
):
    for h in homes.values():
        record(cycle, h)
    household_services.review_cycle_finalise(cycle=cycle, user=None)  # no stage records
    services.reopen(cycle=cycle, reason="Bổ sung hồ sơ họp thôn", user=officer)
    meet(cycle, village_a)
    meet(cycle, village_b)
    services.posting_record(cycle=cycle, starts_on=POSTING_DAY, user=officer)
    assert decide(cycle, officer).is_finalised


def test_a_meeting_writes_its_results_in_a_bounded_number_of_queries(
    cycle, village_a, django_assert_max_num_queries
):
    """A village of 200 households is recorded in as many statements as a village of 3, and every
    household's result keeps its history row."""
    small = {f"s{i}": home(village_a) for i in range(3)}
    to_meetings(cycle, small)
    with django_assert_max_num_queries(30) as small_run:
        meet(cycle, village_a, not_agreed={small["s0"].pk: "Thu nhập chưa đúng"})
    big = ReviewCycleFactory(commune=cycle.commune, year=2025)
    many = {f"m{i}": home(village_a) for i in range(40)}
    to_meetings(big, {**small, **many})
    with django_assert_max_num_queries(len(small_run.captured_queries)) as big_run:
        meet(big, village_a, not_agreed={many["m0"].pk: "Thu nhập chưa đúng"})
    assert len(big_run.captured_queries) == len(small_run.captured_queries)
    results = MeetingResult.objects.filter(meeting__cycle=big)
    assert results.count() == 43
    assert results.filter(agreed=False).get().household_id == many["m0"].pk
    assert MeetingResult.history.filter(meeting__cycle=big).count() == 43
