"""Poverty standards, their dimensions and indicators (data, not constants: standards change
per period, and some figures are unconfirmed — see ``PovertyStandard.notes``), and the yearly
targets of an area with the progress officers record against them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.scoping import ScopedQuerySet
from core.names import LocalizedName

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
    # The income per person per month outside which a typed income asks the user to confirm
    # it (a typo more often than a fact): data per standard, editable in the admin.
    income_plausible_min = models.PositiveIntegerField(
        _("thu nhập thường gặp, thấp nhất (đồng/người/tháng)"),
        null=True,
        blank=True,
        help_text=_("Thu nhập thấp hơn mức này phải được người nhập xác nhận."),
    )
    income_plausible_max = models.PositiveIntegerField(
        _("thu nhập thường gặp, cao nhất (đồng/người/tháng)"),
        null=True,
        blank=True,
        help_text=_("Thu nhập cao hơn mức này phải được người nhập xác nhận."),
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


class Dimension(LocalizedName, models.Model):
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
        return f"{self.code}. {self.localized_name}"


class IndicatorQuerySet(models.QuerySet):
    def of_standard(self, standard: PovertyStandard) -> IndicatorQuerySet:
        return self.filter(dimension__standard=standard).select_related("dimension")


class Indicator(LocalizedName, models.Model):
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
        return f"{self.code} {self.localized_name}"


class TargetQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    ancestors_visible = True  # a village board sees its commune's targets
    edit_action = "report"

    def for_year(self, year: int) -> TargetQuerySet:
        return self.filter(year=year)

    def reductions(self, year: int) -> dict[tuple[int, str], Decimal]:
        """{(area id, metric): value} of the poverty-reduction targets of ``year`` among these
        rows (chain ``.filter(area__parent=commune)`` for Appendix 01's villages). One query."""
        metrics = [Target.Metric.POOR_REDUCTION, Target.Metric.NEAR_POOR_REDUCTION]
        return {
            (area_id, metric): value
            for area_id, metric, value in self.filter(year=year, metric__in=metrics).values_list(
                "area_id", "metric", "value"
            )
        }


class Target(models.Model):
    """One figure a plan sets for an area and a year (section II of the seed, Appendix 01)."""

    class Metric(models.TextChoices):
        POOR_REDUCTION = "poor_reduction", _("Giảm số hộ nghèo (hộ)")
        NEAR_POOR_REDUCTION = "near_poor_reduction", _("Giảm số hộ cận nghèo (hộ)")
        POVERTY_RATE = "poverty_rate", _("Tỷ lệ hộ nghèo, cận nghèo đa chiều cuối năm (%)")
        JOBS = "jobs", _("Giải quyết việc làm (lao động)")
        JOBS_OTHER_PROVINCES = "jobs_other_provinces", _("Trong đó: làm việc ở tỉnh khác")
        JOBS_LOCAL = "jobs_local", _("Trong đó: lao động tại địa phương")
        HEALTH_INSURANCE = "health_insurance", _("Hộ nghèo, cận nghèo có bảo hiểm y tế (%)")
        SCHOOLING = "schooling", _("Trẻ em hộ nghèo, cận nghèo đi học đúng độ tuổi (%)")
        CLEAN_WATER = "clean_water", _("Hộ nghèo, cận nghèo dùng nước sinh hoạt hợp vệ sinh (%)")
        LATRINE = "latrine", _("Hộ nghèo, cận nghèo dùng nhà tiêu hợp vệ sinh (%)")
        TELECOM = "telecom", _("Hộ nghèo, cận nghèo tiếp cận dịch vụ viễn thông, internet (%)")

    #: metrics the review data measures: the share of poor and near-poor households that are NOT
    #: deprived in this indicator (household-level, from the snapshot of each assessment)
    REVIEW_INDICATOR = {
        Metric.HEALTH_INSURANCE: "2.2",
        Metric.SCHOOLING: "3.2",
        Metric.CLEAN_WATER: "5.1",
        Metric.LATRINE: "5.2",
        Metric.TELECOM: "6.1",
    }
    PERCENT_METRICS = frozenset(
        {
            Metric.POVERTY_RATE,
            Metric.HEALTH_INSURANCE,
            Metric.SCHOOLING,
            Metric.CLEAN_WATER,
            Metric.LATRINE,
            Metric.TELECOM,
        }
    )

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    metric = models.CharField(_("chỉ tiêu"), max_length=30, choices=Metric.choices)
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    source = models.CharField(
        _("nguồn"),
        max_length=300,
        help_text=_("Văn bản giao chỉ tiêu, ví dụ: Kế hoạch 193/KH-UBND, mục II.2."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["year", "area__path", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "metric"],
                name="target_unique_per_area_year_metric",
                violation_error_message=_("Địa bàn này đã có chỉ tiêu đó trong năm; hãy sửa nó."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} · {self.get_metric_display()}: {self.value}"

    @property
    def is_percent(self) -> bool:
        return self.metric in self.PERCENT_METRICS


class ProgressRecordQuerySet(ScopedQuerySet):
    area_path_lookup = "target__area__path"
    ancestors_visible = True
    edit_action = "report"


class ProgressRecord(models.Model):
    """A value reached so far for a target the review data does not measure (jobs), as reported
    by whoever knows it; the progress report says the figure comes from here."""

    target = models.ForeignKey(
        Target, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="progress"
    )
    as_of = models.DateField(_("số liệu đến ngày"))
    value = models.DecimalField(_("giá trị đạt được"), max_digits=12, decimal_places=2)
    source = models.CharField(
        _("nguồn"), max_length=300, help_text=_("Ví dụ: báo cáo của công chức LĐ-TBXH xã.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ProgressRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả thực hiện chỉ tiêu")
        verbose_name_plural = _("kết quả thực hiện chỉ tiêu")
        ordering = ["target", "-as_of", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="progress_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.as_of}: {self.value}"
