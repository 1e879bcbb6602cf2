"""Every write to the registry and the review goes through these functions.

Each runs in a transaction, validates with ``full_clean()`` and raises ``ValidationError`` with a
message for the user; nothing is half-written. Classification always goes through
:func:`indicators.rules.classify`.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from areas.models import Area
from core.chunks import chunks
from core.text import nfc
from indicators.models import Indicator, PovertyStandard
from indicators.rules import ClassificationError, classify

from .models import Assessment, Deprivation, Household, IndicatorOverride, Member, ReviewCycle
from .search import search_text_for

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
    Household.objects.filter(pk=household.pk).update(search_text=text)
    household.search_text = text


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
    return household


@transaction.atomic
def household_update(
    *, household: Household, expected_version: int | None = None, user=None, **fields
) -> Household:
    """Change a household's fields; refused with :class:`ConflictError` if it changed meanwhile."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    fields = _clean_text_fields(fields)
    if expected_version is not None and current.version != expected_version:
        unchanged = all(getattr(current, k) == v for k, v in fields.items())
        if unchanged:  # the same edit sent twice (double submit): nothing to do
            return current
        raise ConflictError(
            _(
                "Hộ này vừa được người khác sửa sau khi bạn mở trang. Hãy xem lại thay đổi của họ "
                "rồi lưu lại."
            ),
            current=current,
        )
    for key, value in fields.items():
        setattr(current, key, value)
    if "village" in fields:
        current.commune = current.village.parent
    current.version += 1
    current.full_clean()
    current.save()
    refresh_search_text(current)
    return current


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


@transaction.atomic
def members_save(
    *, household: Household, changed: Sequence[Member], deleted: Sequence[Member]
) -> None:
    """Save a household's edited, new and removed members at once (the edit form's formset)."""
    for member in deleted:
        if member.pk and member.household_id == household.pk:
            member.delete()
    for member in changed:
        member.household = household
        for name in ("full_name", "citizen_id", "ethnicity"):
            setattr(member, name, nfc(getattr(member, name)))
        member.full_clean(validate_constraints=False)
        _check_citizen_id(member, household)
        member.save()
    refresh_search_text(household)


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
    if commune.kind != Area.Kind.COMMUNE:
        raise ValidationError({"commune": _("Đợt rà soát phải thuộc một xã.")})
    standard = standard or PovertyStandard.objects.for_year(year)
    if standard is None:
        raise ValidationError(
            {"standard": _("Không có chuẩn nghèo nào áp dụng cho năm %(year)s.") % {"year": year}}
        )
    cycle = ReviewCycle(
        commune=commune,
        year=year,
        kind=kind,
        reference_date=reference_date or datetime.date(year, 12, 14),
        standard=standard,
    )
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def review_cycle_finalise(*, cycle: ReviewCycle, user) -> ReviewCycle:
    cycle = _lock_open_cycle(cycle)
    cycle.status = ReviewCycle.Status.FINALISED
    cycle.finalised_at = timezone.now()
    cycle.finalised_by = user
    cycle.save(update_fields=["status", "finalised_at", "finalised_by"])
    return cycle


def _lock_open_cycle(cycle: ReviewCycle) -> ReviewCycle:
    """Re-read the cycle under a row lock and refuse if it is finalised."""
    locked = ReviewCycle.objects.select_for_update().select_related("standard").get(pk=cycle.pk)
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
    now = timezone.now()
    to_create, to_update = [], []
    for entry in entries:
        household = entry.household
        if household.commune_id != cycle.commune_id:
            raise ValidationError(
                _("Hộ %(code)s không thuộc xã của đợt rà soát.") % {"code": household.code}
            )
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
    bulk_create_with_history(households, Household, batch_size=batch_size, default_user=user)
    for member in members:
        member.household_id = member.household.pk
    bulk_create_with_history(members, Member, batch_size=batch_size, default_user=user)


# --- bulk import of a registry (Excel) ------------------------------------------------------


class FieldRules:
    """The field rules ``full_clean()`` applies (required, length, choices, validators), prepared
    once per model so that bulk paths can check a few hundred thousand objects.

    Text fields get cheap checks; a value they flag, and every other kind of field, goes through
    ``Field.clean`` so the message is Django's own. ``Model.full_clean`` costs far more per object
    (docs/decisions-import.md), mostly on fields an import never sets (ids, timestamps).
    """

    def __init__(self, model, names: Sequence[str]):
        from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
        from django.db import models as db_models

        self.names = tuple(names)
        self._attnames = tuple((name, model._meta.get_field(name).attname) for name in names)
        self._rules = []
        for name in names:
            field = model._meta.get_field(name)
            if isinstance(field, db_models.CharField):
                choices = frozenset(k for k, _label in field.flatchoices) if field.choices else None
                extra = [
                    v
                    for v in field.validators
                    if not isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator)
                ]
                self._rules.append((name, field, "text", field.max_length, choices, extra))
            elif isinstance(field, db_models.BooleanField):
                self._rules.append((name, field, "bool", None, None, ()))
            elif isinstance(field, db_models.DateField) and not isinstance(
                field, db_models.DateTimeField
            ):
                self._rules.append((name, field, "date", None, None, ()))
            else:
                self._rules.append((name, field, "other", None, None, ()))

    def problems(self, values, instance=None) -> dict[str, str]:
        """{field name: first message} for the values that break a rule (only names present)."""
        found: dict[str, str] = {}
        for name, field, kind, max_length, choices, extra in self._rules:
            if name not in values:
                continue
            value = values[name]
            if kind == "text":
                if (
                    type(value) is str
                    and len(value) <= max_length
                    and "\x00" not in value
                    and (
                        (value in choices or (field.blank and value == ""))
                        if choices is not None
                        else (field.blank or value != "")
                    )
                ):
                    if extra and value:
                        try:
                            for validator in extra:
                                validator(value)
                        except ValidationError as exc:
                            found[name] = exc.messages[0]
                    continue
            elif (kind == "bool" and type(value) is bool) or (
                kind == "date" and (type(value) is datetime.date or (value is None and field.null))
            ):
                continue
            if field.blank and value in field.empty_values:
                continue
            try:
                field.clean(value, instance)
            except ValidationError as exc:
                found[name] = exc.messages[0]
        return found

    def check(self, obj, label: str) -> None:
        """Raise ``ValidationError`` naming ``label`` (e.g. the household code) if ``obj`` breaks a
        rule."""
        values = {name: getattr(obj, attname) for name, attname in self._attnames}
        self.check_values(values, label, obj)

    def check_values(self, values: dict, label: str, instance=None) -> None:
        """The same for field values (a dict with the names of the rules)."""
        found = self.problems(values, instance)
        if found:
            raise ValidationError(
                {
                    name: f"{label}: {message}"  # which row of thousands is meant
                    for name, message in found.items()
                }
            )


HOUSEHOLD_IMPORT_FIELDS = (
    "code",
    "head_name",
    "address",
    "ethnicity",
    "phone",
    "is_urban",
    "floor_area_m2",
    "house_material",
    "water_source",
    "latrine",
    "left_registry_on",
)
MEMBER_IMPORT_FIELDS = (
    "full_name",
    "sex",
    "date_of_birth",
    "relation_to_head",
    "citizen_id",
    "ethnicity",
    "has_health_insurance",
    "schooling",
    "work_status",
    "has_disability",
)
_HOUSEHOLD_TEXT = ("code", "head_name", "address", "ethnicity", "phone")
_MEMBER_TEXT = ("full_name", "citizen_id", "ethnicity")


@dataclass(slots=True)
class NewHousehold:
    """A household to add by :func:`registry_import`: its village, its field values (names from
    ``HOUSEHOLD_IMPORT_FIELDS``; those left out take the model's default) and its members' values
    (names from ``MEMBER_IMPORT_FIELDS``)."""

    village_id: int
    values: dict
    members: list[dict]


@transaction.atomic
def registry_import(
    *,
    commune: Area,
    new_households: Sequence[NewHousehold] = (),
    new_members: Sequence[Member] = (),
    changed_households: Sequence[Household] = (),
    household_fields: Sequence[str] = (),
    changed_members: Sequence[Member] = (),
    member_fields: Sequence[str] = (),
    removed_member_ids: Sequence[int] = (),
    user=None,
    change_reason: str = "",
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write one import of a commune's registry: new households with their members, changed
    households and members, members no longer listed — all of it, or nothing.

    The rules are those of the forms: text in NFC and trimmed, every field checked against the
    model (:class:`FieldRules`, what ``full_clean`` checks), villages of this commune only, a
    version bump on every changed household (so a form opened before the import gets the conflict
    message), history for every row, the search text refreshed. Uniqueness (household code per
    commune, citizen ID) is left to the database constraints, so a duplicate aborts everything.
    ``new_households`` come as field values (:class:`NewHousehold`, with their members);
    ``new_members`` are members added to households already registered. ``progress(done,
    total)`` hears how many new households are stored, batch by batch.
    """
    household_rules = FieldRules(Household, HOUSEHOLD_IMPORT_FIELDS)
    member_rules = FieldRules(Member, MEMBER_IMPORT_FIELDS)
    placed = [(h.village_id, h.values.get("code", "")) for h in new_households]
    placed += [(h.village_id, h.code) for h in changed_households]
    village_ids = {village_id for village_id, _code in placed}
    valid_villages = set(
        Area.objects.filter(pk__in=village_ids, kind=Area.Kind.VILLAGE, parent=commune).values_list(
            "pk", flat=True
        )
    )
    for village_id, code in placed:
        if village_id not in valid_villages:
            raise ValidationError(
                {
                    "village": _("Hộ %(code)s: thôn không thuộc xã %(commune)s.")
                    % {"code": code, "commune": commune.name}
                }
            )
    for household in changed_households:
        if household.pk and household.commune_id != commune.pk:
            raise ValidationError(
                _("Hộ %(code)s không thuộc xã %(commune)s.")
                % {"code": household.code, "commune": commune.name}
            )
        household.commune_id = commune.pk
        for name in _HOUSEHOLD_TEXT:
            setattr(household, name, nfc(getattr(household, name)))
        household_rules.check(household, household.code)
    for member in (*new_members, *changed_members):
        for name in _MEMBER_TEXT:
            setattr(member, name, nfc(getattr(member, name)))
        member_rules.check(member, member.full_name)

    changed_member_ids = [m.pk for m in changed_members]
    for ids in chunks([*removed_member_ids, *changed_member_ids]):
        if Member.objects.filter(pk__in=ids).exclude(household__commune=commune).exists():
            raise ValidationError(
                _("Một số thành viên không thuộc xã %(commune)s.") % {"commune": commune.name}
            )
    existing_touched = {h.pk for h in changed_households}
    existing_touched.update(m.household_id for m in changed_members)
    existing_touched.update(m.household.pk for m in new_members if m.household.pk)
    if removed_member_ids:
        for ids in chunks(list(removed_member_ids)):
            existing_touched.update(
                Member.objects.filter(pk__in=ids).values_list("household_id", flat=True)
            )
            # QuerySet.delete() sends post_delete for each member, so history records removals.
            Member.objects.filter(pk__in=ids).delete()

    # The history keeps at most 100 characters of reason (django-simple-history's field).
    reason = change_reason[:100] or None
    if changed_households:
        now = timezone.now()
        for household in changed_households:
            household.version += 1
            household.updated_at = now
        bulk_update_with_history(
            changed_households,
            Household,
            sorted({*household_fields, "version", "updated_at"}),
            batch_size=batch_size,
            default_user=user,
            default_change_reason=reason,
        )
    if changed_members:
        bulk_update_with_history(
            changed_members,
            Member,
            list(member_fields),
            batch_size=batch_size,
            default_user=user,
            default_change_reason=reason,
        )

    if new_households:
        _add_households(
            commune,
            new_households,
            rules=(household_rules, member_rules),
            user=user,
            reason=reason,
            batch_size=batch_size,
            progress=progress,
        )
    if new_members:
        for member in new_members:
            member.household_id = member.household.pk
        _insert_with_history(new_members, Member, user=user, reason=reason, batch_size=batch_size)
    _refresh_search_texts(sorted(existing_touched), batch_size)


def _refresh_search_texts(household_ids: Sequence[int], batch_size: int) -> None:
    """Recompute the folded search text of existing households whose record or members changed,
    a fixed number of queries per few thousand households."""
    for ids in chunks(household_ids):
        members: dict[int, list[tuple[str, str]]] = {}
        for household_id, name, citizen_id in (
            Member.objects.filter(household_id__in=ids)
            .order_by("household_id", "id")
            .values_list("household_id", "full_name", "citizen_id")
        ):
            members.setdefault(household_id, []).append((name, citizen_id))
        households = list(Household.objects.filter(pk__in=ids).only("pk", "code", "head_name"))
        for household in households:
            household.search_text = search_text_for(
                household.code, household.head_name, members.get(household.pk, [])
            )
        Household.objects.bulk_update(households, ["search_text"], batch_size=batch_size)


# --- writing many new rows on PostgreSQL ----------------------------------------------------

# Field types whose Python values COPY takes as text directly (a model with any other type
# takes the ORM path).
_COPY_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
_COPY_TEXT = frozenset({"CharField", "TextField"})


def _copy_rows(cursor, table: str, columns: list[tuple[str, object]], rows) -> None:
    """COPY ``rows`` (lists of Python values) into ``table``'s ``columns`` (pairs of column name
    and model field); see :func:`_copy_sql`."""
    cursor.copy_expert(_copy_sql(table, columns), _csv_buffer(rows), size=COPY_READ)


# Bytes psycopg2 sends per message of a COPY: a buffer size of this writer, which changes no
# result, so it is a constant rather than a setting.
COPY_READ = 1 << 18


def _copy_sql(table: str, columns: list[tuple[str, object]]) -> str:
    """The COPY statement for rows written by :func:`_csv_buffer`: CSV written by the csv module,
    in C, with no Python code run per value.

    In PostgreSQL's CSV an unquoted empty field is NULL and a quoted one ("") an empty string;
    the csv module writes both None and "" unquoted, so the text columns, which never hold NULL
    (the callers send nullable text columns down the ORM path), are named in FORCE_NOT_NULL and
    keep their empty strings. Booleans arrive as True/False, dates and aware datetimes in ISO
    form, decimals as written: all of which PostgreSQL reads as such."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(name) for name, _field in columns)
    text = [qn(name) for name, field in columns if field.get_internal_type() in _COPY_TEXT]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
    return f"COPY {qn(table)} ({names}) FROM STDIN WITH ({options})"


def _csv_buffer(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def _copy_columns(model):
    """The historical model's columns (see :func:`_history_columns`) when rows of ``model`` can
    go through COPY on this connection, else None (the ORM path): PostgreSQL through psycopg2,
    fields whose values COPY reads as written, no nullable text field, a historical model this
    writer knows."""
    if connection.vendor != "postgresql":
        return None
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:  # psycopg 3 has no copy_expert: the ORM path
        return None
    fields = model._meta.concrete_fields
    if any(f.get_internal_type() not in _COPY_PLAIN for f in fields) or any(
        f.null and f.get_internal_type() in _COPY_TEXT for f in fields
    ):
        return None
    return _history_columns(model)


class _Pipeline:
    """Statements of the current transaction run in order by a second thread, while the calling
    thread prepares the next batch: psycopg2 lets go of Python's lock while the server works, so
    on two CPUs building rows and storing them overlap. Jobs get a raw psycopg2 cursor and must
    not touch Django's ``connection`` (in the second thread it would be another connection).

    The caller must not use the connection until the ``with`` block ends. An error of a job is
    raised there (or at the next ``submit``) as Django's, and no later job runs. If the block
    ends with an exception, queued jobs are dropped and the running statement is cancelled; the
    block does not end before the second thread has stopped — even when the wait itself is
    interrupted (Ctrl-C, a web worker's timeout) — so that no statement of the transaction can be
    sent after it has been rolled back (it would then run in autocommit and stay written). A job
    also runs only while the connection is still inside its transaction."""

    def __init__(self):
        self._raw = connection.connection
        self._jobs: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="registry-writer", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def _in_transaction(self) -> bool:
        from psycopg2.extensions import TRANSACTION_STATUS_INTRANS

        raw = self._raw
        return not raw.autocommit and raw.get_transaction_status() == TRANSACTION_STATUS_INTRANS

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None and not self._stopped.is_set() and self._in_transaction():
                try:
                    with self._raw.cursor() as cursor:
                        job(cursor)
                except BaseException as exc:  # raised in the calling thread
                    self._error = exc

    def submit(self, job) -> None:
        self._raise()
        self._jobs.put(job)

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            with connection.wrap_database_errors:
                raise error

    def _stop(self) -> None:
        self._stopped.set()
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self._raw.cancel()  # the statement running now, if any, ends with an error

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._stop()
        interrupted, sent = None, False
        while self._thread.is_alive():
            try:
                if not sent:
                    self._jobs.put(None)  # waits for a free place while jobs run
                    sent = True
                self._thread.join()
            except BaseException as exc:  # stop the thread first, then let it through
                interrupted = interrupted or exc
                self._stop()  # drops the queue, the end mark too: send it again
                sent = False
        if interrupted is not None:
            raise interrupted
        if kind is None:
            self._raise()


def _add_households(
    commune: Area,
    items: Sequence[NewHousehold],
    *,
    rules: tuple[FieldRules, FieldRules],
    user,
    reason: str | None,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """New households with their members and a history row each (type “+”).

    On PostgreSQL each batch is checked and turned into CSV here while the batch before it is
    stored by :class:`_Pipeline` (COPY, then the history by ``INSERT … SELECT``); elsewhere the
    same checked values become model objects for ``bulk_create_with_history``."""
    household_rules, member_rules = rules
    h_fields = list(Household._meta.concrete_fields)
    m_fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    h_defaults = {
        name: Household._meta.get_field(name).get_default() for name in HOUSEHOLD_IMPORT_FIELDS
    }
    m_defaults = {name: Member._meta.get_field(name).get_default() for name in MEMBER_IMPORT_FIELDS}
    now = timezone.now()
    total = len(items)

    def stored(done: int) -> None:
        if progress is not None:
            progress(done, total)

    def checked(item: NewHousehold) -> tuple[dict, list[dict]]:
        if not item.values.keys() <= h_defaults.keys() or any(
            not m.keys() <= m_defaults.keys() for m in item.members
        ):
            raise TypeError(f"NewHousehold: fields other than the import's in {item!r}")
        values = {**h_defaults, **item.values}
        for name in _HOUSEHOLD_TEXT:
            values[name] = nfc(values[name])
        household_rules.check_values(values, values["code"])
        members = []
        for member in item.members:
            member = {**m_defaults, **member}
            for name in _MEMBER_TEXT:
                member[name] = nfc(member[name])
            member_rules.check_values(member, member["full_name"])
            members.append(member)
        values["search_text"] = search_text_for(
            values["code"],
            values["head_name"],
            [(m["full_name"], m["citizen_id"]) for m in members],
        )
        values["commune_id"], values["village_id"] = commune.pk, item.village_id
        return values, members

    h_history, m_history = _copy_columns(Household), _copy_columns(Member)
    if h_history is None or m_history is None:
        done = 0
        for chunk in chunks(items, batch_size):
            households, members = [], []
            for item in chunk:
                values, member_values = checked(item)
                household = Household(**values)
                households.append(household)
                members.extend(Member(household=household, **m) for m in member_values)
            bulk_create_with_history(
                households,
                Household,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
            )
            for member in members:
                member.household_id = member.household.pk
            bulk_create_with_history(
                members,
                Member,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
            )
            done += len(chunk)
            stored(done)
        return

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Household._meta.db_table, Household._meta.pk.column, len(items)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    template = {}
    for field in h_fields:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        template[field.attname] = now if auto else field.get_default()
    h_names = [f.attname for f in h_fields]
    m_names = [f.attname for f in m_fields]
    h_sql = _copy_sql(Household._meta.db_table, [(f.column, f) for f in h_fields])
    m_sql = _copy_sql(Member._meta.db_table, [(f.column, f) for f in m_fields])
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": user.pk if user is not None else None,
    }

    h_history_sql, h_params = _history_sql(Household, h_history, extra)
    m_history_sql, m_params = _history_sql(
        Member, m_history, extra, key=Member._meta.get_field("household").column
    )

    def store(households, members, batch_ids, done):
        def job(cursor):
            cursor.copy_expert(h_sql, households, size=COPY_READ)
            cursor.copy_expert(m_sql, members, size=COPY_READ)
            _history_of_batch(cursor, h_history_sql, h_params, batch_ids)
            _history_of_batch(cursor, m_history_sql, m_params, batch_ids)
            stored(done)  # in the write thread: the callback only writes a status file

        return job

    with _Pipeline() as pipeline:
        for start in range(0, len(items), batch_size):
            h_rows, m_rows = [], []
            batch_ids = ids[start : start + batch_size]
            for pk, item in zip(batch_ids, items[start : start + batch_size], strict=True):
                values, members = checked(item)
                row = {**template, **values, "id": pk}
                h_rows.append([row[name] for name in h_names])
                for member in members:
                    member["household_id"] = pk
                    m_rows.append([member[name] for name in m_names])
            done = start + len(batch_ids)
            pipeline.submit(store(_csv_buffer(h_rows), _csv_buffer(m_rows), batch_ids, done))


def _history_columns(model):
    """(column, source) pairs of the historical model: a tracked field's attname, or one of the
    history fields; None when the historical model has fields this writer does not know."""
    history = model.history.model
    known = {"history_id", "history_date", "history_change_reason", "history_type"}
    columns = []
    for field in history._meta.concrete_fields:
        if field.name in known or field.name == "history_user":
            if field.name != "history_id":
                columns.append((field.column, field.name))
            continue
        if field.name == "history_relation":
            columns.append((field.column, "history_relation"))
            continue
        try:
            original = model._meta.get_field(field.name)
        except Exception:  # a custom historical field: leave it to simple-history
            return None
        columns.append((field.column, original.attname))
    return columns


def _history_sql(model, history_columns, extra: dict, *, key: str | None = None):
    """(statement, parameters) writing one history row per just-written row, copied by the
    database itself (INSERT … SELECT): the tracked columns as stored, plus the date, type, user
    and reason of this import. The rows are those whose primary key (or the column ``key``) is in
    the array given as the last parameter, taken in the order of their primary keys, so history
    ids follow the rows' ids as with ``bulk_create_with_history``."""
    qn = connection.ops.quote_name
    opts = model._meta
    history_opts = model.history.model._meta
    by_column = {f.column: f for f in history_opts.concrete_fields}
    columns = {f.attname: f.column for f in opts.concrete_fields}
    targets, values, params = [], [], []
    for column, source in history_columns:
        targets.append(qn(column))
        if source in extra:
            values.append(f"CAST(%s AS {by_column[column].db_type(connection)})")
            params.append(extra[source])
        elif source == "history_relation":
            values.append(qn(opts.pk.column))
        else:
            values.append(qn(columns[source]))
    pk = qn(opts.pk.column)
    where = qn(key) if key else pk
    statement = (
        f"INSERT INTO {qn(history_opts.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(values)} FROM {qn(opts.db_table)} "
        f"WHERE {where} = ANY(%s) ORDER BY {pk}"
    )
    return statement, params


def _history_of_batch(cursor, statement: str, params: list, ids: list[int]) -> None:
    cursor.execute(statement, [*params, ids])


def _history_from_rows(cursor, model, history_columns, ids: list[int], extra: dict) -> None:
    """The history rows of the just-written rows of ``model`` whose primary key is in ``ids``."""
    statement, params = _history_sql(model, history_columns, extra)
    for chunk in chunks(ids, 20_000):
        cursor.execute(statement, [*params, list(chunk)])


def _insert_with_history(objs, model, *, user, reason: str | None, batch_size: int) -> None:
    """``bulk_create_with_history``, or on PostgreSQL the same rows — the objects through COPY,
    which is cheaper than the ORM's per-value preparation, and one history row each
    (type “+”, the user, the change reason) copied from them by the database. Other databases,
    or a historical model with fields this writer does not know, take the ORM path."""
    if not objs:
        return
    history_columns = _copy_columns(model)
    fields = list(model._meta.concrete_fields)
    if history_columns is None:
        bulk_create_with_history(
            objs, model, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
        return
    opts = model._meta
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)

    names = [f.attname for f in fields]
    rows = ([getattr(obj, name) for name in names] for obj in objs)
    user_id = user.pk if user is not None else None
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": user_id,
    }
    with connection.cursor() as cursor:
        _copy_rows(cursor.cursor, opts.db_table, [(f.column, f) for f in fields], rows)
        _history_from_rows(cursor, model, history_columns, [obj.pk for obj in objs], extra)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
