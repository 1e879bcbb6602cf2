"""Adding a commune's registry in bulk (the Excel import, ``imports/registry.py``): households
and their members checked by :class:`FieldRules` and written through the COPY writer, all or
nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from areas.models import Area
from core.chunks import chunks
from core.collation import vietnamese_sort_text
from core.text import nfc

from . import copywriter, summary
from .fieldrules import FieldRules
from .models import Household, Member
from .search import search_text_for

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
        copywriter.households_insert(
            new_households,
            prepare=_new_household_check(commune, (household_rules, member_rules)),
            user=user,
            reason=reason,
            batch_size=batch_size,
            progress=progress,
        )
    if new_members:
        for member in new_members:
            member.household_id = member.household.pk
        copywriter.insert_with_history(
            new_members, Member, user=user, reason=reason, batch_size=batch_size
        )
    _refresh_search_texts(sorted(existing_touched), batch_size)
    summary.touch(summary.villages_of_commune(commune.pk))


def _refresh_search_texts(household_ids: Sequence[int], batch_size: int) -> None:
    """Recompute the folded search text and the head's sort text of existing households whose
    record or members changed, a fixed number of queries per few thousand households."""
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
            household.head_sort = vietnamese_sort_text(household.head_name)
        Household.objects.bulk_update(
            households, ["search_text", "head_sort"], batch_size=batch_size
        )


def _new_household_check(
    commune: Area, rules: tuple[FieldRules, FieldRules]
) -> Callable[[NewHousehold], tuple[dict, list[dict]]]:
    """What turns a :class:`NewHousehold` into the complete field values of its household and its
    members, with the defaults filled in, text in NFC and every field rule checked: the rows that
    ``copywriter.households_insert`` writes."""
    household_rules, member_rules = rules
    h_defaults = {
        name: Household._meta.get_field(name).get_default() for name in HOUSEHOLD_IMPORT_FIELDS
    }
    m_defaults = {name: Member._meta.get_field(name).get_default() for name in MEMBER_IMPORT_FIELDS}

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
        values["head_sort"] = vietnamese_sort_text(values["head_name"])
        values["commune_id"], values["village_id"] = commune.pk, item.village_id
        return values, members

    return checked
