"""Exit pathways: support cost norms, the households planned to escape in a year, the support
planned for each, and the follow-up visits. What a household lacks is computed, never stored
(``indicators.needs`` on its decided result)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from areas.scoping import ScopedQuerySet


class SupportNormQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    ancestors_visible = True  # a commune uses the norms its province or district sets
    edit_action = "plan"


class SupportNorm(models.Model):
    """What one unit of support that addresses one need costs in a year: a health-insurance card
    per member (indicator 2.2), a latrine per household (5.2), a livelihood package against the
    income gap (no indicator). Set for an area (a province, or a commune's own); the nearest
    area's norm applies."""

    class Unit(models.TextChoices):
        HOUSEHOLD = "household", _("hộ")
        PERSON = "person", _("người")

    area = models.ForeignKey(
        Area, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    subproject = models.ForeignKey(
        "projects.SubProject",
        verbose_name=_("tiểu dự án chi trả"),
        on_delete=models.PROTECT,
        related_name="support_norms",
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("chỉ số thiếu hụt"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Để trống khi hỗ trợ nhằm vào thu nhập (sinh kế)."),
    )
    item = models.CharField(_("nội dung hỗ trợ"), max_length=200)
    unit = models.CharField(_("đơn vị"), max_length=10, choices=Unit.choices)
    amount = models.PositiveBigIntegerField(_("định mức (đồng/đơn vị)"))
    source = models.CharField(
        _("nguồn định mức"),
        max_length=300,
        help_text=_("Văn bản quy định mức hỗ trợ, hoặc ghi rõ là giá trị mẫu."),
    )
    is_sample = models.BooleanField(_("giá trị mẫu"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportNormQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("định mức hỗ trợ")
        verbose_name_plural = _("định mức hỗ trợ")
        ordering = ["year", "indicator__code", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "subproject", "item"],
                name="support_norm_unique",
                violation_error_message=_("Địa bàn đã có định mức này trong năm."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.year}"

    def cost_for(self, members: int) -> int:
        return self.amount * (members if self.unit == self.Unit.PERSON else 1)


class PathwayQuerySet(ScopedQuerySet):
    area_path_lookup = "household__village__path"
    edit_action = "plan"


class Pathway(models.Model):
    """One household's exit pathway in a year: registered to escape (hộ đăng ký thoát nghèo),
    and/or planned by the commune (hộ dự kiến thoát nghèo) with its helper."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("hộ"),
        on_delete=models.PROTECT,
        related_name="pathways",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    registered = models.BooleanField(_("hộ đăng ký thoát nghèo"), default=False)
    planned = models.BooleanField(_("hộ dự kiến thoát nghèo"), default=False)
    helper = models.CharField(
        _("người, tổ chức giúp đỡ"),
        max_length=200,
        blank=True,
        help_text=_("Đảng viên, đoàn thể được phân công giúp đỡ hộ."),
    )
    helper_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người giúp đỡ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathwayQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("lộ trình thoát nghèo của hộ")
        verbose_name_plural = _("lộ trình thoát nghèo của hộ")
        ordering = ["year", "household__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="pathway_per_household_year",
                violation_error_message=_("Hộ đã có lộ trình của năm này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.year}"


class PlannedSupport(models.Model):
    """One support item planned for a household, at its norm's cost when it was planned."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="supports", verbose_name=_("lộ trình")
    )
    norm = models.ForeignKey(
        SupportNorm, verbose_name=_("định mức"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(
        _("số lượng"), validators=[MinValueValidator(1)], default=1
    )
    amount = models.PositiveBigIntegerField(_("kinh phí dự kiến (đồng)"))

    class Meta:
        verbose_name = _("hỗ trợ dự kiến")
        verbose_name_plural = _("hỗ trợ dự kiến")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "norm"], name="planned_support_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="planned_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} · {self.norm.item}"


class FollowUpVisit(models.Model):
    """A visit to a planned household during the year, and the support delivered then; a
    delivered support may point to the beneficiary record of the sub-project that paid."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="visits", verbose_name=_("lộ trình")
    )
    visited_on = models.DateField(_("ngày thăm"))
    visitor = models.CharField(_("người đến thăm"), max_length=200)
    support = models.CharField(_("hỗ trợ đã trao"), max_length=300, blank=True)
    beneficiary = models.ForeignKey(
        "projects.Beneficiary",
        verbose_name=_("ghi nhận thụ hưởng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("lần thăm, hỗ trợ")
        verbose_name_plural = _("lần thăm, hỗ trợ")
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.pathway} · {self.visited_on}"
