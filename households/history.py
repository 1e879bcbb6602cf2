"""The change history of one household (its record, its members, its review results), read in
a fixed number of queries and turned into "who, when, field: before → after" entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Assessment, Household, Member, ReviewRequest

HIDDEN = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "id",
    "version",
    "search_text",
    "household",
    "household_id",
    "recorded_by",
    "recorded_by_id",
    "cycle",
    "cycle_id",
    "standard",
    "standard_id",
    "village_id",
    "commune_id",
    "updated_at",
    "created_at",
}
KIND_LABELS = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xóa")}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    when: object
    who: str
    what: str
    kind: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""  # the change reason kept in the history (why a member was removed)


def _fields(model) -> list:
    """The model's fields that its history keeps, less bookkeeping ones."""
    kept = {f.attname for f in model.history.model._meta.fields}
    return [
        f
        for f in model._meta.fields
        if f.attname in kept and f.attname not in HIDDEN and f.name not in HIDDEN
    ]


def _display(record, f) -> str:
    value = getattr(record, f.attname)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    return "" if value is None else str(value)


def household_history(household: Household, limit: int = 50) -> list[Entry]:
    sources = [
        (Household.history.filter(id=household.pk), Household, lambda r: _("Thông tin hộ")),
        (Member.history.filter(household_id=household.pk), Member, lambda r: r.full_name),
        (
            Assessment.history.filter(household_id=household.pk).select_related("cycle__commune"),
            Assessment,
            lambda r: _("Kết quả rà soát %(cycle)s") % {"cycle": r.cycle},
        ),
    ]
    entries: list[Entry] = []
    for qs, model, label in sources:
        fields = _fields(model)
        previous: dict[int, object] = {}
        for record in qs.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changes = []
            for f in fields:
                after_text = _display(record, f)
                before_text = _display(before, f) if before is not None else ""
                if before is None and record.history_type == "+":
                    if after_text:
                        changes.append(Change(str(f.verbose_name), "", after_text))
                elif before_text != after_text:
                    changes.append(Change(str(f.verbose_name), before_text, after_text))
            previous[record.id] = record
            user = record.history_user
            entries.append(
                Entry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else str(_("hệ thống")),
                    what=str(label(record)),
                    kind=str(KIND_LABELS.get(record.history_type, record.history_type)),
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


@dataclass
class Step:
    when: object
    who: str
    status: str
    text: str


def request_steps(requests: list[ReviewRequest]) -> None:
    """Give each ad-hoc request (``requests``, with their ``assessment`` selected) its steps
    ``request.steps``, oldest first: each change of its status, who made it and when, read from
    the requests' history in one query."""
    by_id = {r.pk: r for r in requests}
    for r in requests:
        r.steps = []
    records = (
        ReviewRequest.history.filter(id__in=list(by_id))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous: dict[int, str] = {}
    for record in records:
        if previous.get(record.id) == record.status:
            continue
        previous[record.id] = record.status
        request = by_id[record.id]
        user = record.history_user
        request.steps.append(
            Step(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else str(_("hệ thống")),
                status=str(ReviewRequest.Status(record.status).label),
                text=_step_text(request, record),
            )
        )


def _step_text(request: ReviewRequest, record) -> str:
    status = ReviewRequest.Status
    if record.status == status.RECEIVED:
        text = _("Nhận đơn ngày %(day)s") % {"day": f"{record.received_on:%d/%m/%Y}"}
        return f"{text} ({record.applicant})" if record.applicant else str(text)
    if record.status == status.ASSESSED:
        found = request.assessment if request.assessment_id == record.assessment_id else None
        return str(found.get_household_class_display()) if found else ""
    if record.status == status.DECIDED:
        return _("Quyết định số %(number)s ngày %(day)s") % {
            "number": record.decision_number,
            "day": f"{record.decision_date:%d/%m/%Y}",
        }
    return record.history_change_reason or ""
