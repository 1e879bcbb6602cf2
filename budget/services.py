"""Every write to the budget goes through here: allocations, disbursements, stated totals.

Each function takes keyword-only arguments, runs in a transaction, validates with
``full_clean()`` and raises ``ValidationError`` with a Vietnamese message; nothing is
half-written. A disbursement over what is left of its line's allocation is refused (the
allocation is raised first, and that change is kept in the line's history). Changes to a line
carry the version the user saw, so a second concurrent edit gets a conflict message instead of
silently overwriting the first. The user must be allowed the ``budget`` action in the line's
commune (``areas.scoping.can``); ``user=SYSTEM``, the default, is a command or the demo loader.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM, can_or_system
from core.text import nfc
from projects.models import SubProject

from .models import BudgetLine, Disbursement, FundingSource, StatedTotal


def _check_amount(value, field: str, *, positive: bool = False) -> int:
    if value is None or value == "":
        raise ValidationError({field: _("Hãy nhập số tiền (đồng).")})
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Số tiền phải là một số nguyên (đồng).")})
    if value < 0:
        raise ValidationError({field: _("Số tiền không được âm.")})
    if positive and value == 0:
        raise ValidationError({field: _("Số tiền phải lớn hơn 0.")})
    return value


def _require_finance(user, commune: Area) -> None:
    if not can_or_system(user, "budget", commune):
        raise ValidationError(
            _("Bạn không có quyền sửa kinh phí của %(commune)s.") % {"commune": commune.name}
        )


def _with_history_user(obj, user):
    # simple_history takes the request's user in views; shell and service callers pass it here.
    if user is not SYSTEM:
        obj._history_user = user
    return obj


@transaction.atomic
def budget_line_create(
    *,
    commune: Area,
    year: int,
    source: FundingSource,
    kind: str,
    allocated: int,
    subproject: SubProject | None = None,
    document: str = "",
    note: str = "",
    user=SYSTEM,
) -> BudgetLine:
    _require_finance(user, commune)
    line = BudgetLine(
        commune=commune,
        year=year,
        source=source,
        kind=kind,
        allocated=_check_amount(allocated, "allocated"),
        subproject=subproject,
        document=nfc(document),
        note=nfc(note),
    )
    line.full_clean()
    _with_history_user(line, user).save()
    return line


LINE_FIELDS = {"allocated", "document", "note", "kind", "subproject", "source"}


@transaction.atomic
def budget_line_update(
    *, line: BudgetLine, expected_version: int, user=SYSTEM, **fields
) -> BudgetLine:
    """Change an allocation. ``expected_version`` is the version the user's form was built from."""
    unknown = set(fields) - LINE_FIELDS
    if unknown:
        raise ValidationError(_("Không sửa được các trường: %(f)s.") % {"f": ", ".join(unknown)})
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    _require_finance(user, line.commune)
    if line.version != expected_version:
        raise ValidationError(
            _(
                "Dòng kinh phí này vừa được người khác sửa (phiên bản %(now)s, bạn sửa từ phiên "
                "bản %(seen)s). Hãy tải lại trang để xem số liệu mới rồi sửa lại."
            )
            % {"now": line.version, "seen": expected_version},
            code="conflict",
        )
    if "allocated" in fields:
        fields["allocated"] = _check_amount(fields["allocated"], "allocated")
    for name, value in fields.items():
        setattr(line, name, nfc(value))
    line.version += 1
    line.full_clean()  # BudgetLine.clean refuses an allocation below what is already paid
    _with_history_user(line, user).save()
    return line


@transaction.atomic
def disbursement_record(
    *,
    line: BudgetLine,
    paid_on: datetime.date,
    amount: int,
    document: str,
    note: str = "",
    is_sample: bool = False,
    user=SYSTEM,
) -> Disbursement:
    """Record a payment out of ``line``; refused when it exceeds what is left of the allocation."""
    # Lock the line so two payments recorded at once cannot both fit in the same remainder.
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    _require_finance(user, line.commune)
    amount = _check_amount(amount, "amount", positive=True)
    if paid_on is None:
        raise ValidationError({"paid_on": _("Hãy nhập ngày giải ngân.")})
    disbursement = Disbursement(
        line=line,
        paid_on=paid_on,
        amount=amount,
        document=nfc(document),
        note=nfc(note),
        is_sample=is_sample,
        recorded_by=user,
    )
    disbursement.full_clean()  # Disbursement.clean checks the remainder of the allocation
    _with_history_user(disbursement, user).save()
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user=SYSTEM) -> None:
    """Cancel a payment entered by mistake; the history keeps it, with who removed it."""
    BudgetLine.objects.select_for_update().get(pk=disbursement.line_id)
    _require_finance(user, disbursement.line.commune)
    _with_history_user(disbursement, user).delete()


@transaction.atomic
def stated_total_create(
    *,
    commune: Area,
    year: int,
    label: str,
    amount: int,
    sources: Iterable[FundingSource] = (),
    subproject: SubProject | None = None,
    document: str = "",
    user=SYSTEM,
) -> StatedTotal:
    _require_finance(user, commune)
    total = StatedTotal(
        commune=commune,
        year=year,
        label=nfc(label),
        amount=_check_amount(amount, "amount"),
        subproject=subproject,
        document=nfc(document),
    )
    total.full_clean()
    total.save()
    total.sources.set(list(sources))
    return total
