"""Writes of targets and progress records. Each runs in a transaction, validates with
``full_clean()`` and raises ``ValidationError`` with a Vietnamese message; nothing is half-written.
The user must be allowed the ``report`` action in the area (``areas.scoping.can``);
``user=SYSTEM``, the default, is a command or the demo loader.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM, can_or_system
from core import numbers

from .models import ProgressRecord, Target


def parse_number(value, field: str = "value") -> Decimal:
    """A number as officers type it: "7,64", "7.64", "1.295" (thousands) or "130"."""
    if isinstance(value, bool):
        raise ValidationError({field: _("Giá trị phải là một số.")})
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    try:
        return numbers.parse_number(str(value or "").replace("%", ""))
    except numbers.NumberError:
        raise ValidationError(
            {field: _("“%(value)s” không phải là một số.") % {"value": value}}
        ) from None


def _require_editor(user, area: Area) -> None:
    if not can_or_system(user, "report", area):
        raise ValidationError(
            _("Bạn không có quyền sửa chỉ tiêu của %(area)s.") % {"area": area.name}
        )


def _check_value(metric: str, value) -> Decimal:
    number = parse_number(value)
    if number < 0:
        raise ValidationError({"value": _("Giá trị không được âm.")})
    if metric in Target.PERCENT_METRICS and number > 100:
        raise ValidationError({"value": _("Tỷ lệ phải từ 0 đến 100 %.")})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def target_set(
    *,
    area: Area,
    year: int,
    metric: str,
    value,
    source: str,
    user=SYSTEM,
    expected_version: int | None = None,
) -> Target:
    """Create the target of ``area`` for ``year`` and ``metric``, or change it.

    ``expected_version`` is the version the editor saw: if someone saved in between, the change is
    refused with a conflict message instead of silently overwriting theirs.
    """
    _require_editor(user, area)
    target = Target.objects.select_for_update().filter(area=area, year=year, metric=metric).first()
    if target is None:
        target = Target(area=area, year=year, metric=metric)
    elif expected_version is not None and target.version != expected_version:
        raise ValidationError(
            _(
                "Chỉ tiêu “%(metric)s” của %(area)s vừa được người khác sửa; hãy tải lại trang "
                "và nhập lại."
            )
            % {"metric": target.get_metric_display(), "area": area.name}
        )
    else:
        target.version += 1
    target.value = _check_value(metric, value)
    target.source = (source or "").strip()
    target.updated_by = user
    target.full_clean()
    if user is not SYSTEM:
        target._history_user = user
    target.save()
    return target


@transaction.atomic
def target_delete(*, target: Target, user=SYSTEM) -> None:
    _require_editor(user, target.area)
    if user is not SYSTEM:
        target._history_user = user
    target.delete()


@transaction.atomic
def progress_record(
    *, target: Target, as_of: datetime.date, value, source: str, user=SYSTEM
) -> ProgressRecord:
    """Record the value reached so far for ``target`` (e.g. jobs found), as of a date."""
    _require_editor(user, target.area)
    if as_of is None:
        raise ValidationError({"as_of": _("Hãy nhập ngày của số liệu.")})
    if as_of.year != target.year:
        raise ValidationError(
            {"as_of": _("Ngày của số liệu phải thuộc năm %(year)s.") % {"year": target.year}}
        )
    record = ProgressRecord(
        target=target,
        as_of=as_of,
        value=_check_value(target.metric, value),
        source=(source or "").strip(),
        recorded_by=user,
    )
    record.full_clean()
    if user is not SYSTEM:
        record._history_user = user
    record.save()
    return record
