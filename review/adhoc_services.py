"""The writes of an ad-hoc review (rà soát thường xuyên, Decision 24/2021/QĐ-TTg): a household's
application, its result recorded in the commune's ad-hoc cycle, the commune's decision, or its
withdrawal.

A request moves received → assessed → decided, or to withdrawn from either of the first two. Each
step is refused with a message when it comes out of order, and a step posted twice writes once.
The result itself is recorded by ``households.services.assessment_record`` (the one place that
classifies); :func:`result_link` only ties it to the request. The ad-hoc cycle of a commune is one
per month, its reference date the month's last day (``docs/decisions-review.md``, "Ad-hoc review").
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM, can_or_system
from core.text import nfc
from households import services as household_services
from households.models import Assessment, Household, ReviewCycle, ReviewRequest

Status = ReviewRequest.Status
OPEN = (Status.RECEIVED, Status.ASSESSED)
#: the room simple_history keeps for a change's reason (``history_change_reason``)
REASON_MAX = 100


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _require_reviewer(user, household: Household) -> None:
    if not can_or_system(user, ReviewRequest.objects.none().edit_action, household.village):
        raise ValidationError(
            _("Bạn không có quyền ghi đề nghị rà soát của hộ %(code)s.") % {"code": household.code}
        )


def _not_future(day: datetime.date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


def _locked(request: ReviewRequest) -> ReviewRequest:
    """The request re-read under a row lock: of two posts of one step, the second sees the
    first's write."""
    return (
        ReviewRequest.objects.select_for_update(of=("self",))
        .select_related("household__village", "assessment__cycle")
        .get(pk=request.pk)
    )


# --- the application --------------------------------------------------------------------------


@transaction.atomic
def request_record(
    *,
    household: Household,
    kind: str,
    received_on: datetime.date,
    applicant: str = "",
    note: str = "",
    user=SYSTEM,
) -> tuple[ReviewRequest, bool]:
    """Record a household's application; returns (request, created). The same application
    posted again (an open request of the same kind, date, applicant and content) is returned as
    it is; another open request of the same kind is refused."""
    _require_reviewer(user, household)
    # One application at a time per household: the second of two simultaneous posts waits here.
    # FOR NO KEY UPDATE of the household alone (not its village, which the summary locks).
    household = (
        Household.objects.select_for_update(no_key=True, of=("self",))
        .select_related("village")
        .get(pk=household.pk)
    )
    applicant, note = nfc((applicant or "").strip()), nfc((note or "").strip())
    if kind not in ReviewRequest.Kind.values:
        raise ValidationError({"kind": _("Hãy chọn loại đề nghị.")})
    if received_on is None:
        raise ValidationError({"received_on": _("Hãy nhập ngày nhận đơn.")})
    _not_future(received_on, "received_on", _("Ngày nhận đơn không thể ở tương lai."))
    if not Household.objects.in_registry_at(received_on).filter(pk=household.pk).exists():
        raise ValidationError(
            {
                "received_on": _("Hộ %(code)s không có trong danh sách hộ của xã vào ngày %(day)s.")
                % {"code": household.code, "day": _day(received_on)}
            }
        )
    pending = ReviewRequest.objects.filter(household=household, kind=kind, status__in=OPEN).first()
    if pending is not None:
        if (pending.received_on, pending.applicant, pending.note) == (received_on, applicant, note):
            return pending, False  # the same form posted twice
        raise ValidationError(
            _(
                "Hộ %(code)s đang có đơn “%(kind)s” nhận ngày %(day)s chưa giải quyết: hãy ghi "
                "quyết định hoặc rút đơn đó trước khi ghi đơn mới."
            )
            % {
                "code": household.code,
                "kind": pending.get_kind_display(),
                "day": _day(pending.received_on),
            }
        )
    request = ReviewRequest(
        household=household,
        kind=kind,
        received_on=received_on,
        applicant=applicant,
        note=note,
        recorded_by=user,
    )
    request.full_clean(exclude=["recorded_by"])  # None when the system records
    request.save()
    return request, True


# --- the result -------------------------------------------------------------------------------


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def adhoc_cycle(*, commune: Area, day: datetime.date) -> ReviewCycle:
    """The commune's ad-hoc cycle of the month of ``day``, created when the month has none yet
    (its standard the one in force on the month's last day)."""
    reference_date = month_end(day)
    found = ReviewCycle.objects.filter(
        commune=commune, kind=ReviewCycle.Kind.AD_HOC, reference_date=reference_date
    )
    cycle = found.first()
    if cycle is None:
        try:
            cycle = household_services.review_cycle_create(
                commune=commune,
                year=reference_date.year,
                kind=ReviewCycle.Kind.AD_HOC,
                reference_date=reference_date,
            )
        except ValidationError:
            cycle = found.first()  # created by a simultaneous request: use it
            if cycle is None:
                raise
    return cycle


def status_refusal(request: ReviewRequest) -> str | None:
    """Why no result can be recorded for the request any more, or None."""
    if request.status == Status.DECIDED:
        return _(
            "Đề nghị đã có quyết định số %(number)s ngày %(day)s; không sửa kết quả được nữa."
        ) % {"number": request.decision_number, "day": _day(request.decision_date)}
    if request.status == Status.WITHDRAWN:
        return _("Đề nghị đã rút; không nhập kết quả được.")
    return None


def result_refusal(request: ReviewRequest, cycle: ReviewCycle) -> str | None:
    """Why the request's result cannot be recorded in ``cycle`` now, or None: the one rule the
    page and the write share."""
    refusal = status_refusal(request)
    if refusal:
        return refusal
    household = request.household
    if cycle.kind != ReviewCycle.Kind.AD_HOC or cycle.commune_id != household.commune_id:
        return _("Kết quả của đề nghị được nhập trong đợt rà soát thường xuyên của xã.")
    if request.assessment_id and request.assessment.cycle_id != cycle.pk:
        return _("Đề nghị đã có kết quả trong đợt %(cycle)s tháng %(month)s; hãy sửa ở đó.") % {
            "cycle": request.assessment.cycle.get_kind_display(),
            "month": f"{request.assessment.cycle.reference_date:%m/%Y}",
        }
    if cycle.reference_date < request.received_on:
        return _("Đợt rà soát tháng %(month)s đã qua trước ngày nhận đơn %(day)s.") % {
            "month": f"{cycle.reference_date:%m/%Y}",
            "day": _day(request.received_on),
        }
    if cycle.is_finalised:
        return _("Đợt rà soát thường xuyên tháng %(month)s đã chốt; không nhập kết quả được.") % {
            "month": f"{cycle.reference_date:%m/%Y}"
        }
    other = (
        ReviewRequest.objects.filter(assessment__cycle=cycle, household_id=household.pk)
        .exclude(pk=request.pk)
        .first()
    )
    if other is not None:
        return _(
            "Hộ đã có kết quả rà soát thường xuyên tháng %(month)s cho đơn nhận ngày %(day)s; "
            "mỗi hộ có một kết quả mỗi tháng."
        ) % {"month": f"{cycle.reference_date:%m/%Y}", "day": _day(other.received_on)}
    return None


@transaction.atomic
def result_cycle(*, request: ReviewRequest, day: datetime.date, user=SYSTEM) -> ReviewCycle:
    """The ad-hoc cycle in which the request's result is recorded: that of the month of ``day``,
    the date of the review; a result already recorded stays in its own cycle."""
    request = _locked(request)
    _require_reviewer(user, request.household)
    refusal = status_refusal(request)
    if refusal:
        raise ValidationError(refusal)
    if request.assessment_id:
        cycle = request.assessment.cycle
    else:
        if day is None:
            raise ValidationError({"review_date": _("Hãy nhập ngày rà soát.")})
        _not_future(day, "review_date", _("Ngày rà soát không thể ở tương lai."))
        if day < request.received_on:
            raise ValidationError(
                {
                    "review_date": _("Ngày rà soát không thể trước ngày nhận đơn %(day)s.")
                    % {"day": _day(request.received_on)}
                }
            )
        cycle = adhoc_cycle(commune=request.household.commune, day=day)
    refusal = result_refusal(request, cycle)
    if refusal:
        raise ValidationError(refusal)
    return cycle


def result_lock(*, request: ReviewRequest, cycle: ReviewCycle, user=SYSTEM) -> ReviewRequest:
    """The request locked until the caller's transaction ends, once its result may be recorded
    in ``cycle`` (else the refusal): between the result and :func:`result_link`, no other step
    can move it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("result_lock holds its lock within the caller's transaction")
    request = _locked(request)
    _require_reviewer(user, request.household)
    refusal = result_refusal(request, cycle)
    if refusal:
        raise ValidationError(refusal)
    return request


@transaction.atomic
def result_link(*, request: ReviewRequest, assessment: Assessment, user=SYSTEM) -> ReviewRequest:
    """Tie the result recorded in the ad-hoc cycle to the request: it is now assessed."""
    request = _locked(request)
    _require_reviewer(user, request.household)
    if assessment.household_id != request.household_id:
        raise ValidationError(_("Kết quả này không phải của hộ làm đơn."))
    refusal = result_refusal(request, assessment.cycle)
    if refusal:
        raise ValidationError(refusal)
    if request.assessment_id == assessment.pk and request.status == Status.ASSESSED:
        return request  # the result was corrected: the request already points at it
    request.assessment = assessment
    request.status = Status.ASSESSED
    request.save(update_fields=["assessment", "status"])
    return request


# --- the decision, or the withdrawal ----------------------------------------------------------


def decision_refusal(request: ReviewRequest) -> str | None:
    """Why the commune's decision cannot be recorded on the request now, or None."""
    if request.status == Status.DECIDED:
        return _("Đề nghị đã có quyết định số %(number)s ngày %(day)s.") % {
            "number": request.decision_number,
            "day": _day(request.decision_date),
        }
    if request.status == Status.WITHDRAWN:
        return _("Đề nghị đã rút; không ghi quyết định được.")
    if request.status != Status.ASSESSED or not request.assessment_id:
        return _("Chưa có kết quả rà soát: hãy nhập kết quả trước khi ghi quyết định.")
    return None


@transaction.atomic
def request_decide(
    *,
    request: ReviewRequest,
    decision_number: str,
    decision_date: datetime.date,
    user=SYSTEM,
) -> ReviewRequest:
    """Record the commune's decision on an assessed request."""
    request = _locked(request)
    _require_reviewer(user, request.household)
    number = nfc((decision_number or "").strip())
    same = (request.decision_number, request.decision_date) == (number, decision_date)
    if request.status == Status.DECIDED and same:
        return request  # the same decision posted twice
    refusal = decision_refusal(request)
    if refusal:
        raise ValidationError(refusal)
    if not number:
        raise ValidationError({"decision_number": _("Hãy nhập số quyết định.")})
    if decision_date is None:
        raise ValidationError({"decision_date": _("Hãy nhập ngày quyết định.")})
    _not_future(decision_date, "decision_date", _("Ngày quyết định không thể ở tương lai."))
    if decision_date < request.received_on:
        raise ValidationError(
            {
                "decision_date": _("Ngày quyết định không thể trước ngày nhận đơn %(day)s.")
                % {"day": _day(request.received_on)}
            }
        )
    request.decision_number = number
    request.decision_date = decision_date
    request.status = Status.DECIDED
    request.full_clean(exclude=["recorded_by"])  # None when the system records
    request.save(update_fields=["decision_number", "decision_date", "status"])
    return request


def withdrawal_refusal(request: ReviewRequest) -> str | None:
    """Why the request cannot be withdrawn now, or None."""
    if request.status == Status.DECIDED:
        return _("Đề nghị đã có quyết định; không rút được.")
    if request.status == Status.WITHDRAWN:
        return _("Đề nghị đã rút.")
    return None


@transaction.atomic
def request_withdraw(*, request: ReviewRequest, reason: str, user=SYSTEM) -> ReviewRequest:
    """Close a request without a decision (the household withdrew it, or it is not considered);
    the reason is kept in the request's history."""
    request = _locked(request)
    _require_reviewer(user, request.household)
    if request.status == Status.WITHDRAWN:
        return request  # withdrawn already: posted twice
    refusal = withdrawal_refusal(request)
    if refusal:
        raise ValidationError(refusal)
    reason = nfc((reason or "").strip())
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do rút đơn hoặc không xét.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Lý do dài quá %(n)s ký tự.") % {"n": REASON_MAX}})
    request.status = Status.WITHDRAWN
    request._change_reason = reason
    request.save(update_fields=["status"])
    return request
