"""The registry importer: households (sheet “Hộ gia đình”) and their members (sheet “Thành
viên”) of one commune, compared with the registry and written by ``households.services``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from operator import itemgetter

from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from core.chunks import chunks
from core.formatting import format_number
from core.text import fold
from households import bulkregistry, services, summary
from households.fieldrules import FieldRules
from households.models import Household, Member
from households.privacy import mask_citizen_id

from .columns import find_sheet, header_key, household_sheet, member_sheet
from .importer import RowChange, _Import, _scope_villages
from .limits import ImportFileError, logger
from .reader import Workbook

_H_FIELDS = bulkregistry.HOUSEHOLD_IMPORT_FIELDS
_M_FIELDS = bulkregistry.MEMBER_IMPORT_FIELDS
# The parsers already give choice fields one of the model's codes, yes/no fields a bool and
# date fields a date, so the row checks apply the model's rules to the other fields (text
# length, required, the citizen-ID pattern, the floor area's digits). The service applies the
# rules of every field again when it writes.
_HOUSEHOLD_RULES = FieldRules(
    Household, ("code", "head_name", "address", "ethnicity", "phone", "floor_area_m2")
)
_MEMBER_RULES = FieldRules(Member, ("full_name", "citizen_id", "ethnicity"))
EARLIEST_DATE = datetime.date(1890, 1, 1)


def _village_index(villages: dict[int, Area]) -> dict[str, Area]:
    """Village by folded name or code; where two share a name, the one still valid wins."""
    index: dict[str, Area] = {}
    for village in sorted(villages.values(), key=lambda v: (v.valid_to is None, v.pk)):
        index[fold(village.name)] = village
        if village.code:
            index[fold(village.code)] = village
    return index


class HouseholdRow:
    __slots__ = ("row", "code", "village", "values", "bad", "existing", "members", "changed")

    def __init__(self, row, code, village, values, bad):
        self.row, self.code, self.village, self.values, self.bad = row, code, village, values, bad
        self.existing: dict | None = None  # the registry's values when the code is known
        self.members: list[MemberRow] | None = None  # None: the file does not list its members
        self.changed: list[str] = []


class MemberRow:
    __slots__ = ("row", "values", "bad")

    def __init__(self, row, values, bad):
        self.row, self.values, self.bad = row, values, bad


class HouseholdImport(_Import):
    """Households (sheet “Hộ gia đình”) and their members (sheet “Thành viên”) of one commune.

    A household code already in the commune updates that household; the members listed for a
    household are its whole list (matched to the registry by citizen ID, else by name and date
    of birth; members no longer listed are removed). Columns left out of the file are kept.
    """

    kind = "households"

    def __init__(self, *, commune: Area, **kwargs):
        super().__init__(**kwargs)
        self.commune = commune
        self.citizen_rows: dict[str, tuple[str, MemberRow]] = {}
        self.held_elsewhere = 0  # citizen IDs of the file held outside the user's scope

    reading_attributes = (
        "report",
        "sheet_names",
        "h_sheet",
        "m_sheet",
        "h_present",
        "h_labels",
        "m_present",
        "m_labels",
        "citizen_rows",
    )

    def target(self):
        return self.commune

    def prepare(self) -> None:
        self.villages, self.editable = _scope_villages(self.commune, self.user)
        if not self.editable:
            raise ImportFileError(
                _("Bạn không có quyền nhập hộ gia đình của %(commune)s.")
                % {"commune": self.commune.name}
            )
        self.village_index = _village_index(self.villages)

    def read_file(self, workbook: Workbook):
        h_spec, m_spec = household_sheet(), member_sheet()
        h_sheet = find_sheet(workbook, h_spec, others=[m_spec])
        if h_sheet is None:
            raise ImportFileError(
                _("Không tìm thấy trang “%(sheet)s” trong tệp (tệp có: %(sheets)s).")
                % {"sheet": h_spec.name, "sheets": ", ".join(workbook.sheet_names)}
            )
        m_sheet = next((n for n in workbook.sheet_names if header_key(n) in m_spec.names()), None)
        self.h_sheet, self.m_sheet = h_sheet, m_sheet or m_spec.name
        households = self._read_households(workbook, h_sheet, h_spec)
        self.h_present, self.h_labels = self.present, dict(self.labels)
        members: dict[str, list[MemberRow]] = {}
        self.m_present: set[str] = set()
        self.m_labels: dict[str, str] = {}
        if m_sheet is not None:
            members = self._read_members(workbook, m_sheet, m_spec)
            self.m_present, self.m_labels = self.present, dict(self.labels)
        else:
            self.report.notices.append(
                _("Tệp không có trang “%(sheet)s”: thành viên của các hộ đã có được giữ nguyên.")
                % {"sheet": m_spec.name}
            )
        if not households and not members:
            raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
        return households, members

    def compare(self, reading) -> None:
        self._compare(*reading)

    # -- reading the two sheets --

    def _read_households(self, workbook, sheet, spec) -> dict[str, HouseholdRow]:
        report = self.report
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        households: dict[str, HouseholdRow] = {}
        unknown: dict[str, list[int]] = {}
        today = timezone.localdate()
        for number, parsed, failed in self.read(workbook, sheet, spec):
            present = self.present
            code = parsed[pos["code"]] or ""
            village = None
            name = parsed[pos["village"]]
            if name:
                village = self.village_index.get(fold(name))
                if village is None:
                    unknown.setdefault(name, []).append(number)
                    failed.add("village")
                elif village.pk not in self.editable:
                    failed.add("village")
                    report.add(
                        sheet,
                        number,
                        self.labels["village"],
                        _("Thôn “%(village)s” ngoài phạm vi bạn được nhập.")
                        % {"village": village.name},
                    )
            values = {k: parsed[pos[k]] for k in _H_FIELDS if k in present and k not in failed}
            if "is_urban" in values and values["is_urban"] is None:
                values["is_urban"] = bool(village and (village.is_urban or self.commune.is_urban))
            left = values.get("left_registry_on")
            if left and (left > today or left < EARLIEST_DATE):
                failed.add("left_registry_on")
                report.add(sheet, number, self.labels["left_registry_on"], _("Ngày không hợp lệ."))
            floor = values.get("floor_area_m2")
            if floor is not None and floor <= 0:
                failed.add("floor_area_m2")
                report.add(
                    sheet,
                    number,
                    self.labels["floor_area_m2"],
                    _("Diện tích nhà ở phải lớn hơn 0 m²."),
                )
            self.rule_problems(_HOUSEHOLD_RULES, values, failed, sheet, number)
            if code in households:
                report.add(
                    sheet,
                    number,
                    self.labels["code"],
                    _("Mã hộ “%(code)s” trùng với dòng %(row)s.")
                    % {"code": code, "row": households[code].row},
                )
                households[code].bad = True
                continue
            if code:
                households[code] = HouseholdRow(number, code, village, values, bool(failed))
        for name, numbers in unknown.items():
            elsewhere = (
                Area.objects.villages()
                .filter(name__iexact=name)
                .exclude(parent=self.commune)
                .select_related("parent")
                .first()
            )
            message = _("Không có thôn “%(village)s” trong %(commune)s.") % {
                "village": name,
                "commune": self.commune.name,
            }
            if elsewhere is not None:
                message += " " + _("Thôn này thuộc %(other)s: dòng của xã khác.") % {
                    "other": elsewhere.parent.name
                }
            for number in numbers:
                report.add(sheet, number, self.labels["village"], message)
        return households

    def _read_members(self, workbook, sheet, spec) -> dict[str, list[MemberRow]]:
        report = self.report
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        order = [pos[k] for k in _M_FIELDS]
        members: dict[str, list[MemberRow]] = {}
        seen_ids: dict[str, int] = {}
        today = timezone.localdate()
        every = itemgetter(*order)
        checks = None
        for number, parsed, failed in self.read(workbook, sheet, spec):
            if checks is None:  # the columns present are known once the header is read
                keys = [k for k in _M_FIELDS if k in self.present]
                # The household code is picked too, so that the getter always returns a tuple.
                checks = (keys, itemgetter(*[pos[k] for k in keys], pos["household"]))
            values = every(parsed)
            checked = dict(zip(checks[0], checks[1](parsed), strict=False))
            born = checked.get("date_of_birth")
            if born and "date_of_birth" not in failed:
                if born > today:
                    failed.add("date_of_birth")
                    report.add(
                        sheet,
                        number,
                        self.labels["date_of_birth"],
                        _("Ngày sinh không thể ở tương lai."),
                    )
                elif born < EARLIEST_DATE:
                    failed.add("date_of_birth")
                    report.add(
                        sheet, number, self.labels["date_of_birth"], _("Ngày sinh không hợp lệ.")
                    )
            for key in failed:
                checked.pop(key, None)
            self.rule_problems(_MEMBER_RULES, checked, failed, sheet, number)
            row = MemberRow(number, values, bool(failed))
            citizen_id = checked.get("citizen_id") if "citizen_id" not in failed else ""
            if citizen_id:
                if citizen_id in seen_ids:
                    report.add(
                        sheet,
                        number,
                        self.labels["citizen_id"],
                        _("Số CCCD %(id)s trùng với dòng %(row)s.")
                        % {"id": citizen_id, "row": seen_ids[citizen_id]},
                    )
                    row.bad = True
                else:
                    seen_ids[citizen_id] = number
            code = parsed[pos["household"]] or ""
            if code:
                members.setdefault(code, []).append(row)
                if citizen_id and not row.bad:
                    self.citizen_rows[citizen_id] = (code, row)
        return members

    # -- comparing with the registry --

    def _compare(self, households: dict[str, HouseholdRow], members: dict[str, list]) -> None:
        report = self.report
        commune = self.commune
        codes = sorted(households.keys() | members.keys())
        registry: dict[str, dict] = {}
        for chunk in chunks(codes):
            for row in Household.objects.filter(commune=commune, code__in=chunk).values(
                "pk", "village_id", "version", *_H_FIELDS
            ):
                registry[row["code"]] = row
        for code, rows in members.items():
            if code in households:
                households[code].members = rows
                continue
            if code not in registry:
                for row in rows:
                    report.add(
                        self.m_sheet,
                        row.row,
                        self.m_labels["household"],
                        _("Không có hộ mã “%(code)s” ở trang “%(sheet)s” hay trong %(commune)s.")
                        % {"code": code, "sheet": self.h_sheet, "commune": commune.name},
                    )
                continue
            # Members of a household already registered, not listed on the household sheet.
            household = HouseholdRow(
                None, code, self.villages.get(registry[code]["village_id"]), {}, False
            )
            household.members = rows
            households[code] = household
        for code, household in households.items():
            existing = registry.get(code)
            if existing is None:
                continue
            household.existing = existing
            if existing["village_id"] not in self.editable:
                sheet, number, column = (
                    (self.h_sheet, household.row, self.h_labels["code"])
                    if household.row is not None
                    else (self.m_sheet, household.members[0].row, self.m_labels["household"])
                )
                # The code is taken in the commune (a new household could not have it), but
                # by a household the user may not see: its village is not named.
                report.add(
                    sheet,
                    number,
                    column,
                    _(
                        "Mã hộ “%(code)s” đã được dùng cho một hộ ngoài phạm vi bạn được nhập; "
                        "hãy kiểm tra lại mã hộ."
                    )
                    % {"code": code},
                )
                household.bad = True
        self._check_citizen_ids()
        registry_members = self._registry_members(households)
        plan_new, plan_changed = [], []
        member_changes: list[tuple] = []
        for code, household in households.items():
            bad = household.bad or any(m.bad for m in household.members or ())
            if household.existing is None:
                if not household.members:
                    report.add(
                        self.h_sheet,
                        household.row,
                        self.h_labels["code"],
                        _("Hộ mới cần ít nhất một thành viên ở trang “%(sheet)s”.")
                        % {"sheet": self.m_sheet},
                    )
                    bad = True
                if not bad:
                    plan_new.append(household)
                    report.counts["new"] += 1
                    report.member_counts["new"] += len(household.members)
                    report.changes.append(
                        RowChange(
                            self.h_sheet, household.row, code, "new", household.values["head_name"]
                        )
                    )
                continue
            if bad:
                continue
            changed = self._household_changes(household)
            diff = (
                self._member_diff(household, registry_members.get(household.existing["pk"], []))
                if household.members is not None
                else None
            )
            details = [self.h_labels.get(k, k) for k in changed]
            fields = [
                (
                    self.h_labels.get(k, k),
                    _shown(self._old(household, k), Household, k),
                    _shown(self._new(household, k), Household, k),
                )
                for k in changed
            ]
            if diff is not None:
                created, updated, removed, unchanged, member_fields = diff
                fields.extend(member_fields)
                counts = report.member_counts
                counts["new"] += len(created)
                counts["updated"] += len(updated)
                counts["removed"] += len(removed)
                counts["unchanged"] += unchanged
                if created or updated or removed:
                    member_changes.append((household, created, updated, removed))
                    details.append(
                        _("thành viên: %(new)s mới, %(updated)s sửa, %(removed)s bỏ")
                        % {"new": len(created), "updated": len(updated), "removed": len(removed)}
                    )
            household.changed = changed
            if changed or (diff is not None and (diff[0] or diff[1] or diff[2])):
                report.counts["updated"] += 1
                basis = (household.existing["version"], changed)
                if diff is not None:
                    created, updated, removed, _unchanged, _shown_fields = diff
                    members = ([(pk, sorted(c)) for pk, c in updated], removed, len(created))
                    basis = (*basis, members)
                if diff is not None and (created or removed):
                    fields.append(
                        (
                            _("Thành viên"),
                            _("%(n)s bỏ") % {"n": len(removed)},
                            _("%(n)s mới") % {"n": len(created)},
                        )
                    )
                report.changes.append(
                    RowChange(
                        self.h_sheet if household.row else self.m_sheet,
                        household.row,
                        code,
                        "updated",
                        ", ".join(str(d) for d in details),
                        repr(basis),
                        tuple(fields),
                    )
                )
                if changed:
                    plan_changed.append(household)
            elif household.row is not None:
                report.counts["unchanged"] += 1
        self.plan_new, self.plan_changed, self.member_changes = (
            plan_new,
            plan_changed,
            member_changes,
        )

    def _old(self, household: HouseholdRow, key: str):
        if key == "village":
            village = self.villages.get(household.existing["village_id"])
            return village.name if village else ""
        return household.existing[key]

    def _new(self, household: HouseholdRow, key: str):
        if key == "village":
            return household.village.name
        return household.values[key]

    def _household_changes(self, household: HouseholdRow) -> list[str]:
        existing = household.existing
        changed = [
            key
            for key, value in household.values.items()
            if key != "code" and existing[key] != value
        ]
        village = household.village
        if (
            village is not None
            and household.row is not None
            and existing["village_id"] != village.pk
        ):
            changed.insert(0, "village")
        return changed

    def _check_citizen_ids(self) -> None:
        """A citizen ID in the file that the registry gives to someone of another household.

        Inside the villages the user may change, the row names that household. Outside them
        (another village, commune or province; for the shell without --user, outside the
        commune) the preview says nothing, exactly as for a number nobody holds, so that the
        preview cannot be used to learn whether someone is registered elsewhere; the write is
        refused then, with one message that names no row, number or person
        (docs/decisions-import.md, “Citizen IDs held elsewhere”)."""
        ids = sorted(self.citizen_rows)
        commune = self.commune
        self.held_elsewhere = 0
        for chunk in chunks(ids):
            for citizen_id, name, code, commune_id, village_id in Member.objects.filter(
                citizen_id__in=chunk
            ).values_list(
                "citizen_id",
                "full_name",
                "household__code",
                "household__commune_id",
                "household__village_id",
            ):
                file_code, row = self.citizen_rows[citizen_id]
                if commune_id == commune.pk and code == file_code:
                    continue  # the same person, in the same household
                if commune_id != commune.pk or village_id not in self.editable:
                    self.held_elsewhere += 1
                    continue
                row.bad = True
                self.report.add(
                    self.m_sheet,
                    row.row,
                    self.m_labels["citizen_id"],
                    _(
                        "Số CCCD %(id)s đã thuộc về “%(name)s” của hộ %(code)s (%(village)s); "
                        "không ghi đè."
                    )
                    % {
                        "id": citizen_id,
                        "name": name,
                        "code": code,
                        "village": self.villages[village_id].name,
                    },
                )

    def before_write(self) -> None:
        if self.held_elsewhere:
            logger.warning(
                "Import of %s refused: %s citizen ID(s) held outside the scope of user %s",
                self.commune.code,
                self.held_elsewhere,
                getattr(self.user, "pk", None),
            )
            raise ImportFileError(services.citizen_ids_unavailable_message())

    def _registry_members(self, households) -> dict[int, list[dict]]:
        ids = sorted(
            h.existing["pk"] for h in households.values() if h.existing and h.members is not None
        )
        found: dict[int, list[dict]] = {}
        for chunk in chunks(ids):
            for row in (
                Member.objects.filter(household_id__in=chunk)
                .order_by("household_id", "id")
                .values("pk", "household_id", *_M_FIELDS)
            ):
                found.setdefault(row["household_id"], []).append(row)
        return found

    def _member_diff(self, household, registered: list[dict]):
        """(new rows, [(pk, {field: value})], removed pks, unchanged count, the fields changed
        as shown: [(label, old, new)]). A date of birth whose day and month are swapped against
        the registry is matched, and warned about on its row."""
        present = self.m_present
        by_id = {m["citizen_id"]: m for m in registered if m["citizen_id"]}
        by_name: dict[tuple, list[dict]] = {}
        for m in registered:
            by_name.setdefault((fold(m["full_name"]), m["date_of_birth"]), []).append(m)
        used: set[int] = set()
        created, updated, shown = [], [], []
        unchanged = 0
        for row in household.members:
            values = dict(zip(_M_FIELDS, row.values, strict=True))
            match = None
            citizen_id = values["citizen_id"]
            born = values["date_of_birth"]
            if citizen_id and citizen_id in by_id and by_id[citizen_id]["pk"] not in used:
                match = by_id[citizen_id]
            else:
                name = fold(values["full_name"])
                match = next(
                    (m for m in by_name.get((name, born), ()) if m["pk"] not in used), None
                )
                if match is None and _swapped(born) is not None:
                    found = by_name.get((name, _swapped(born)), ())
                    match = next((m for m in found if m["pk"] not in used), None)
            if match is None:
                created.append(row)
                continue
            used.add(match["pk"])
            if "date_of_birth" in present and born and _swapped(born) == match["date_of_birth"]:
                self.report.warn(
                    self.m_sheet,
                    row.row,
                    self.m_labels.get("date_of_birth", "date_of_birth"),
                    _(
                        "Ngày sinh %(new)s đảo ngày và tháng so với sổ hộ (%(old)s): bảng tính "
                        "có thể đặt ngôn ngữ khác. Hãy kiểm tra trước khi ghi."
                    )
                    % {"new": _shown(born), "old": _shown(match["date_of_birth"])},
                )
            changes = {k: values[k] for k in _M_FIELDS if k in present and match[k] != values[k]}
            if changes:
                updated.append((match["pk"], changes))
                for key, value in changes.items():
                    label = self.m_labels.get(key, key)
                    shown.append(
                        (
                            f"{match['full_name']} · {label}",
                            _shown(match[key], Member, key),
                            _shown(value, Member, key),
                        )
                    )
            else:
                unchanged += 1
        removed = [m["pk"] for m in registered if m["pk"] not in used]
        return created, updated, removed, unchanged, shown

    # -- writing --

    def write(self, batch: int = 2000) -> None:
        with summary.collecting():  # the summary counts of the commune, refreshed once
            self._write(batch)

    def _write(self, batch: int) -> None:
        reason = _("Nhập từ Excel: %(file)s") % {"file": self.filename}
        commune = self.commune
        if self.plan_new:
            bulkregistry.registry_import(
                commune=commune,
                new_households=[
                    bulkregistry.NewHousehold(
                        row.village.pk,
                        {
                            "is_urban": bool(row.village.is_urban or commune.is_urban),
                            **{
                                k: v
                                for k, v in row.values.items()
                                if v is not None or k in _NULLABLE
                            },
                        },
                        [self._member_fields(member) for member in row.members],
                    )
                    for row in self.plan_new
                ],
                user=self.user,
                change_reason=reason,
                batch_size=batch,
                progress=self.write_progress,
            )
        changed = {h.existing["pk"]: h for h in self.plan_changed}
        by_household = {h.existing["pk"]: (h, c, u, r) for h, c, u, r in self.member_changes}
        ids = sorted(changed.keys() | by_household.keys())
        for chunk in chunks(ids, batch):
            instances = {h.pk: h for h in Household.objects.filter(pk__in=chunk)}
            changed_households, fields = [], set()
            for pk in chunk:
                row = changed.get(pk)
                if row is None:
                    continue
                instance = instances[pk]
                for key in row.changed:
                    if key == "village":
                        instance.village = row.village
                    else:
                        setattr(instance, key, row.values[key])
                    fields.add(key)
                changed_households.append(instance)
            member_ids = [
                pk
                for _h, _c, updated, _r in (by_household[i] for i in chunk if i in by_household)
                for pk, _changes in updated
            ]
            current = {m.pk: m for m in Member.objects.filter(pk__in=member_ids)}
            changed_members, member_fields, new_members, removed = [], set(), [], []
            for pk in chunk:
                if pk not in by_household:
                    continue
                _row, created, updated, gone = by_household[pk]
                for member_pk, changes in updated:
                    member = current[member_pk]
                    for key, value in changes.items():
                        setattr(member, key, value)
                    member_fields.update(changes)
                    changed_members.append(member)
                for member in created:
                    new_members.append(
                        Member(household=instances[pk], **self._member_fields(member))
                    )
                removed.extend(gone)
            bulkregistry.registry_import(
                commune=commune,
                changed_households=changed_households,
                household_fields=sorted(fields),
                changed_members=changed_members,
                member_fields=sorted(member_fields),
                new_members=new_members,
                removed_member_ids=removed,
                user=self.user,
                change_reason=reason,
            )

    def _member_fields(self, row: MemberRow) -> dict:
        values = dict(zip(_M_FIELDS, row.values, strict=True))
        return {
            k: (v if v is not None or k in _NULLABLE else _MEMBER_DEFAULTS[k])
            for k, v in values.items()
            if k in self.m_present
        }


def _swapped(day: datetime.date | None) -> datetime.date | None:
    """``day`` with its day and month swapped, if that is another real date."""
    if day is None or day.day == day.month or day.day > 12:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _shown(value, model=None, field: str = "") -> str:
    """A value as the dry run and the preview show it (old → new): a choice by its label, a
    citizen ID masked as everywhere outside the logged reveal (``households.privacy``)."""
    if value is None or value == "":
        return "–"
    if field == "citizen_id":
        return mask_citizen_id(str(value))
    if model is not None and field:
        choices = dict(model._meta.get_field(field).flatchoices)
        if value in choices:
            return str(choices[value])
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | Decimal):
        return format_number(value)
    return str(value)


_NULLABLE = {"floor_area_m2", "left_registry_on", "date_of_birth"}
_MEMBER_DEFAULTS = {
    "full_name": "",
    "sex": "",
    "relation_to_head": "",
    "citizen_id": "",
    "ethnicity": "",
    "has_health_insurance": False,
    "schooling": "",
    "work_status": "",
    "has_disability": False,
}
