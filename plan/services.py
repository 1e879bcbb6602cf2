"""Writes to a plan: its number and date once signed, the narrative parts a commune types in
(over the defaults of ``plan/defaults.py``), and the officer's confirmation that it may be issued
despite its checks (``plan/checks.py``). Only the commune's officers write (the same right as
planning the programme: ``projects.services``)."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from areas.scoping import SYSTEM
from core.text import nfc
from projects.models import Plan, PlanText
from projects.services import require_commune, require_planner

from .checks import digest
from .defaults import BY_KEY, default_text
from .document import plan_report, plan_texts, running_name


def _plan_for(commune: Area, year: int, user) -> Plan:
    require_planner(user, commune)
    require_commune(commune)
    plan = Plan.objects.select_for_update().filter(commune=commune, year=year).first()
    if plan is None:
        plan = Plan(commune=commune, year=year)
        plan.full_clean()
        plan.save()
    return plan


@transaction.atomic
def plan_details_set(
    *,
    commune: Area,
    year: int,
    number: str = "",
    issued_on: datetime.date | None = None,
    user=SYSTEM,
) -> Plan:
    """The plan's number and date once it is signed (empty: filled in by hand)."""
    require_planner(user, commune)
    number = nfc(number)
    if not number and issued_on is None:
        existing = Plan.objects.filter(commune=commune, year=year).first()
        if existing is None:  # nothing to record: no empty row
            return Plan(commune=commune, year=year)
    plan = _plan_for(commune, year, user)
    plan.number, plan.issued_on = number, issued_on
    if issued_on is not None and issued_on.year not in (year - 1, year):
        raise ValidationError(
            {
                "issued_on": _("Kế hoạch năm %(year)s ban hành trong năm %(prev)s hoặc %(year)s.")
                % {"year": year, "prev": year - 1}
            }
        )
    plan.full_clean()
    plan.save()
    return plan


def plan_text_digest(text: str) -> str:
    """What an editor saw of a part (see ``plan_text_set``'s ``expected``)."""
    return hashlib.sha256(_plan_lines(text).encode()).hexdigest()


def _plan_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in nfc(text).splitlines()).strip()


@transaction.atomic
def plan_text_set(
    *, commune: Area, year: int, key: str, text: str, user=SYSTEM, expected: str | None = None
) -> PlanText | None:
    """Type in one narrative part of the plan (the commune's own text replaces the default).
    Saving the default text unchanged stores nothing (the part stays “mặc định” and follows later
    corrections of the default); None is returned then.

    ``expected`` is :func:`plan_text_digest` of the text the editor started from: if the part
    has been saved by someone else since, the change is refused with a conflict message instead
    of silently replacing theirs (the same text sent twice is no conflict)."""
    if key not in BY_KEY:
        raise ValidationError(_("Không có phần “%(key)s” trong kế hoạch.") % {"key": key})
    plan = _plan_for(commune, year, user)  # the planner's right checked, the plan row locked
    cleaned = "\n".join(line.rstrip() for line in nfc(text).splitlines())
    if expected is not None:
        current = plan_texts(commune, year)[1][key]
        if plan_text_digest(current) != expected and _plan_lines(current) != cleaned.strip():
            raise ValidationError(
                _(
                    "Phần này vừa được người khác sửa sau khi bạn mở trang. Nội dung hiện tại "
                    "đã được hiển thị lại; hãy chép phần bạn sửa vào rồi lưu lại."
                ),
                code="conflict",
            )
    default = default_text(key, commune=running_name(commune), year=year)
    if cleaned.strip() == _plan_lines(default):
        plan_text_reset(commune=commune, year=year, key=key, user=user)
        return None
    item = PlanText.objects.filter(plan=plan, key=key).first() or PlanText(plan=plan, key=key)
    item.text = cleaned
    item.updated_by = user
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def plan_text_reset(*, commune: Area, year: int, key: str, user=SYSTEM) -> None:
    """Go back to the default text of a part."""
    require_planner(user, commune)
    PlanText.objects.filter(plan__commune=commune, plan__year=year, key=key).delete()


@transaction.atomic
def plan_confirm(*, commune: Area, year: int, seen: str, user=SYSTEM) -> Plan:
    """Confirm the plan despite its checks: its PDF loses the "DỰ THẢO" mark. ``seen`` is the
    :func:`plan.checks.digest` of the checks the officer was shown; if they have changed since
    (a new or another warning), nothing is stored and the officer is asked to look again. The
    confirmation holds for these checks only: a later new or changed check lapses it."""
    plan = _plan_for(commune, year, user)  # the planner's right checked, the plan row locked
    checks = plan_report(commune, year).checks
    if not checks:
        raise ValidationError(_("Kế hoạch không còn cảnh báo nào; không cần xác nhận."))
    if digest(checks) != seen:
        raise ValidationError(
            _(
                "Các cảnh báo của kế hoạch đã thay đổi từ khi bạn mở trang. Hãy xem lại các cảnh "
                "báo dưới đây rồi xác nhận lại."
            ),
            code="conflict",
        )
    plan.confirmed_at = timezone.now()
    plan.confirmed_by = user
    plan.confirmed_warnings = seen
    plan.full_clean()
    plan.save()
    return plan
