"""Every write of a periodic review's stages, each in one transaction under the cycle's row lock.

A periodic cycle moves open → survey → meetings → posting → decided, one step at a time; each move
is refused with the reason while its condition is unmet (:func:`stage_refusals`, the one rule the
page and the move share). Reaching ``decided`` finalises the cycle: its figures become official.
A commune officer may reopen a decided cycle, with a reason; it goes back to the posting stage
and its figures back to provisional. Ad-hoc cycles do not go through these stages.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from areas.models import Area
from areas.scoping import SYSTEM, can_or_system
from core.collation import sorted_vietnamese
from core.formatting import format_int
from households import services as household_services
from households import summary
from households.models import Assessment, Household, ReviewCycle, ReviewExemption
from households.queries import cycle_registry

from .models import Complaint, CycleEvent, MeetingResult, Posting, VillageMeeting
from .queries import Coverage, VillageRow, coverage_of, open_complaints, village_rows
from .workdays import working_days_end

Stage = ReviewCycle.Stage
ORDER = [Stage.OPEN, Stage.SURVEY, Stage.MEETINGS, Stage.POSTING, Stage.DECIDED]


def next_stage(stage: str) -> str | None:
    i = ORDER.index(stage)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the conditions ---------------------------------------------------------------------------


def stage_refusals(
    cycle: ReviewCycle, target: str, rows: list[VillageRow] | None = None, *, today=None
) -> list[str]:
    """Why ``cycle`` cannot enter ``target`` yet (empty: it can). Each stage also needs what the
    ones before it needed. The decision's own inputs (number, date, signer) are checked by
    :func:`decide`."""
    if target in (Stage.OPEN, Stage.SURVEY):
        return []
    rows = village_rows(cycle) if rows is None else rows
    refusals = []
    coverage = coverage_of(rows)
    if coverage.missing:
        refusals.append(missing_message(coverage))
    if target in (Stage.POSTING, Stage.DECIDED):
        without = [r.village.name for r in rows if r.reviewed and not r.meeting_agreed]
        if without:
            refusals.append(
                _(
                    "Chưa có biên bản họp thôn đủ ít nhất một nửa số đại diện hộ có mặt: "
                    "%(villages)s."
                )
                % {"villages": ", ".join(sorted_vietnamese(without))}
            )
        not_agreed = sum(r.not_agreed for r in rows)
        if not_agreed:
            refusals.append(
                _("Còn %(count)s hộ họp thôn không nhất trí kết quả, chưa được rà soát lại.")
                % {"count": format_int(not_agreed)}
            )
    if target == Stage.DECIDED:
        posting = Posting.objects.filter(cycle=cycle).first()
        today = today or timezone.localdate()
        if posting is None:
            refusals.append(_("Chưa niêm yết công khai kết quả rà soát."))
        elif posting.ends_on >= today:
            refusals.append(
                _("Thời gian niêm yết chưa kết thúc: niêm yết đến hết ngày %(day)s.")
                % {"day": _day(posting.ends_on)}
            )
        complaints = open_complaints(cycle).count()
        if complaints:
            refusals.append(
                _("Còn %(count)s khiếu nại chưa giải quyết.") % {"count": format_int(complaints)}
            )
    return refusals


def missing_message(coverage: Coverage) -> str:
    return _(
        "Còn %(missing)s/%(total)s hộ trong danh sách chưa có kết quả rà soát và chưa ghi lý do "
        "(chuyển đi, tách hộ, giữ kết quả năm trước)."
    ) % {"missing": format_int(coverage.missing), "total": format_int(coverage.total)}


# --- moving a cycle ---------------------------------------------------------------------------


def _require_officer(user, cycle: ReviewCycle) -> None:
    if not can_or_system(user, "review", cycle.commune):
        raise ValidationError(
            _("Chỉ cán bộ xã %(commune)s được chuyển bước, quyết định hoặc mở lại đợt rà soát.")
            % {"commune": cycle.commune.name}
        )


def _lock(cycle: ReviewCycle, *, user=SYSTEM, officer=True, draft=True) -> ReviewCycle:
    """The cycle re-read under a row lock; refused when ad hoc, finalised (``draft``) or, with
    ``officer``, when the user may not run the commune's review."""
    locked = (
        # FOR NO KEY UPDATE of the cycle alone: FOR UPDATE, of the commune too, would block
        # the commit of any row that references them (a summary row, a household) while this
        # write waits for a village's summary lock (docs/architecture.md, "Summary counts").
        ReviewCycle.objects.select_for_update(no_key=True, of=("self",))
        .select_related("commune", "standard")
        .get(pk=cycle.pk)
    )
    if locked.kind != ReviewCycle.Kind.PERIODIC:
        raise ValidationError(
            _("Đợt rà soát thường xuyên không đi qua các bước của rà soát định kỳ.")
        )
    if officer:
        _require_officer(user, locked)
    if draft and locked.is_finalised:
        raise ValidationError(
            _("Đợt rà soát %(cycle)s đã có quyết định công nhận; hãy mở lại đợt trước khi sửa.")
            % {"cycle": locked}
        )
    return locked


def _in_stage(cycle: ReviewCycle, *stages: str, doing: str) -> None:
    if cycle.stage not in stages:
        raise ValidationError(
            _("Đợt đang ở bước “%(stage)s”: chưa %(doing)s được.")
            % {"stage": cycle.get_stage_display(), "doing": doing}
        )


def _move(cycle: ReviewCycle, to: str, user, reason: str = "", fields=()) -> None:
    CycleEvent.objects.create(
        cycle=cycle, from_stage=cycle.stage, to_stage=to, user=user, reason=reason
    )
    cycle.stage = to
    cycle._change_reason = reason or _("Chuyển sang bước “%(stage)s”") % {
        "stage": cycle.get_stage_display()
    }
    cycle.save(update_fields=["stage", *fields])


@transaction.atomic
def advance(*, cycle: ReviewCycle, to_stage: str, user=SYSTEM) -> ReviewCycle:
    """Open → survey → meetings: the steps that need no record of their own (the posting and the
    decision have theirs: :func:`posting_record`, :func:`decide`). Asking again for the stage the
    cycle is already in changes nothing (a form posted twice)."""
    cycle = _lock(cycle, user=user)
    if cycle.stage == to_stage:
        return cycle
    if to_stage not in (Stage.SURVEY, Stage.MEETINGS) or next_stage(cycle.stage) != to_stage:
        raise ValidationError(
            _("Không chuyển được từ bước “%(stage)s” sang bước đã chọn.")
            % {"stage": cycle.get_stage_display()}
        )
    refusals = stage_refusals(cycle, to_stage)
    if refusals:
        raise ValidationError(refusals)
    _move(cycle, to_stage, user)
    return cycle


# --- village meetings -------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    cycle: ReviewCycle,
    village: Area,
    held_on: datetime.date,
    chair: str,
    representatives_present: int,
    representatives_total: int,
    secretary: str = "",
    place: str = "",
    note: str = "",
    not_agreed: dict[int, str] | None = None,
    user=SYSTEM,
) -> VillageMeeting:
    """Record (or correct) a village's meeting and each household's agreement: every household of
    the village's registry with a result in the cycle is agreed unless in ``not_agreed``
    (household id → note). The commune officer or the village's own board records it. Values
    already stored are not written again."""
    cycle = _lock(cycle, officer=False)
    if village.parent_id != cycle.commune_id or village.kind != Area.Kind.VILLAGE:
        raise ValidationError(_("Thôn không thuộc xã của đợt rà soát."))
    if not can_or_system(user, "edit_registry", village):
        raise ValidationError(
            _("Bạn không được ghi biên bản họp của %(village)s.") % {"village": village.name}
        )
    _in_stage(cycle, Stage.MEETINGS, Stage.POSTING, doing=_("ghi biên bản họp thôn"))
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Ngày họp không được sau hôm nay.")})
    values = {
        "held_on": held_on,
        "chair": chair.strip(),
        "secretary": secretary.strip(),
        "place": place.strip(),
        "representatives_present": representatives_present,
        "representatives_total": representatives_total,
        "note": note.strip(),
    }
    meeting = VillageMeeting.objects.filter(cycle=cycle, village=village).first()
    if meeting is None:
        meeting = VillageMeeting(cycle=cycle, village=village, recorded_by=user, **values)
        meeting.full_clean(exclude=["recorded_by"])
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            raise ValidationError(_("Thôn này đã có biên bản họp trong đợt rà soát này.")) from None
    else:
        changed = [f for f, v in values.items() if getattr(meeting, f) != v]
        if changed:
            for f in changed:
                setattr(meeting, f, values[f])
            meeting.recorded_by = user
            meeting.full_clean(exclude=["recorded_by"])
            meeting.save(update_fields=[*changed, "recorded_by", "recorded_at"])
    _meeting_results(cycle, meeting, not_agreed or {}, user=user)
    return meeting


def meeting_households(cycle: ReviewCycle, village: Area):
    """The village's households with a result in the cycle: those its meeting judges."""
    reviewed = Assessment.objects.filter(cycle=cycle).values("household_id")
    return (
        cycle_registry(cycle)
        .filter(village=village, pk__in=reviewed)
        .order_by("head_sort", "head_name", "code")
    )


def _meeting_results(
    cycle, meeting: VillageMeeting, not_agreed: dict[int, str], user=SYSTEM
) -> None:
    households = list(meeting_households(cycle, meeting.village).values_list("pk", flat=True))
    unknown = set(not_agreed) - set(households)
    if unknown:
        raise ValidationError(_("Có hộ không thuộc thôn hoặc chưa có kết quả trong đợt."))
    existing = {r.household_id: r for r in meeting.results.all()}
    to_create, to_update = [], []
    now = timezone.now()
    for household_id in households:
        agreed = household_id not in not_agreed
        note = (not_agreed.get(household_id) or "").strip()
        row = existing.get(household_id)
        if row is None:
            to_create.append(
                MeetingResult(meeting=meeting, household_id=household_id, agreed=agreed, note=note)
            )
        elif (row.agreed, row.note) != (agreed, note):
            row.agreed, row.note, row.recorded_at = agreed, note, now
            to_update.append(row)
    # a village of 200 households is written in a few statements, with their history rows
    if to_create:
        bulk_create_with_history(to_create, MeetingResult, batch_size=500, default_user=user)
    if to_update:
        bulk_update_with_history(
            to_update,
            MeetingResult,
            ["agreed", "note", "recorded_at"],
            batch_size=500,
            default_user=user,
        )


# --- posting and complaints -------------------------------------------------------------------


@transaction.atomic
def posting_record(
    *, cycle: ReviewCycle, starts_on: datetime.date, place: str = "", user=SYSTEM
) -> Posting:
    """Post the results: from the meetings stage this moves the cycle to posting, once every
    condition holds; in the posting stage it changes the dates (a new posting, after a reopening
    for instance). The end is 3 working days from the start (``review.workdays``)."""
    cycle = _lock(cycle, user=user)
    _in_stage(cycle, Stage.MEETINGS, Stage.POSTING, doing=_("niêm yết"))
    last_meeting = (
        VillageMeeting.objects.filter(cycle=cycle)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
    ).first()
    if last_meeting and starts_on < last_meeting:
        raise ValidationError(
            {
                "starts_on": _("Ngày niêm yết không được trước ngày họp thôn cuối cùng (%(day)s).")
                % {"day": _day(last_meeting)}
            }
        )
    values = {
        "starts_on": starts_on,
        "ends_on": working_days_end(starts_on),
        "place": place.strip(),
    }
    if cycle.stage == Stage.MEETINGS:
        refusals = stage_refusals(cycle, Stage.POSTING)
        if refusals:
            raise ValidationError(refusals)
    posting = Posting.objects.filter(cycle=cycle).first()
    if posting is None:
        try:
            with transaction.atomic():
                posting = Posting.objects.create(cycle=cycle, recorded_by=user, **values)
        except IntegrityError:
            raise ValidationError(_("Đợt rà soát này đã được niêm yết.")) from None
    else:
        changed = [f for f, v in values.items() if getattr(posting, f) != v]
        if changed:
            for f in changed:
                setattr(posting, f, values[f])
            posting.recorded_by = user
            posting.save(update_fields=[*changed, "recorded_by", "recorded_at"])
    if cycle.stage == Stage.MEETINGS:
        _move(cycle, Stage.POSTING, user)
    return posting


@transaction.atomic
def complaint_record(
    *,
    cycle: ReviewCycle,
    household: Household,
    complainant: str,
    content: str,
    received_on: datetime.date,
    user=SYSTEM,
) -> Complaint:
    """A complaint received while the results are posted. The same complaint sent twice is kept
    once."""
    cycle = _lock(cycle, user=user)
    _in_stage(cycle, Stage.POSTING, doing=_("tiếp nhận khiếu nại"))
    posting = Posting.objects.filter(cycle=cycle).first()
    if posting is None:
        raise ValidationError(_("Chưa ghi thời gian niêm yết công khai."))
    if not posting.is_open_on(received_on) or received_on > timezone.localdate():
        raise ValidationError(
            {
                "received_on": _(
                    "Chỉ tiếp nhận khiếu nại trong thời gian niêm yết, từ %(start)s đến %(end)s, "
                    "và không sau hôm nay."
                )
                % {"start": _day(posting.starts_on), "end": _day(posting.ends_on)}
            }
        )
    if not cycle_registry(cycle).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("Hộ không thuộc danh sách của đợt rà soát.")})
    values = {
        "cycle": cycle,
        "household": household,
        "complainant": complainant.strip(),
        "content": content.strip(),
        "received_on": received_on,
    }
    twin = Complaint.objects.filter(**values).first()
    if twin is not None:
        return twin
    complaint = Complaint(recorded_by=user, **values)
    complaint.full_clean(exclude=["recorded_by", "cycle", "household"])
    complaint.save()
    return complaint


@transaction.atomic
def complaint_resolve(
    *, complaint: Complaint, resolved_on: datetime.date, resolution: str, user=SYSTEM
) -> Complaint:
    """Record how a complaint was resolved (a re-check changes the household's result through the
    review form, with its history)."""
    _lock(complaint.cycle, user=user)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Hãy ghi kết quả giải quyết.")})
    if resolved_on < complaint.received_on or resolved_on > timezone.localdate():
        raise ValidationError(
            {
                "resolved_on": _("Ngày giải quyết phải từ ngày tiếp nhận (%(day)s) đến hôm nay.")
                % {"day": _day(complaint.received_on)}
            }
        )
    if (complaint.resolved_on, complaint.resolution) != (resolved_on, resolution):
        complaint.resolved_on, complaint.resolution = resolved_on, resolution
        complaint.save(update_fields=["resolved_on", "resolution"])
    return complaint


# --- the decision and reopening ---------------------------------------------------------------

# What the decision sets and a reopening empties.
DECISION_FIELDS = (
    "status",
    "finalised_at",
    "finalised_by",
    "decision_number",
    "decision_date",
    "decision_signer",
)


@transaction.atomic
def decide(
    *,
    cycle: ReviewCycle,
    decision_number: str,
    decision_date: datetime.date,
    decision_signer: str,
    user=SYSTEM,
) -> ReviewCycle:
    """The commune's decision recognising the lists: the cycle is finalised and its figures
    official. Needs every earlier condition, the posting ended before the decision date and no
    open complaint."""
    decision_number, decision_signer = decision_number.strip(), decision_signer.strip()
    cycle = _lock(cycle, user=user, draft=False)
    if cycle.is_finalised:
        if cycle.decision_number == decision_number:
            return cycle  # the same form posted twice
        raise ValidationError(
            _("Đợt rà soát đã có quyết định công nhận số %(number)s.")
            % {"number": cycle.decision_number}
        )
    _in_stage(cycle, Stage.POSTING, doing=_("quyết định công nhận"))
    errors = {}
    if not decision_number:
        errors["decision_number"] = _("Hãy nhập số quyết định.")
    if not decision_signer:
        errors["decision_signer"] = _("Hãy nhập người ký quyết định.")
    today = timezone.localdate()
    if decision_date > today:
        errors["decision_date"] = _("Ngày quyết định không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    refusals = stage_refusals(cycle, Stage.DECIDED, today=decision_date)
    if refusals:
        raise ValidationError(refusals)
    cycle.status = ReviewCycle.Status.FINALISED
    cycle.finalised_at = timezone.now()
    cycle.finalised_by = user
    cycle.decision_number = decision_number
    cycle.decision_date = decision_date
    cycle.decision_signer = decision_signer
    _move(
        cycle,
        Stage.DECIDED,
        user,
        fields=DECISION_FIELDS,
    )
    household_services.cycle_status_changed(cycle)
    return cycle


@transaction.atomic
def reopen(*, cycle: ReviewCycle, reason: str, user=SYSTEM) -> ReviewCycle:
    """Reopen a decided cycle (commune officer only): back to the posting stage, its figures
    provisional until decided again. The reason is kept in the cycle's events and history; the
    previous decision stays in the history."""
    reason = reason.strip()
    cycle = _lock(cycle, user=user, draft=False)
    if not cycle.is_finalised:
        last = CycleEvent.objects.filter(cycle=cycle).order_by("-at", "-pk").first()
        if last is not None and last.from_stage == Stage.DECIDED and last.reason == reason:
            return cycle  # the same form posted twice
        raise ValidationError(_("Đợt rà soát chưa có quyết định công nhận; không cần mở lại."))
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại đợt rà soát.")})
    cycle.status = ReviewCycle.Status.DRAFT
    cycle.finalised_at = None
    cycle.finalised_by = None
    cycle.decision_number = ""
    cycle.decision_date = None
    cycle.decision_signer = ""
    _move(
        cycle,
        Stage.POSTING,
        user,
        reason=reason,
        fields=DECISION_FIELDS,
    )
    household_services.cycle_status_changed(cycle)
    return cycle


# --- reasons for no result ---------------------------------------------------------------------


@transaction.atomic
def exemption_record(
    *, cycle: ReviewCycle, household: Household, reason: str, note: str = "", user=SYSTEM
) -> ReviewExemption:
    """Why a household of the cycle's registry has no result in it. Recorded by whoever keeps the
    household's records (the commune officer, the village's board) before the decision; recording
    the same again changes nothing."""
    cycle = _lock(cycle, officer=False)
    if not can_or_system(user, "edit_registry", household.village):
        raise ValidationError(_("Bạn không được ghi lý do cho hộ này."))
    if not cycle_registry(cycle).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("Hộ không thuộc danh sách của đợt rà soát.")})
    if Assessment.objects.filter(cycle=cycle, household=household).exists():
        raise ValidationError(
            {"household": _("Hộ đã có kết quả trong đợt này; không cần ghi lý do.")}
        )
    if reason not in ReviewExemption.Reason.values:
        raise ValidationError({"reason": _("Lý do không hợp lệ.")})
    if (
        reason == ReviewExemption.Reason.KEPT_PREVIOUS
        and not Assessment.objects.filter(
            household=household,
            cycle__kind=ReviewCycle.Kind.PERIODIC,
            cycle__status=ReviewCycle.Status.FINALISED,
            cycle__year__lt=cycle.year,
        ).exists()
    ):
        raise ValidationError(
            {"reason": _("Hộ chưa có kết quả rà soát đã chốt của năm trước để giữ lại.")}
        )
    note = note.strip()
    exemption = ReviewExemption.objects.filter(cycle=cycle, household=household).first()
    if exemption is None:
        try:
            with transaction.atomic():
                exemption = ReviewExemption.objects.create(
                    cycle=cycle, household=household, reason=reason, note=note, recorded_by=user
                )
        except IntegrityError:
            raise ValidationError(_("Hộ này đã có lý do không rà soát trong đợt này.")) from None
    elif (exemption.reason, exemption.note) != (reason, note):
        exemption.reason, exemption.note, exemption.recorded_by = reason, note, user
        exemption.save(update_fields=["reason", "note", "recorded_by"])
    _kept_changed(exemption)
    return exemption


def _kept_changed(exemption: ReviewExemption) -> None:
    """A household kept at its previous result counts in the year's figures where that result
    was recorded (the summary counts, households/summary.py)."""
    summary.touch(
        summary.villages_of_households([exemption.household_id]), years=[exemption.cycle.year]
    )


@transaction.atomic
def exemption_remove(*, exemption: ReviewExemption, user=SYSTEM) -> None:
    _lock(exemption.cycle, officer=False)
    if not can_or_system(user, "edit_registry", exemption.household.village):
        raise ValidationError(_("Bạn không được xoá lý do của hộ này."))
    exemption.delete()
    _kept_changed(exemption)
