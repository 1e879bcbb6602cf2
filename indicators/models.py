"""Poverty standards, their dimensions and indicators (data, not constants: standards change
per period, and some figures are unconfirmed — see ``PovertyStandard.notes``)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .rules import StandardRule


class PovertyStandardQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> PovertyStandardQuerySet:
        return self.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )

    def for_year(self, year: int) -> PovertyStandard | None:
        return self.in_force_on(datetime.date(year, 12, 31)).order_by("-effective_from").first()


class PovertyStandard(models.Model):
    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    period_start_year = models.PositiveSmallIntegerField(_("giai đoạn từ năm"))
    period_end_year = models.PositiveSmallIntegerField(_("giai đoạn đến năm"))
    effective_from = models.DateField(_("áp dụng từ"))
    effective_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    rural_poverty_line = models.PositiveIntegerField(_("chuẩn nghèo nông thôn (đồng/người/tháng)"))
    urban_poverty_line = models.PositiveIntegerField(_("chuẩn nghèo thành thị (đồng/người/tháng)"))
    rural_average_upper = models.PositiveIntegerField(
        _("mức sống trung bình nông thôn, cận trên"), null=True, blank=True
    )
    urban_average_upper = models.PositiveIntegerField(
        _("mức sống trung bình thành thị, cận trên"), null=True, blank=True
    )
    b1_rural_max = models.PositiveSmallIntegerField(
        _("ngưỡng điểm B1 nông thôn"), null=True, blank=True
    )
    b1_urban_max = models.PositiveSmallIntegerField(
        _("ngưỡng điểm B1 thành thị"), null=True, blank=True
    )
    b2_points_per_indicator = models.PositiveSmallIntegerField(
        _("điểm B2 mỗi chỉ số thiếu hụt"), default=10
    )
    deprivation_cutoff = models.PositiveSmallIntegerField(
        _("số chỉ số thiếu hụt để là hộ nghèo"), default=3
    )
    indicators_provisional = models.BooleanField(
        _("bộ chỉ số tạm thời (chưa xác nhận)"), default=False
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    objects = PovertyStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end_year__gte=models.F("period_start_year")),
                name="standard_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(rural_average_upper__isnull=True)
                | Q(rural_average_upper__gt=models.F("rural_poverty_line")),
                name="standard_rural_band_above_line",
            ),
            models.CheckConstraint(
                condition=Q(urban_average_upper__isnull=True)
                | Q(urban_average_upper__gt=models.F("urban_poverty_line")),
                name="standard_urban_band_above_line",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rule(self) -> StandardRule:
        """The standard as the pure rule needs it (one query for the indicator codes)."""
        codes = frozenset(
            Indicator.objects.filter(dimension__standard=self).values_list("code", flat=True)
        )
        return StandardRule(
            rural_line=self.rural_poverty_line,
            urban_line=self.urban_poverty_line,
            rural_average_upper=self.rural_average_upper,
            urban_average_upper=self.urban_average_upper,
            b1_rural_max=self.b1_rural_max,
            b1_urban_max=self.b1_urban_max,
            deprivation_cutoff=self.deprivation_cutoff,
            indicator_codes=codes,
            b2_points_per_indicator=self.b2_points_per_indicator,
        )


class Dimension(models.Model):
    standard = models.ForeignKey(
        PovertyStandard, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("mã"), max_length=4)
    name = models.CharField(_("tên chiều"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chiều thiếu hụt")
        verbose_name_plural = _("chiều thiếu hụt")
        ordering = ["standard", "order"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="dimension_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class IndicatorQuerySet(models.QuerySet):
    def of_standard(self, standard: PovertyStandard) -> IndicatorQuerySet:
        return self.filter(dimension__standard=standard).select_related("dimension")


class Indicator(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã"), max_length=6)
    name = models.CharField(_("tên chỉ số"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    definition = models.TextField(_("định nghĩa (như văn bản nêu)"))
    order = models.PositiveSmallIntegerField(default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ số thiếu hụt")
        verbose_name_plural = _("chỉ số thiếu hụt")
        ordering = ["dimension__standard", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
