"""Every write to projects, assignments, activities and beneficiaries goes through here.

Each function takes keyword-only arguments, runs in a transaction, validates with
``full_clean()`` and raises ``ValidationError`` with a Vietnamese message: nothing is half-written.
The rows a ``user`` touches must be within what that user may change (``areas.scoping.can``);
``user=SYSTEM``, the default, is a command or the demo loader acting, not a person.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM, can, can_or_system
from core.text import nfc
from households.models import Household
from indicators.models import Indicator

from .models import (
    Activity,
    Assignment,
    Beneficiary,
    LegalDocument,
    Project,
    Responsibility,
    SubProject,
    SubProjectLegalBasis,
    Unit,
)

# --- programme structure (reference data; also editable in the admin) ----------------------


@transaction.atomic
def legal_document_get_or_create(
    *,
    number: str,
    kind: str,
    issuer: str,
    issued_on: datetime.date | None = None,
    subject: str = "",
) -> LegalDocument:
    number, issuer = nfc(number), nfc(issuer)
    document = LegalDocument.objects.filter(
        number=number, issuer=issuer, issued_on=issued_on
    ).first()
    if document is not None:
        return document
    document = LegalDocument(
        number=number, kind=nfc(kind), issuer=issuer, issued_on=issued_on, subject=nfc(subject)
    )
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def subproject_create(
    *,
    project: Project,
    code: str,
    name: str,
    number: int | None = None,
    indicator_codes: Iterable[str] = (),
    legal_bases: Iterable[tuple[LegalDocument, str]] = (),
    name_en: str = "",
) -> SubProject:
    """A sub-project with its legal bases ((document, articles) pairs, in order) and the codes of
    the deprivation indicators it addresses (of any standard carrying those codes). ``name_en``:
    its English name, shown when the interface is in English."""
    subproject = SubProject(
        project=project,
        programme_id=project.programme_id,
        code=nfc(code),
        name=nfc(name),
        name_en=nfc(name_en),
    )
    subproject.number = number
    subproject.full_clean()
    subproject.save()
    subproject_set_indicators(subproject=subproject, codes=indicator_codes)
    for order, (document, articles) in enumerate(legal_bases, start=1):
        link = SubProjectLegalBasis(
            subproject=subproject, document=document, articles=nfc(articles), order=order
        )
        link.full_clean()
        link.save()
    return subproject


@transaction.atomic
def subproject_set_indicators(*, subproject: SubProject, codes: Iterable[str]) -> None:
    codes = sorted(set(codes))
    indicators = list(Indicator.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {i.code for i in indicators})
    if unknown:
        raise ValidationError(
            {"indicators": _("Không có chỉ số thiếu hụt mã %(codes)s.") % {"codes": unknown}}
        )
    subproject.indicators.set(indicators)


# --- units and their duties (section V) -----------------------------------------------------


def require_commune(area: Area) -> None:
    if area.kind != Area.Kind.COMMUNE:
        raise ValidationError({"commune": _("Hãy chọn một xã.")})


@transaction.atomic
def unit_create(*, commune: Area, name: str, kind: str, order: int = 0) -> Unit:
    require_commune(commune)
    unit = Unit(commune=commune, name=nfc(name), kind=kind, order=order)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def responsibility_set(
    *, unit: Unit, year: int, duties: str, order: int = 0, heading: str = ""
) -> Responsibility:
    """Create or replace a unit's duties in a year's plan."""
    duties = nfc(duties)
    if not duties:
        raise ValidationError({"duties": _("Hãy nhập nhiệm vụ của đơn vị.")})
    item = Responsibility.objects.filter(unit=unit, year=year).first() or Responsibility(
        unit=unit, year=year
    )
    item.duties, item.order, item.heading = duties, order, nfc(heading)
    item.full_clean()
    item.save()
    return item


# --- yearly assignments ---------------------------------------------------------------------


def _check_units(commune: Area, units: Iterable[Unit | None], field: str) -> None:
    for unit in units:
        if unit is not None and unit.commune_id != commune.pk:
            raise ValidationError(
                {
                    field: _("Đơn vị “%(unit)s” không thuộc %(commune)s.")
                    % {"unit": unit.name, "commune": commune.name}
                }
            )


def _check_assignment(assignment: Assignment, coordinating: list[Unit]) -> None:
    require_commune(assignment.commune)
    programme = assignment.subproject.project.programme
    if not programme.covers(assignment.year):
        raise ValidationError(
            {
                "year": _("Chương trình “%(name)s” chỉ áp dụng từ năm %(start)s đến %(end)s.")
                % {"name": programme.name, "start": programme.start_year, "end": programme.end_year}
            }
        )
    _check_units(assignment.commune, [assignment.lead_unit], "lead_unit")
    _check_units(assignment.commune, [assignment.officer_in_charge], "officer_in_charge")
    _check_units(assignment.commune, coordinating, "coordinating_units")
    if assignment.lead_unit_id and any(u.pk == assignment.lead_unit_id for u in coordinating):
        raise ValidationError(
            {"coordinating_units": _("Đơn vị chủ trì không đồng thời là đơn vị phối hợp.")}
        )


def require_planner(user, commune: Area) -> None:
    if not can_or_system(user, "plan", commune):
        raise ValidationError(
            _("Bạn không có quyền lập, sửa phân công của %(commune)s.") % {"commune": commune.name}
        )


@transaction.atomic
def assignment_create(
    *,
    commune: Area,
    year: int,
    subproject: SubProject,
    lead_unit: Unit,
    officer_in_charge: Unit | None = None,
    coordinating_units: Iterable[Unit] = (),
    tasks: str = "",
    user=SYSTEM,
) -> Assignment:
    require_planner(user, commune)
    coordinating = list(coordinating_units)
    assignment = Assignment(
        commune=commune,
        year=year,
        subproject=subproject,
        lead_unit=lead_unit,
        officer_in_charge=officer_in_charge,
        tasks=nfc(tasks),
    )
    _check_assignment(assignment, coordinating)
    assignment.full_clean()
    assignment.save()
    assignment.coordinating_units.set(coordinating)
    return assignment


ASSIGNMENT_FIELDS = {"lead_unit", "officer_in_charge", "tasks"}


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    expected_version: int | None,
    coordinating_units: Iterable[Unit] | None = None,
    user=SYSTEM,
    **fields,
) -> Assignment:
    """Change who leads and what the tasks are; the commune, year and sub-project stay.
    ``expected_version`` is the version the user's form was built from."""
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise ValidationError(_("Không sửa được các trường: %(f)s.") % {"f": ", ".join(unknown)})
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    require_planner(user, assignment.commune)
    if assignment.version != expected_version:
        raise ValidationError(
            _(
                "Phân công này vừa được người khác sửa (phiên bản %(now)s, bạn sửa từ phiên bản "
                "%(seen)s). Hãy tải lại trang để xem nội dung mới rồi sửa lại."
            )
            % {
                "now": assignment.version,
                "seen": "?" if expected_version is None else expected_version,
            },
            code="conflict",
        )
    assignment.version += 1
    for name, value in fields.items():
        setattr(assignment, name, nfc(value))
    coordinating = (
        list(assignment.coordinating_units.all())
        if coordinating_units is None
        else list(coordinating_units)
    )
    _check_assignment(assignment, coordinating)
    assignment.full_clean()
    assignment.save()
    assignment.coordinating_units.set(coordinating)
    return assignment


# --- activities -----------------------------------------------------------------------------

PLAN_FIELDS = {"title", "area", "planned_start", "planned_end", "status", "progress", "result"}
PROGRESS_FIELDS = {"status", "progress", "result"}


def _activity_save(activity: Activity, user) -> Activity:
    activity.updated_by = user
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_create(
    *,
    assignment: Assignment,
    title: str,
    planned_start: datetime.date,
    planned_end: datetime.date,
    area: Area | None = None,
    status: str = Activity.Status.PLANNED,
    progress: int = 0,
    result: str = "",
    is_sample: bool = False,
    user=SYSTEM,
) -> Activity:
    require_planner(user, assignment.commune)
    activity = Activity(
        assignment=assignment,
        area=area or assignment.commune,
        title=nfc(title),
        planned_start=planned_start,
        planned_end=planned_end,
        status=status,
        progress=progress,
        result=nfc(result),
        is_sample=is_sample,
    )
    return _activity_save(activity, user)


def _check_activity_version(activity: Activity, expected_version: int | None) -> None:
    if activity.version != expected_version:
        raise ValidationError(
            _(
                "Hoạt động này vừa được người khác sửa (phiên bản %(now)s, bạn sửa từ phiên bản "
                "%(seen)s): tiến độ hiện là %(progress)s %%, trạng thái “%(status)s”. Hãy tải lại "
                "trang để xem nội dung mới rồi sửa lại."
            )
            % {
                "now": activity.version,
                "seen": "?" if expected_version is None else expected_version,
                "progress": activity.progress,
                "status": activity.get_status_display(),
            },
            code="conflict",
        )
    activity.version += 1


@transaction.atomic
def activity_update(
    *, activity: Activity, expected_version: int | None, user=SYSTEM, **fields
) -> Activity:
    """An officer changes the activity's plan (title, place, period) and its progress.
    ``expected_version`` is the version the user's form was built from."""
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValidationError(_("Không sửa được các trường: %(f)s.") % {"f": ", ".join(unknown)})
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_planner(user, activity.assignment.commune)
    _check_activity_version(activity, expected_version)
    for name, value in fields.items():
        setattr(activity, name, nfc(value))
    return _activity_save(activity, user)


@transaction.atomic
def activity_progress_record(
    *,
    activity: Activity,
    expected_version: int | None,
    status: str,
    progress: int,
    result: str = "",
    user=SYSTEM,
) -> Activity:
    """Status, progress and result: what a village board records for its village's activities."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_editable(
        Activity.objects.all(),
        activity,
        user,
        _("Bạn chỉ cập nhật được tiến độ hoạt động trên địa bàn của mình."),
    )
    _check_activity_version(activity, expected_version)
    activity.status, activity.progress, activity.result = status, progress, nfc(result)
    return _activity_save(activity, user)


def _require_editable(queryset, obj, user, message: str) -> None:
    if user is not SYSTEM and not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise ValidationError(message)


# --- beneficiaries --------------------------------------------------------------------------


@transaction.atomic
def beneficiary_record(
    *,
    assignment: Assignment,
    household: Household,
    support_kind: str,
    description: str,
    value: int | None = None,
    supported_on: datetime.date | None = None,
    activity: Activity | None = None,
    note: str = "",
    is_sample: bool = False,
    user=SYSTEM,
) -> Beneficiary:
    """Record that ``household`` received support from the assignment's sub-project.

    A village board records households of its village only; an officer those of the commune.
    The household must belong to the assignment's commune and be on the registry.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError({"value": _("Số tiền phải là một số nguyên (đồng).")})
    if value is not None and value < 0:
        raise ValidationError({"value": _("Số tiền hoặc giá trị hỗ trợ không được âm.")})
    if user is not SYSTEM and not (
        Household.objects.editable_by(user).filter(pk=household.pk).exists()
    ):
        # Word for word, and on the same field, what the form says of a code that does not
        # exist: the form must not tell that a household exists outside the user's villages.
        raise ValidationError(
            {
                "household_code": _("Không có hộ mã “%(code)s” ở %(commune)s.")
                % {"code": household.code, "commune": assignment.commune.name}
            }
        )
    beneficiary = _beneficiary(
        assignment, household, activity, support_kind, description, value, supported_on, note, user
    )
    beneficiary.is_sample = is_sample
    beneficiary.full_clean()
    beneficiary.save()
    return beneficiary


@transaction.atomic
def beneficiary_delete(*, beneficiary: Beneficiary, user=SYSTEM) -> None:
    """Remove a record entered by mistake (the household's other records stay)."""
    _require_editable(
        Beneficiary.objects.all(),
        beneficiary,
        user,
        _("Bạn không có quyền xóa bản ghi này."),
    )
    beneficiary.delete()


#: a bulk record's foreign keys: rows already read, not looked up again for every household
FOREIGN_KEYS = ("assignment", "household", "village", "activity", "recorded_by")


@transaction.atomic
def beneficiaries_record_many(
    *,
    assignment: Assignment,
    households: Iterable[Household],
    support_kind: str,
    description: str,
    value: int | None = None,
    supported_on: datetime.date | None = None,
    activity: Activity | None = None,
    note: str = "",
    user=SYSTEM,
) -> tuple[list[Beneficiary], list[Household]]:
    """Record the same support for several households at once (the list page's bulk action),
    all or nothing: any household refused refuses them all. A household already recorded for the
    same sub-project and activity (or the sub-project without an activity) is left as it is and
    returned in the second list, not refused. The rules are :func:`beneficiary_record`'s and the
    model's; a bounded number of queries whatever the number of households."""
    households = list(households)
    ids = [h.pk for h in households]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError({"value": _("Số tiền phải là một số nguyên (đồng).")})
    if value is not None and value < 0:
        raise ValidationError({"value": _("Số tiền hoặc giá trị hỗ trợ không được âm.")})
    if user is not SYSTEM and not can(user, "record", assignment.commune, inside=True):
        raise ValidationError(_("Bạn không có quyền ghi nhận người thụ hưởng ở xã này."))
    if user is not SYSTEM and Household.objects.editable_by(user).filter(pk__in=ids).count() != len(
        set(ids)
    ):
        raise ValidationError(_("Có hộ nằm ngoài phạm vi bạn được ghi nhận; không ghi hộ nào."))
    if activity is not None and activity.assignment_id != assignment.pk:
        raise ValidationError({"activity": _("Hoạt động này không thuộc tiểu dự án đã chọn.")})
    already = set(
        Beneficiary.objects.filter(
            assignment=assignment, activity=activity, household_id__in=ids
        ).values_list("household_id", flat=True)
    )
    rows, skipped, errors = [], [], []
    for household in households:
        if household.pk in already:
            skipped.append(household)
            continue
        already.add(household.pk)  # the same household twice in the list: once
        row = _beneficiary(
            assignment,
            household,
            activity,
            support_kind,
            description,
            value,
            supported_on,
            note,
            user,
        )
        try:
            row.clean_fields(exclude=[*FOREIGN_KEYS])
            row.clean()
        except ValidationError as exc:
            # the model's messages name the household where it is the household's fault; the
            # others (the date's year) are the same for every household and said once
            errors.extend(exc.messages)
            continue
        rows.append(row)
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    Beneficiary.objects.bulk_create(rows)
    return rows, skipped


def _beneficiary(
    assignment, household, activity, support_kind, description, value, supported_on, note, user
) -> Beneficiary:
    """A new, unsaved beneficiary row as every way of recording one builds it."""
    return Beneficiary(
        assignment=assignment,
        household=household,
        village_id=household.village_id,
        activity=activity,
        support_kind=support_kind,
        description=nfc(description),
        value=value,
        supported_on=supported_on,
        note=nfc(note),
        recorded_by=user,
    )
