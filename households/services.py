"""Every write to the registry and the review goes through these functions.

Each runs in a transaction, validates with ``full_clean()`` and raises ``ValidationError`` with a
message for the user; nothing is half-written. Classification always goes through
:func:`indicators.rules.classify`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from areas.models import Area
from core.collation import vietnamese_sort_text
from core.formatting import format_int
from core.text import nfc
from indicators.models import Indicator, PovertyStandard
from indicators.rules import ClassificationError, classify

from . import summary
from .models import (
    Assessment,
    Deprivation,
    Household,
    IndicatorOverride,
    Member,
    ReviewCycle,
    ReviewRequest,
)
from .queries import cycle_coverage
from .search import search_text_for
from .standing import registry_refusal

logger = logging.getLogger("povertyplan.security")


def _clean_text_fields(fields: dict) -> dict:
    return {key: nfc(value) for key, value in fields.items()}


# --- registry -------------------------------------------------------------------------------


class ConflictError(ValidationError):
    """Someone else saved the record after this user opened it (optimistic version check)."""

    def __init__(self, message, *, current):
        super().__init__(message, code="conflict")
        self.current = current


def refresh_search_text(household: Household) -> None:
    members = household.members.values_list("full_name", "citizen_id")
    text = search_text_for(household.code, household.head_name, members)
    head_sort = vietnamese_sort_text(household.head_name)
    Household.objects.filter(pk=household.pk).update(search_text=text, head_sort=head_sort)
    household.search_text, household.head_sort = text, head_sort


@transaction.atomic
def household_create(*, village: Area, code: str, head_name: str, **fields) -> Household:
    household = Household(
        commune=village.parent if village.kind == Area.Kind.VILLAGE else village,
        village=village,
        code=nfc(code),
        head_name=nfc(head_name),
        **_clean_text_fields(fields),
    )
    household.full_clean()
    household.save()
    refresh_search_text(household)
    summary.touch([household.village_id], registry_only=True)
    return household


@transaction.atomic
def household_update(
    *, household: Household, expected_version: int | None = None, user=None, **fields
) -> Household:
    """Change a household's fields; refused with :class:`ConflictError` if it changed meanwhile."""
    # FOR NO KEY UPDATE (as every lock a write takes before the summary's): FOR UPDATE would
    # block the commit of another writer's result of this household (its foreign-key check)
    # while this one waits for the village that writer holds (docs/architecture.md).
    current = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
    fields = _clean_text_fields(fields)
    if expected_version is not None and current.version != expected_version:
        unchanged = all(getattr(current, k) == v for k, v in fields.items())
        if unchanged:  # the same edit sent twice (double submit): nothing to do
            current.replayed = True  # the members' rows of that post were written then too
            return current
        raise ConflictError(
            _(
                "Hộ này vừa được người khác sửa sau khi bạn mở trang. Hãy xem lại thay đổi của họ "
                "rồi lưu lại."
            ),
            current=current,
        )
    moved_from = current.village_id
    counted = _changes_counts(current, fields)
    for key, value in fields.items():
        setattr(current, key, value)
    if "village" in fields:
        current.commune = current.village.parent
    current.version += 1
    current.full_clean()
    current.save()
    refresh_search_text(current)
    if counted:
        summary.touch({moved_from, *summary.villages_of_households([current.pk])})
    return current


def _changes_counts(household: Household, fields: dict) -> bool:
    """Whether ``fields`` change what the summary counts of ``household``: its village or its
    registry dates. Compared with the values saved, since the edit form sends every field."""
    if "village" in fields and getattr(fields["village"], "pk", None) != household.village_id:
        return True
    return any(
        key in fields and fields[key] != getattr(household, key)
        for key in ("joined_registry_on", "left_registry_on")
    )


@transaction.atomic
def member_add(*, household: Household, **fields) -> Member:
    member = Member(household=household, **_clean_text_fields(fields))
    member.full_clean(validate_constraints=False)
    _check_citizen_id(member, household)
    member.save()
    refresh_search_text(household)
    return member


def citizen_id_unavailable_message() -> str:
    return _(
        "Số CCCD này đã được dùng cho một người khác nên chưa lưu được. Nếu đúng là số của "
        "thành viên này, hãy liên hệ cán bộ xã để kiểm tra."
    )


def citizen_ids_unavailable_message() -> str:
    return _(
        "Không ghi được: có số CCCD trong tệp đã được dùng cho người ở ngoài phạm vi bạn được "
        "nhập, nên không có gì được ghi. Để bảo vệ dữ liệu cá nhân, hệ thống không cho biết số "
        "nào hay của ai; nếu các số là đúng, hãy liên hệ cán bộ xã hoặc quản trị viên để kiểm "
        "tra."
    )


def _check_citizen_id(member: Member, household: Household) -> None:
    """The citizen ID is unique in the whole database. Held by someone of the household's own
    village (which whoever edits the household may see), the message names them; held anywhere
    else, it names no one and nothing, the same wherever the holder lives (the write must fail,
    but must not tell where a person is registered: docs/decisions-import.md)."""
    if not member.citizen_id:
        return
    holder = (
        Member.objects.filter(citizen_id=member.citizen_id)
        .exclude(pk=member.pk)
        .values_list("full_name", "household__code", "household__village_id")
        .first()
    )
    if holder is None:
        return
    name, code, village_id = holder
    if household.village_id and village_id == household.village_id:
        raise ValidationError(
            {
                "citizen_id": _("Số CCCD %(id)s đã thuộc về “%(name)s” của hộ %(code)s.")
                % {"id": member.citizen_id, "name": name, "code": code}
            }
        )
    logger.warning("Citizen ID refused for household %s: held outside its village", household.pk)
    raise ValidationError({"citizen_id": citizen_id_unavailable_message()})


class Removal(models.TextChoices):
    """Why a member leaves a household; kept as the change reason of the member's history."""

    DIED = "died", _("Mất")
    MOVED = "moved", _("Chuyển đi")
    SPLIT = "split", _("Tách hộ")
    MARRIED = "married", _("Kết hôn chuyển đi")
    OTHER = "other", _("Khác")


REMOVAL_NOTE_MAX = 80  # the history's change reason holds 100 characters


@dataclass
class MemberRemoval:
    member: Member
    reason: str
    note: str = ""


@dataclass
class Split:
    """The new household that the members removed as "split" form (code unique in the commune)."""

    code: str
    on: datetime.date | None = None


@transaction.atomic
def members_save(
    *,
    household: Household,
    changed: Sequence[Member],
    deleted: Sequence[Member] = (),
    removals: Sequence[MemberRemoval] = (),
    split: Split | None = None,
) -> Household | None:
    """Save a household's edited, new and removed members at once (the edit form's formset).

    Each removal keeps its reason in the member's history; the members removed as "split" go
    to a new household of the same village (returned), created with ``split``'s code and date.
    """
    removals = [*removals, *(MemberRemoval(m, Removal.OTHER) for m in deleted)]
    removals = [r for r in removals if r.member.pk and r.member.household_id == household.pk]
    leaving = [r.member for r in removals if r.reason == Removal.SPLIT]
    new_household = _split_household(household, leaving, split) if leaving else None
    for removal in removals:
        removal.member._change_reason = _removal_text(removal, new_household)
        removal.member.delete()
    for member in changed:
        member.household = household
        for name in ("full_name", "citizen_id", "ethnicity"):
            setattr(member, name, nfc(getattr(member, name)))
        member.full_clean(validate_constraints=False)
        _check_citizen_id(member, household)
        member.save()
    if new_household is not None:
        _move_members(leaving, household, new_household)
    refresh_search_text(household)
    return new_household


def _removal_text(removal: MemberRemoval, new_household: Household | None) -> str:
    if removal.reason == Removal.SPLIT and new_household is not None:
        return _("Tách hộ: sang hộ %(code)s") % {"code": new_household.code}
    label = str(Removal(removal.reason).label)
    note = nfc(removal.note or "").strip()[:REMOVAL_NOTE_MAX]
    return f"{label}: {note}" if note else label


def _split_household(household: Household, leaving: list[Member], split: Split | None):
    code = nfc((split.code if split else "") or "").strip()
    if not code:
        raise ValidationError({"split_code": _("Có thành viên tách hộ: hãy nhập mã của hộ mới.")})
    if Household.objects.filter(commune_id=household.commune_id, code=code).exists():
        raise ValidationError({"split_code": _("Mã hộ %(code)s đã có trong xã.") % {"code": code}})
    on = (split.on if split else None) or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"split_on": _("Ngày tách hộ không được sau hôm nay.")})
    head = next((m for m in leaving if m.relation_to_head == Member.Relation.HEAD), leaving[0])
    return household_create(
        village=household.village,
        code=code,
        head_name=head.full_name,
        ethnicity=household.ethnicity,
        joined_registry_on=on,
        joined_how=Household.Joined.SPLIT,
    )


def _move_members(leaving: list[Member], old: Household, new: Household) -> None:
    """The split members, removed from ``old`` (deleted, their history says where they went),
    are created again in ``new``; the first head among them, or the first, heads it."""
    head = next((m for m in leaving if m.relation_to_head == Member.Relation.HEAD), leaving[0])
    reason = _("Tách từ hộ %(code)s") % {"code": old.code}
    for member in leaving:
        copy = Member(
            household=new,
            **{
                f.attname: getattr(member, f.attname)
                for f in Member._meta.concrete_fields
                if f.attname not in ("id", "household_id")
            },
        )
        if member is head:
            copy.relation_to_head = Member.Relation.HEAD
        copy._change_reason = reason
        copy.full_clean(validate_constraints=False)
        _check_citizen_id(copy, new)
        copy.save()
    refresh_search_text(new)


# --- review cycles --------------------------------------------------------------------------


@transaction.atomic
def review_cycle_create(
    *,
    commune: Area,
    year: int,
    kind: str = ReviewCycle.Kind.PERIODIC,
    reference_date: datetime.date | None = None,
    standard: PovertyStandard | None = None,
) -> ReviewCycle:
    """A new open cycle; without a standard, the newest one in force on the reference date.
    The dates, the standard and duplicates are checked by ``ReviewCycle.clean`` and its
    constraints."""
    if commune.kind != Area.Kind.COMMUNE:
        raise ValidationError({"commune": _("Đợt rà soát phải thuộc một xã.")})
    reference_date = reference_date or datetime.date(year, 12, 14)
    standard = standard or (
        PovertyStandard.objects.in_force_on(reference_date).order_by("-effective_from").first()
    )
    cycle = ReviewCycle(
        commune=commune, year=year, kind=kind, reference_date=reference_date, standard=standard
    )
    if standard is None:
        cycle.full_clean(exclude=["standard"])  # a wrong date is the cause to report
        raise ValidationError(
            {"standard": _("Không có chuẩn nghèo nào áp dụng cho năm %(year)s.") % {"year": year}}
        )
    cycle.full_clean()
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:  # a twin saved between the check and the insert
        raise ValidationError(_("Đợt rà soát này đã được tạo.")) from None
    if kind == ReviewCycle.Kind.PERIODIC:  # its registry is the year's denominator
        summary.touch(summary.villages_of_commune(commune.pk), years=[year])
    return cycle


@transaction.atomic
def review_cycle_finalise(*, cycle: ReviewCycle, user) -> ReviewCycle:
    """Close the cycle. It needs at least one result, and a periodic review one for every
    household of its registry (:func:`queries.households_without_result`)."""
    cycle = _lock_open_cycle(cycle)
    refusal = finalise_refusal(cycle)
    if refusal:
        raise ValidationError(refusal)
    cycle.status = ReviewCycle.Status.FINALISED
    cycle.finalised_at = timezone.now()
    cycle.finalised_by = user
    if cycle.kind == ReviewCycle.Kind.PERIODIC:  # data loaded whole; a commune decides in review
        cycle.stage = ReviewCycle.Stage.DECIDED
    cycle.save(update_fields=["status", "finalised_at", "finalised_by", "stage"])
    cycle_status_changed(cycle)
    return cycle


def cycle_status_changed(cycle: ReviewCycle) -> None:
    """A periodic cycle decided or reopened: its results are carried, or no longer, into the
    figures of later years for the households kept at their previous result."""
    if cycle.kind == ReviewCycle.Kind.PERIODIC:
        summary.touch(summary.villages_of_cycle(cycle))


def finalise_refusal(cycle: ReviewCycle, coverage=None) -> str | None:
    """Why the cycle cannot be closed yet, or None: the one rule the page and the close share."""
    if not cycle.assessments.exists():
        return _("Chưa chốt được đợt rà soát: đợt chưa có kết quả nào.")
    if cycle.kind == ReviewCycle.Kind.PERIODIC:
        coverage = coverage or cycle_coverage(cycle)
        if coverage.missing:
            return _(
                "Chưa chốt được đợt rà soát: còn %(missing)s/%(total)s hộ chưa có kết quả."
            ) % {"missing": format_int(coverage.missing), "total": format_int(coverage.total)}
    return None


def _lock_open_cycle(cycle: ReviewCycle) -> ReviewCycle:
    """Re-read the cycle under a row lock and refuse if it is finalised."""
    locked = (
        ReviewCycle.objects.select_for_update(no_key=True, of=("self",))  # see household_update
        .select_related("standard")
        .get(pk=cycle.pk)
    )
    if locked.is_finalised:
        raise ValidationError(
            _("Đợt rà soát %(cycle)s đã chốt; không thể thay đổi số liệu của đợt này.")
            % {"cycle": locked}
        )
    return locked


# --- assessments ----------------------------------------------------------------------------

CLASSIFICATION_MESSAGES = {
    "missing_area_type": lambda p: _("Thiếu thông tin hộ ở thành thị hay nông thôn."),
    "missing_measure": lambda p: _("Cần nhập thu nhập bình quân đầu người hoặc điểm B1."),
    "negative_income": lambda p: _("Thu nhập không được âm."),
    "negative_b1": lambda p: _("Điểm B1 không được âm."),
    "unknown_indicator": lambda p: (
        _("Chỉ số %(codes)s không thuộc chuẩn nghèo của đợt rà soát.") % p
    ),
    "no_b1_threshold": lambda p: _("Chuẩn nghèo này chưa có ngưỡng điểm B1; hãy nhập thu nhập."),
}
CLASSIFICATION_FIELDS = {
    "negative_income": "income_per_capita",
    "negative_b1": "b1_score",
    "unknown_indicator": "deprived",
    "missing_measure": "income_per_capita",
}


def classification_message(exc: ClassificationError) -> str:
    """The rule's refusal in the user's language."""
    translate = CLASSIFICATION_MESSAGES.get(exc.code)
    return translate(exc.params) if translate else str(exc)


def _as_validation_error(exc: ClassificationError) -> ValidationError:
    message = classification_message(exc)
    field = CLASSIFICATION_FIELDS.get(exc.code)
    return ValidationError({field: message} if field else message, code=exc.code)


# The largest values stored (docs/decisions-import.md): below what the columns hold
# (PositiveIntegerField 2,147,483,647; PositiveSmallIntegerField 32,767; the floor area's
# DecimalField(7, 1) 999,999.9) and above anything plausible, so that a typo or a hostile file
# gets a message in the form or the import preview instead of a database error when written.
INCOME_MAX = 1_000_000_000  # đồng per person per month
MEMBER_COUNT_MAX = 100
FLOOR_AREA_MAX = Decimal("10000")  # m²
YEAR_MIN, YEAR_MAX = 1990, 2100


def b1_score_max() -> int:
    """The largest B1 score (settings.B1_SCORE_MAX; the question weights are unconfirmed)."""
    return min(int(settings.B1_SCORE_MAX), 32_767)


def _maximum(field: str) -> int:
    return {
        "income_per_capita": INCOME_MAX,
        "b1_score": b1_score_max(),
        "member_count": MEMBER_COUNT_MAX,
    }[field]


def _check_number(value, field: str):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ValidationError({field: _("Giá trị phải là một số nguyên.")}) from None
    if value < 0:
        raise ValidationError({field: _("Giá trị không được âm.")})
    if value > _maximum(field):
        raise ValidationError(
            {
                field: _("Giá trị lớn hơn mức tối đa %(limit)s.")
                % {"limit": f"{_maximum(field):,}".replace(",", ".")}
            }
        )
    return value


@dataclass(frozen=True)
class AssessmentEntry:
    household: Household
    income_per_capita: int | None = None
    b1_score: int | None = None
    deprived: Sequence[str] = ()
    member_count: int | None = None


@dataclass(frozen=True)
class Override:
    """An indicator answered against what member/dwelling data says, and why."""

    code: str
    derived_deprived: bool
    recorded_deprived: bool
    reason: str


def assessment_record(
    *,
    cycle: ReviewCycle,
    household: Household,
    income_per_capita: int | None = None,
    b1_score: int | None = None,
    deprived: Iterable[str] = (),
    member_count: int | None = None,
    overrides: Sequence[Override] = (),
    expected_version: int | None = None,
    user=None,
) -> Assessment:
    """Create or update the household's result in ``cycle``, classified by the cycle's standard.

    ``expected_version`` is the version the user opened (None for a new result); a result saved by
    someone else in between is refused with :class:`ConflictError`, unless the same values are
    sent again (a double submit), which changes nothing.
    """
    deprived = tuple(sorted(set(deprived)))
    with transaction.atomic():
        cycle = _lock_open_cycle(cycle)
        current = (
            Assessment.objects.select_for_update().filter(cycle=cycle, household=household).first()
        )
        found_version = current.version if current is not None else 0
        if expected_version is not None and found_version != expected_version:
            same = current is not None and (
                current.income_per_capita == _check_number(income_per_capita, "income_per_capita")
                and current.b1_score == _check_number(b1_score, "b1_score")
                and current.deprived_codes == ",".join(deprived)
            )
            if same:
                return current
            raise ConflictError(
                _("Kết quả rà soát của hộ này vừa được người khác lưu sau khi bạn mở trang."),
                current=current,
            )
        for override in overrides:
            if not (override.reason or "").strip():
                raise ValidationError(
                    {
                        "deprived": _("Chỉ số %(code)s khác với dữ liệu của hộ: hãy ghi lý do.")
                        % {"code": override.code}
                    }
                )
        entry = AssessmentEntry(household, income_per_capita, b1_score, deprived, member_count)
        assessment = assessments_record(cycle=cycle, entries=[entry], user=user)[0]
        IndicatorOverride.objects.filter(assessment=assessment).delete()
        indicators = {i.code: i for i in Indicator.objects.of_standard(assessment.standard)}
        IndicatorOverride.objects.bulk_create(
            IndicatorOverride(
                assessment=assessment,
                indicator=indicators[o.code],
                derived_deprived=o.derived_deprived,
                recorded_deprived=o.recorded_deprived,
                reason=nfc(o.reason),
            )
            for o in overrides
            if o.code in indicators
        )
        return assessment


@transaction.atomic
def assessments_record(
    *, cycle: ReviewCycle, entries: Sequence[AssessmentEntry], user=None
) -> list[Assessment]:
    """Record many results in one transaction: all are written, or none.

    Uses a fixed number of queries for any number of entries (bulk paths), so imports and the
    demo loader can use it for thousands of households.
    """
    cycle = _lock_open_cycle(cycle)
    standard = cycle.standard
    rule = standard.rule()
    indicators = {i.code: i for i in Indicator.objects.of_standard(standard)}
    household_ids = [e.household.pk for e in entries]
    if len(set(household_ids)) != len(household_ids):
        raise ValidationError(_("Một hộ xuất hiện hai lần trong cùng một lần ghi kết quả."))
    member_counts = _member_counts(household_ids, entries)
    existing = {
        a.household_id: a
        for a in Assessment.objects.filter(cycle=cycle, household_id__in=household_ids)
    }
    touched = {a.village_id for a in existing.values()}  # where the results counted until now
    if existing and (
        decided := ReviewRequest.objects.filter(
            assessment__in=existing.values(), status=ReviewRequest.Status.DECIDED
        ).values_list("household__code", flat=True)
    ):  # the commune decided on these results (ad-hoc review): they stay as decided
        raise ValidationError(
            _("Xã đã có quyết định theo kết quả của hộ %(codes)s; không sửa được.")
            % {"codes": ", ".join(decided)}
        )
    now = timezone.now()
    to_create, to_update = [], []
    for entry in entries:
        household = entry.household
        if refusal := registry_refusal(household, cycle):  # not of the cycle's registry
            raise ValidationError(refusal)
        income = _check_number(entry.income_per_capita, "income_per_capita")
        b1 = _check_number(entry.b1_score, "b1_score")
        members = _check_number(member_counts[household.pk], "member_count")
        if not members:
            raise ValidationError(
                {
                    "member_count": _("Hộ %(code)s chưa có thành viên nào.")
                    % {"code": household.code}
                }
            )
        try:
            result = classify(
                rule, urban=household.is_urban, income=income, b1_score=b1, deprived=entry.deprived
            )
        except ClassificationError as exc:
            raise _as_validation_error(exc) from exc
        assessment = existing.get(household.pk) or Assessment(cycle=cycle, household=household)
        assessment.village_id = household.village_id
        assessment.standard = standard
        assessment.is_urban = household.is_urban
        assessment.income_per_capita = income
        assessment.b1_score = b1
        assessment.member_count = members
        assessment.deprivation_count = result.deprivation_count
        assessment.household_class = result.household_class.value
        assessment.decided_by = result.measure.value
        assessment.recorded_by = user
        assessment.recorded_at = now
        assessment._deprived_codes = frozenset(entry.deprived)
        assessment.deprived_codes = ",".join(sorted(assessment._deprived_codes))
        if assessment.pk:
            assessment.version += 1
            to_update.append(assessment)
        else:
            to_create.append(assessment)

    if to_create:
        bulk_create_with_history(to_create, Assessment, batch_size=1000, default_user=user)
    if to_update:
        bulk_update_with_history(
            to_update,
            Assessment,
            [
                "village",
                "standard",
                "is_urban",
                "income_per_capita",
                "b1_score",
                "member_count",
                "deprivation_count",
                "household_class",
                "decided_by",
                "recorded_by",
                "recorded_at",
                "deprived_codes",
                "version",
            ],
            batch_size=1000,
            default_user=user,
        )
        Deprivation.objects.filter(assessment__in=to_update).delete()
    saved = to_create + to_update
    Deprivation.objects.bulk_create(
        [
            Deprivation(assessment=a, indicator=indicators[code])
            for a in saved
            for code in sorted(a._deprived_codes)
        ],
        batch_size=2000,
    )
    touched |= {e.household.village_id for e in entries}
    summary.touch(touched | summary.villages_of_households(household_ids), years=[cycle.year])
    return saved


def _member_counts(household_ids: list[int], entries: Sequence[AssessmentEntry]) -> dict:
    from django.db.models import Count

    missing = [e.household.pk for e in entries if e.member_count is None]
    counted = (
        dict(
            Member.objects.filter(household_id__in=missing)
            .values_list("household_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        if missing
        else {}
    )
    return {
        e.household.pk: e.member_count
        if e.member_count is not None
        else counted.get(e.household.pk, 0)
        for e in entries
    }


@transaction.atomic
def registry_bulk_load(
    *,
    households: Sequence[Household],
    members: Sequence[Member],
    batch_size: int = 1000,
    user=None,
) -> None:
    """Write many new households and their members at once (imports, the demo, generators).

    Field rules are checked per object; uniqueness (household code per commune, citizen ID) is left
    to the database constraints, so a duplicate aborts the whole load and nothing is written.
    """
    for household in households:
        for name in ("code", "head_name", "address", "ethnicity", "phone"):
            setattr(household, name, nfc(getattr(household, name)))
        household.full_clean(
            validate_unique=False, validate_constraints=False, exclude=["commune", "village"]
        )
    for member in members:
        for name in ("full_name", "citizen_id", "ethnicity"):
            setattr(member, name, nfc(getattr(member, name)))
        member.full_clean(validate_unique=False, validate_constraints=False, exclude=["household"])
    by_household: dict[int, list[tuple[str, str]]] = {}
    for member in members:
        by_household.setdefault(id(member.household), []).append(
            (member.full_name, member.citizen_id)
        )
    for household in households:
        household.search_text = search_text_for(
            household.code, household.head_name, by_household.get(id(household), [])
        )
        household.head_sort = vietnamese_sort_text(household.head_name)
    bulk_create_with_history(households, Household, batch_size=batch_size, default_user=user)
    for member in members:
        member.household_id = member.household.pk
    bulk_create_with_history(members, Member, batch_size=batch_size, default_user=user)
    summary.touch({h.village_id for h in households}, registry_only=True)
