"""The review-results importer: the income, B1 score and indicators of each household of one
cycle, classified by the same rule and written by the same service as the review form."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from core.chunks import chunks
from core.collation import sorted_vietnamese
from core.formatting import format_number
from households import services, summary
from households.models import Assessment, Deprivation, Household, Member, ReviewCycle
from households.standing import registry_refusal
from indicators.models import Indicator
from indicators.rules import ClassificationError, classify

from .columns import IGNORED_SHEETS, assessment_sheet, header_key, map_headers
from .importer import RowChange, _Import, _scope_villages
from .limits import ImportFileError
from .reader import Workbook


class AssessmentImport(_Import):
    """The review results of one cycle (sheet “Kết quả rà soát”): per household code, the income
    and/or B1 score and one yes/no column per indicator of the cycle's standard. Results are
    classified by the same rule and written by the same service as the review form."""

    kind = "assessments"
    partial_allowed = True

    def __init__(self, *, cycle: ReviewCycle, **kwargs):
        super().__init__(**kwargs)
        self.cycle = cycle

    reading_attributes = ("report", "sheet_names", "sheet", "present", "labels")

    def target(self):
        return self.cycle

    def context(self) -> tuple:
        return (*super().context(), [(i.pk, i.code) for i in self.indicators])

    def prepare(self) -> None:
        cycle = self.cycle
        if cycle.is_finalised:
            raise ImportFileError(
                _("Đợt rà soát %(cycle)s đã chốt; không thể nhập kết quả.") % {"cycle": cycle}
            )
        commune = cycle.commune
        self.villages, self.editable = _scope_villages(commune, self.user)
        if not self.editable:
            raise ImportFileError(
                _("Bạn không có quyền nhập kết quả rà soát của %(commune)s.")
                % {"commune": commune.name}
            )
        self.indicators = list(
            Indicator.objects.of_standard(cycle.standard).order_by("dimension__order", "order")
        )

    def read_file(self, workbook: Workbook):
        report = self.report
        indicators = self.indicators
        spec = assessment_sheet(indicators, errors=True)
        sheet = self._find_sheet(workbook, spec)
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        codes = [i.code for i in indicators]
        rows: dict[str, tuple] = {}
        for number, parsed, failed in self.read(workbook, sheet, spec):
            code = parsed[pos["code"]] or ""
            if code in rows:
                report.add(
                    sheet,
                    number,
                    self.labels["code"],
                    _("Mã hộ “%(code)s” trùng với dòng %(row)s.")
                    % {"code": code, "row": rows[code][0]},
                )
                continue
            count = parsed[pos["member_count"]]
            if count == 0 and "member_count" not in failed:
                failed.add("member_count")
                report.add(sheet, number, self.labels["member_count"], _("Phải từ 1 trở lên."))
            deprived = tuple(c for c in codes if parsed[pos[f"indicator:{c}"]])
            if code:
                rows[code] = (
                    number,
                    count,
                    parsed[pos["income_per_capita"]],
                    parsed[pos["b1_score"]],
                    deprived,
                    frozenset(failed),  # the columns refused (the row is bad if any)
                )
        if not rows:
            raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
        self.sheet = sheet
        return rows

    def compare(self, reading) -> None:
        self._compare(reading, self.indicators)

    def _find_sheet(self, workbook, spec) -> str:
        wanted = spec.names()
        for name in workbook.sheet_names:
            if header_key(name) in wanted:
                return name
        # An export of the poor / near-poor lists is importable too: find it by its headers.
        candidates = [n for n in workbook.sheet_names if header_key(n) not in IGNORED_SHEETS]
        for candidate in candidates:
            try:
                map_headers(workbook, candidate, spec)
                return candidate
            except ImportFileError:
                continue
        if len(candidates) == 1:
            return candidates[0]  # reading it reports which columns are missing
        raise ImportFileError(
            _("Không tìm thấy trang “%(sheet)s” trong tệp (tệp có: %(sheets)s).")
            % {"sheet": spec.name, "sheets": ", ".join(workbook.sheet_names)}
        )

    def _compare(self, rows: dict[str, tuple], indicators) -> None:
        report, cycle, sheet = self.report, self.cycle, self.sheet
        households: dict[str, Household] = {}
        codes = sorted(rows)
        for chunk in chunks(codes):
            for household in Household.objects.filter(commune=cycle.commune, code__in=chunk).only(
                "pk",
                "code",
                "commune_id",
                "village_id",
                "is_urban",
                "left_registry_on",
                "joined_registry_on",
            ):
                households[household.code] = household
        ids = [h.pk for h in households.values()]
        registry_counts: dict[int, int] = {}
        existing: dict[int, tuple] = {}
        classes: dict[int, str] = {}
        deprivations: dict[int, set[str]] = {}
        for chunk in chunks(ids):
            registry_counts.update(
                Member.objects.filter(household_id__in=chunk)
                .values_list("household_id")
                .annotate(n=Count("id"))
                .order_by()
            )
            for household_id, income, b1, members, kind in Assessment.objects.filter(
                cycle=cycle, household_id__in=chunk
            ).values_list(
                "household_id", "income_per_capita", "b1_score", "member_count", "household_class"
            ):
                existing[household_id] = (income, b1, members)
                classes[household_id] = kind
            for household_id, code in Deprivation.objects.filter(
                assessment__cycle=cycle, assessment__household_id__in=chunk
            ).values_list("assessment__household_id", "indicator__code"):
                deprivations.setdefault(household_id, set()).add(code)
        rule = cycle.standard.rule()
        low, high = cycle.standard.income_plausible_min, cycle.standard.income_plausible_max
        labels = dict(Assessment.CLASS_CHOICES)
        entries = []
        for code, (number, count, income, b1, deprived, bad) in rows.items():
            household = households.get(code)
            if household is None or household.village_id not in self.editable:
                # A household outside the user's villages gets the message of one that does
                # not exist: the import does not tell who is registered where.
                report.add(sheet, number, self.labels["code"], self._unknown(code))
                continue
            refusal = registry_refusal(household, cycle)
            if refusal:  # left before the reference date, or joined after it
                report.add(sheet, number, self.labels["code"], refusal)
                continue
            if bad & {"income_per_capita", "b1_score", "member_count"}:
                continue  # its value was refused already; no classification without it
            members = count if count is not None else registry_counts.get(household.pk, 0)
            if not members:
                report.add(
                    sheet,
                    number,
                    self.labels.get("member_count", self.labels["code"]),
                    _("Hộ chưa có thành viên nào; hãy nhập số nhân khẩu hoặc thêm thành viên."),
                )
                continue
            try:
                result = classify(
                    rule, urban=household.is_urban, income=income, b1_score=b1, deprived=deprived
                )
            except ClassificationError as exc:
                column = {"negative_b1": "b1_score"}.get(exc.code, "income_per_capita")
                report.add(
                    sheet,
                    number,
                    self.labels.get(column, column),
                    services.classification_message(exc),
                )
                continue
            if bad:
                continue
            if income is not None and (
                (low is not None and income < low) or (high is not None and income > high)
            ):
                report.warn(
                    sheet,
                    number,
                    self.labels.get("income_per_capita", "income_per_capita"),
                    _(
                        "Thu nhập %(value)s đồng/người/tháng nằm ngoài khoảng thường gặp "
                        "%(low)s–%(high)s của chuẩn; hãy kiểm tra (ví dụ 850 thay vì 850.000)."
                    )
                    % {
                        "value": format_number(income),
                        "low": format_number(low) if low is not None else "0",
                        "high": format_number(high) if high is not None else "…",
                    },
                )
            before = existing.get(household.pk)
            label = str(labels.get(result.household_class.value, ""))
            old_deprived = deprivations.get(household.pk, set())
            if before is None:
                status = "new"
            elif before == (income, b1, members) and old_deprived == set(deprived):
                status = "unchanged"
            else:
                status = "updated"
            report.counts[status] += 1
            if status != "unchanged":
                basis = repr((result.household_class.value, before))
                old_class = str(labels.get(classes.get(household.pk), "")) if before else ""
                fields = self._fields(
                    before, old_deprived, (income, b1, count), deprived, (old_class, label)
                )
                report.changes.append(RowChange(sheet, number, code, status, label, basis, fields))
                entries.append(
                    services.AssessmentEntry(
                        household=household,
                        income_per_capita=income,
                        b1_score=b1,
                        deprived=deprived,
                        member_count=count,
                    )
                )
        self.entries = entries

    def _fields(self, before, old_deprived, after, deprived, classes) -> tuple:
        """The fields a row changes, (label, old, new) as text: income, B1 score, member count
        (when the file gives one), the indicators deprived (by code) and the class."""
        old = before or (None, None, None)
        shown = []
        for index, key in enumerate(("income_per_capita", "b1_score", "member_count")):
            if key not in self.present or old[index] == after[index]:
                continue
            if key == "member_count" and after[index] is None:
                continue  # counted from the members: not a value of the file
            shown.append((self.labels[key], format_number(old[index]), format_number(after[index])))
        if set(old_deprived) != set(deprived):
            codes = [i.code for i in self.indicators]
            shown.append(
                (
                    _("Chỉ số thiếu hụt"),
                    ", ".join(c for c in codes if c in old_deprived) or "–",
                    ", ".join(c for c in codes if c in deprived) or "–",
                )
            )
        if classes[0] != classes[1]:
            shown.append((_("Phân loại"), classes[0] or "–", classes[1] or "–"))
        return tuple(shown)

    def _unknown(self, code: str) -> str:
        commune = self.cycle.commune
        if set(self.villages) <= self.editable:
            return _("Không có hộ mã “%(code)s” trong %(commune)s.") % {
                "code": code,
                "commune": commune.name,
            }
        return _("Không có hộ mã “%(code)s” trong %(villages)s.") % {
            "code": code,
            "villages": ", ".join(
                sorted_vietnamese(
                    self.villages[pk].name for pk in self.editable if pk in self.villages
                )
            ),
        }

    def write(self) -> None:
        with summary.collecting():  # the summary counts of the villages, refreshed once
            if self.entries:
                services.assessments_record(cycle=self.cycle, entries=self.entries, user=self.user)
