"""The change history of one household (its record, its members, its review results), read in
a fixed number of queries and turned into "who, when, field: before → after" entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Assessment, Household, Member

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
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
