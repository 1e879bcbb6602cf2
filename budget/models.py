"""The budget of a commune's plan (section IV) and its execution.

Money is integer đồng (``BigIntegerField``): the seed's figures are millions with one decimal, and
a float would not add up to the đồng. A ``BudgetLine`` is one allocation (commune, year,
sub-project or general, funding source, investment or recurrent); ``Disbursement`` rows are what
has been paid out of it. A ``StatedTotal`` is a total as a document states it (the seed's
"3.326,6 triệu đồng"), kept apart from the lines so that the parts can be checked against it:
they are not assumed to agree, and in the seed they do not.
History (who, when, before/after) is kept on lines and disbursements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from areas.scoping import ScopedQuerySet
from core.formatting import percent


class FundingSource(models.Model):
    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên nguồn vốn"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=30)
    is_state_budget = models.BooleanField(
        _("thuộc ngân sách nhà nước"), default=False, help_text=_("NSTW, NSĐP.")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("nguồn vốn")
        verbose_name_plural = _("nguồn vốn")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Executed:
    """The execution rate and what remains, from ``allocated`` and ``disbursed`` (đồng); on a
    ``BudgetLine`` these need ``BudgetLine.objects.with_disbursed()``."""

    @property
    def rate(self) -> Decimal | None:
        return percent(self.disbursed, self.allocated)

    @property
    def remaining(self) -> int:
        return self.allocated - self.disbursed


@dataclass(frozen=True)
class Execution(Executed):
    """Allocated and disbursed amounts (đồng) of a group of lines, and the execution rate."""

    key: object
    label: str
    allocated: int
    disbursed: int


class BudgetLineQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True  # boards read their commune's budget (an aggregate figure)
    edit_action = "budget"

    def for_year(self, year: int) -> BudgetLineQuerySet:
        return self.filter(year=year)

    def with_disbursed(self) -> BudgetLineQuerySet:
        """Each line with ``disbursed`` (đồng), summed in a subquery so that joining
        disbursements never multiplies the allocated amounts."""
        paid = (
            Disbursement.objects.filter(line=OuterRef("pk"))
            .order_by()
            .values("line")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            disbursed=Coalesce(Subquery(paid, output_field=models.BigIntegerField()), Value(0))
        )

    def for_listing(self) -> BudgetLineQuerySet:
        return (
            self.with_disbursed()
            .select_related("commune", "source", "subproject__project")
            .order_by("commune__path", "source__order", "subproject__project__number", "id")
        )

    def execution(self, by: str) -> list[Execution]:
        """Execution grouped ``by`` "line", "subproject", "source" or "kind", in one query."""
        groups: dict[object, list] = {}
        for line in self.for_listing():
            if by == "line":
                key, label = line.pk, line.label
            elif by == "subproject":
                key = line.subproject_id
                label = str(line.subproject) if line.subproject_id else str(GENERAL_LABEL)
            elif by == "source":
                key, label = line.source_id, line.source.name
            elif by == "kind":
                key, label = line.kind, line.get_kind_display()
            else:
                raise ValueError(by)
            entry = groups.setdefault(key, [label, 0, 0])
            entry[1] += line.allocated
            entry[2] += line.disbursed
        return [Execution(k, label, a, d) for k, (label, a, d) in groups.items()]

    def totals(self) -> Execution:
        rows = self.execution("line")
        return Execution(
            None,
            str(_("Tổng cộng")),
            sum(r.allocated for r in rows),
            sum(r.disbursed for r in rows),
        )


GENERAL_LABEL = _("Chung (không phân theo tiểu dự án)")


class BudgetLine(Executed, models.Model):
    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("Đầu tư phát triển")
        RECURRENT = "recurrent", _("Sự nghiệp")
        # The seed's section IV does not split its figures; we do not invent a split.
        UNSPLIT = "unsplit", _("Chưa tách đầu tư / sự nghiệp")

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    subproject = models.ForeignKey(
        "projects.SubProject",
        verbose_name=_("tiểu dự án"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
        null=True,
        blank=True,
        help_text=_("Để trống khi kinh phí chưa phân theo tiểu dự án."),
    )
    source = models.ForeignKey(
        FundingSource, verbose_name=_("nguồn vốn"), on_delete=models.PROTECT, related_name="lines"
    )
    kind = models.CharField(_("loại vốn"), max_length=12, choices=Kind.choices)
    allocated = models.BigIntegerField(_("kinh phí được giao (đồng)"))
    document = models.CharField(
        _("văn bản giao vốn"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: Quyết định số 7489/QĐ-UBND ngày 19/12/2023 của UBND huyện."),
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BudgetLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("dòng kinh phí")
        ordering = ["commune", "year", "source__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__gte=0),
                name="budget_line_allocated_not_negative",
                violation_error_message=_("Kinh phí được giao không được âm."),
            ),
            models.UniqueConstraint(
                fields=["commune", "year", "subproject", "source", "kind"],
                name="budget_line_unique",
                violation_error_message=_(
                    "Đã có dòng kinh phí cho tiểu dự án, nguồn vốn và loại vốn này trong năm; "
                    "hãy sửa dòng đó."
                ),
            ),
            # NULL sub-projects are distinct in a plain unique index; one "general" line per
            # source and kind needs its own partial index.
            models.UniqueConstraint(
                fields=["commune", "year", "source", "kind"],
                condition=Q(subproject__isnull=True),
                name="budget_line_general_unique",
                violation_error_message=_(
                    "Đã có dòng kinh phí chung cho nguồn vốn và loại vốn này trong năm; "
                    "hãy sửa dòng đó."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.year} · {self.label}"

    @property
    def label(self) -> str:
        what = self.subproject.code if self.subproject_id else str(_("Chung"))
        return f"{what} · {self.source} · {self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.allocated is not None and self.allocated < 0:
            errors["allocated"] = _("Kinh phí được giao không được âm.")
        if self.commune_id and self.commune.kind != Area.Kind.COMMUNE:
            errors["commune"] = _("Kinh phí được giao cho một xã.")
        if self.pk and self.allocated is not None:
            from core.formatting import format_million_dong

            paid = self.disbursements.aggregate(total=Sum("amount"))["total"] or 0
            if self.allocated < paid:
                errors["allocated"] = _(
                    "Kinh phí được giao (%(new)s triệu đồng) không thể nhỏ hơn số đã giải ngân "
                    "(%(paid)s triệu đồng)."
                ) % {
                    "new": format_million_dong(self.allocated, 3),
                    "paid": format_million_dong(paid, 3),
                }
        if self.subproject_id and self.year:
            programme = self.subproject.project.programme
            if not programme.covers(self.year):
                errors["subproject"] = _(
                    "Tiểu dự án thuộc chương trình %(start)s–%(end)s, không có năm %(year)s."
                ) % {"start": programme.start_year, "end": programme.end_year, "year": self.year}
        if errors:
            raise ValidationError(errors)


def amount_check(condition: Q, name: str, message) -> models.CheckConstraint:
    """A database check on an amount, with the message a form shows when it fails."""
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


class DisbursementQuerySet(ScopedQuerySet):
    area_path_lookup = "line__commune__path"
    ancestors_visible = True
    edit_action = "budget"


class Disbursement(models.Model):
    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("dòng kinh phí"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    paid_on = models.DateField(_("ngày giải ngân"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    document = models.CharField(
        _("chứng từ"), max_length=200, help_text=_("Số, ngày của chứng từ, giấy rút dự toán…")
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = DisbursementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giải ngân")
        verbose_name_plural = _("giải ngân")
        ordering = ["paid_on", "id"]
        constraints = [
            amount_check(
                Q(amount__gt=0),
                "disbursement_amount_positive",
                _("Số tiền giải ngân phải lớn hơn 0."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.amount}"

    def clean(self) -> None:
        """The amount must be positive and fit in what is left of the line's allocation (the
        service re-checks under a row lock)."""
        from django.core.exceptions import ValidationError

        from core.formatting import format_million_dong

        if self.amount is None:
            return
        if self.amount <= 0:
            raise ValidationError({"amount": _("Số tiền giải ngân phải lớn hơn 0.")})
        if not self.line_id:
            return
        if self.paid_on and self.paid_on.year < self.line.year:
            raise ValidationError(
                {
                    "paid_on": _("Kinh phí năm %(year)s không thể giải ngân trước năm đó.")
                    % {"year": self.line.year}
                }
            )
        others = (
            Disbursement.objects.filter(line_id=self.line_id)
            .exclude(pk=self.pk)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        left = self.line.allocated - others
        if self.amount > left:
            raise ValidationError(
                {
                    "amount": _(
                        "Vượt kinh phí được giao: dòng này còn %(left)s triệu đồng, số giải ngân "
                        "là %(amount)s triệu đồng. Hãy điều chỉnh kinh phí được giao trước."
                    )
                    % {
                        "left": format_million_dong(left, 3),
                        "amount": format_million_dong(self.amount, 3),
                    }
                }
            )


@dataclass(frozen=True)
class TotalCheck:
    """A stated total against the sum of the lines it covers (amounts in đồng)."""

    stated: StatedTotal
    parts: int
    line_count: int

    @property
    def difference(self) -> int:
        return self.stated.amount - self.parts

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    def message(self) -> str:
        from core.formatting import format_million_dong

        values = {
            "label": self.stated.label,
            "stated": format_million_dong(self.stated.amount),
            "parts": format_million_dong(self.parts),
            "diff": format_million_dong(abs(self.difference)),
            "n": self.line_count,
        }
        if self.agrees:
            text = _("%(label)s: %(stated)s triệu đồng, khớp với tổng %(n)s dòng kinh phí.")
            return str(text) % values
        if self.difference > 0:
            text = _(
                "%(label)s: văn bản nêu %(stated)s triệu đồng nhưng %(n)s dòng kinh phí chỉ cộng "
                "được %(parts)s triệu đồng (thiếu %(diff)s triệu đồng chưa rõ nguồn)."
            )
        else:
            text = _(
                "%(label)s: văn bản nêu %(stated)s triệu đồng nhưng %(n)s dòng kinh phí cộng được "
                "%(parts)s triệu đồng (vượt %(diff)s triệu đồng)."
            )
        return str(text) % values


class StatedTotalQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True
    edit_action = "budget"

    def checked(self) -> list[TotalCheck]:
        """Each stated total against the sum of its lines, in three queries whatever the size."""
        totals = list(self.select_related("commune").prefetch_related("sources"))
        if not totals:
            return []
        lines = BudgetLine.objects.filter(
            commune_id__in={t.commune_id for t in totals}, year__in={t.year for t in totals}
        ).values_list("commune_id", "year", "source_id", "subproject_id", "allocated")
        lines = list(lines)
        checks = []
        for total in totals:
            sources = {s.pk for s in total.sources.all()}
            parts = [
                allocated
                for commune_id, year, source_id, subproject_id, allocated in lines
                if commune_id == total.commune_id
                and year == total.year
                and (not sources or source_id in sources)
                and (total.subproject_id is None or subproject_id == total.subproject_id)
            ]
            checks.append(TotalCheck(total, sum(parts), len(parts)))
        return checks


class StatedTotal(models.Model):
    """A total as a document states it, which the matching budget lines should add up to."""

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    label = models.CharField(_("nội dung"), max_length=300)
    amount = models.BigIntegerField(_("tổng số nêu trong văn bản (đồng)"))
    sources = models.ManyToManyField(
        FundingSource,
        verbose_name=_("gồm các nguồn vốn"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi nguồn vốn."),
    )
    subproject = models.ForeignKey(
        "projects.SubProject",
        verbose_name=_("chỉ tính tiểu dự án"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: mọi dòng kinh phí của xã trong năm."),
    )
    document = models.CharField(_("văn bản nêu tổng số"), max_length=300, blank=True)

    objects = StatedTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổng kinh phí nêu trong văn bản")
        verbose_name_plural = _("tổng kinh phí nêu trong văn bản")
        ordering = ["commune", "year", "id"]
        constraints = [
            amount_check(Q(amount__gte=0), "stated_total_not_negative", _("Tổng số không được âm."))
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("Tổng số không được âm.")})
