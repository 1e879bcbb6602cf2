"""Every write to exit pathways goes through here: registration (a village's board or the commune
officer: action ``record`` in the household's village), the commune's plan of a household (action
``plan`` in its commune: planned, helper, support items), and follow-up visits (``record``).

Keyword-only arguments, one transaction each, ``ValidationError`` with a Vietnamese message;
nothing is half-written. ``user=SYSTEM`` is a command or the demo loader acting.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.scoping import SYSTEM, can_or_system
from core.text import nfc
from households.models import Household
from households.standing import year_results
from projects.models import Beneficiary

from .models import FollowUpVisit, Pathway, PlannedSupport, SupportNorm
from .queries import ON_A_LIST, norms_for


class PathwayConflict(ValidationError):
    """Someone else changed the pathway after this user opened it."""


def _pathway(household: Household, year: int, user) -> Pathway:
    pathway, _created = Pathway.objects.select_for_update().get_or_create(
        household=household, year=year, defaults={"updated_by": user}
    )
    return pathway


def _check_version(pathway: Pathway, expected_version: int | None) -> None:
    if expected_version is not None and pathway.version != expected_version:
        raise PathwayConflict(
            _(
                "Lộ trình của hộ này vừa được người khác sửa sau khi bạn mở trang. Hãy tải lại "
                "trang, xem thay đổi của họ rồi lưu lại."
            ),
            code="conflict",
        )


def _baseline_result(household: Household, year: int):
    """The household's result in the plan's baseline (``exits.queries``) when it is poor or
    near-poor there, else None."""
    return (
        year_results(year - 1, finalised_only=True)
        .filter(household=household, household_class__in=ON_A_LIST)
        .first()
    )


@transaction.atomic
def register(
    *,
    household: Household,
    year: int,
    registered: bool,
    expected_version: int | None = None,
    user=SYSTEM,
) -> Pathway:
    """Record that the household registers (or no longer registers) to escape poverty in
    ``year`` (hộ đăng ký thoát nghèo)."""
    if not can_or_system(user, "record", household.village):
        raise ValidationError(_("Bạn không được ghi nhận đăng ký thoát nghèo của hộ này."))
    if registered and _baseline_result(household, year) is None:
        raise ValidationError(
            _("Hộ %(code)s không thuộc danh sách hộ nghèo, cận nghèo năm %(year)s.")
            % {"code": household.code, "year": year - 1}
        )
    pathway = _pathway(household, year, user)
    _check_version(pathway, expected_version)
    if pathway.registered != registered:
        pathway.registered = registered
        pathway.version += 1
        pathway.updated_by = user
        pathway.save()
    return pathway


@transaction.atomic
def plan(
    *,
    household: Household,
    year: int,
    planned: bool,
    helper: str = "",
    helper_user=None,
    norms: Iterable[SupportNorm] = (),
    note: str = "",
    expected_version: int | None = None,
    user=SYSTEM,
) -> Pathway:
    """The commune's plan of one household for ``year``: whether it is expected to escape (hộ dự
    kiến thoát nghèo), who helps it, and the support items planned, each at its norm's cost for
    the household's members. A household off the plan keeps no support items."""
    if not can_or_system(user, "plan", household.commune):
        raise ValidationError(_("Bạn không được lập kế hoạch thoát nghèo của hộ này."))
    result = _baseline_result(household, year)
    if planned and result is None:
        raise ValidationError(
            _("Hộ %(code)s không thuộc danh sách hộ nghèo, cận nghèo năm %(year)s.")
            % {"code": household.code, "year": year - 1}
        )
    helper = nfc(helper).strip()
    if planned and not (helper or helper_user):
        raise ValidationError(
            {"helper": _("Hãy ghi người hoặc tổ chức được phân công giúp đỡ hộ.")}
        )
    norms = list(norms) if planned else []
    applicable = {n.pk for ns in norms_for(household.commune, year).values() for n in ns}
    foreign = [n for n in norms if n.pk not in applicable]
    if foreign:
        raise ValidationError(
            {
                "norms": _("Định mức %(item)s không áp dụng cho xã trong năm %(year)s.")
                % {"item": foreign[0].item, "year": year}
            }
        )
    pathway = _pathway(household, year, user)
    _check_version(pathway, expected_version)
    pathway.planned = planned
    pathway.helper = helper if planned else ""
    pathway.helper_user = helper_user if planned else None
    pathway.note = nfc(note).strip()
    pathway.version += 1
    pathway.updated_by = user
    pathway.full_clean(exclude=["household", "updated_by", "helper_user"])
    pathway.save()
    members = result.member_count if result else 1
    wanted = {n.pk: n for n in norms}
    pathway.supports.exclude(norm_id__in=wanted).delete()
    kept = set(pathway.supports.values_list("norm_id", flat=True))
    PlannedSupport.objects.bulk_create(
        PlannedSupport(
            pathway=pathway,
            norm=norm,
            quantity=members if norm.unit == SupportNorm.Unit.PERSON else 1,
            amount=norm.cost_for(members),
        )
        for pk, norm in wanted.items()
        if pk not in kept
    )
    return pathway


@transaction.atomic
def visit_record(
    *,
    pathway: Pathway,
    visited_on: datetime.date,
    visitor: str,
    support: str = "",
    beneficiary: Beneficiary | None = None,
    note: str = "",
    user=SYSTEM,
) -> FollowUpVisit:
    """A visit to a planned household and the support delivered then (a beneficiary record of
    the household, when the support came from a sub-project)."""
    household = pathway.household
    if not can_or_system(user, "record", household.village):
        raise ValidationError(_("Bạn không được ghi nhận thăm, hỗ trợ hộ này."))
    if not pathway.planned:
        raise ValidationError(_("Hộ chưa có trong danh sách dự kiến thoát nghèo của năm."))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("Ngày thăm không được sau hôm nay.")})
    if visited_on.year != pathway.year:
        raise ValidationError(
            {"visited_on": _("Ngày thăm phải trong năm %(year)s.") % {"year": pathway.year}}
        )
    if beneficiary is not None and beneficiary.household_id != household.pk:
        raise ValidationError({"beneficiary": _("Ghi nhận thụ hưởng không phải của hộ này.")})
    visit = FollowUpVisit(
        pathway=pathway,
        visited_on=visited_on,
        visitor=nfc(visitor).strip(),
        support=nfc(support).strip(),
        beneficiary=beneficiary,
        note=nfc(note).strip(),
        recorded_by=user,
    )
    visit.full_clean(exclude=["recorded_by"])
    visit.save()
    return visit
