"""Figures and settings that reports use besides the review:

- a stated household total where the registry is incomplete (design.md: denominators come from
  the registry or from an explicit figure);
- the blocks of an official document (Decree 30/2020/NĐ-CP) per area and per report;
- the figures another document states (e.g. the plan's section I), to reconcile against the
  figures computed from the data.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.scoping import ScopedQuerySet


class HouseholdTotalQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    edit_action = "report"


class HouseholdTotal(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    households = models.PositiveIntegerField(_("tổng số hộ"))
    source = models.CharField(
        _("nguồn số liệu"), max_length=200, help_text=_("Ví dụ: báo cáo dân số của xã 12/2023.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = HouseholdTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổng số hộ khai báo")
        verbose_name_plural = _("tổng số hộ khai báo")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="household_total_per_area_year")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}: {self.households}"


class DocumentSettingsQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    ancestors_visible = True
    edit_action = "report"


class DocumentSettings(models.Model):
    """The blocks around a report's tables when it is printed as an official document.

    One row per area with ``report`` empty gives the defaults of every document of that area; a
    row with a report slug overrides them for that report. Empty fields fall back to the area's
    row, then to values derived from the area's name.
    """

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.CharField(
        _("báo cáo"),
        max_length=40,
        blank=True,
        help_text=_("Mã báo cáo (baseline, lists…); để trống để áp dụng cho mọi văn bản."),
    )
    superior_body = models.CharField(
        _("cơ quan chủ quản"),
        max_length=120,
        blank=True,
        help_text=_("Dòng trên tên cơ quan ban hành, nếu có (chữ in hoa, không đậm)."),
    )
    issuing_body = models.CharField(
        _("cơ quan ban hành"),
        max_length=200,
        blank=True,
        help_text=_("Mỗi dòng một hàng, ví dụ: ỦY BAN NHÂN DÂN / XÃ VĨNH HẢO."),
    )
    number = models.CharField(
        _("số"), max_length=20, blank=True, help_text=_("Để trống để điền tay khi ký.")
    )
    symbol = models.CharField(
        _("ký hiệu"), max_length=40, blank=True, help_text=_("Ví dụ: BC-UBND, KH-UBND.")
    )
    place = models.CharField(_("địa danh"), max_length=80, blank=True)
    document_date = models.DateField(
        _("ngày ban hành"), null=True, blank=True, help_text=_("Để trống để điền tay khi ký.")
    )
    document_type = models.CharField(
        _("tên loại văn bản"), max_length=60, blank=True, help_text=_("Ví dụ: BÁO CÁO.")
    )
    title = models.CharField(
        _("trích yếu"), max_length=300, blank=True, help_text=_("Để trống để dùng tên báo cáo.")
    )
    signing_authority = models.TextField(
        _("quyền hạn ký"),
        blank=True,
        help_text=_("Mỗi dòng một hàng, ví dụ: TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH."),
    )
    signer_position = models.CharField(_("chức vụ người ký"), max_length=80, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    recipients = models.TextField(
        _("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận, ví dụ: - Lưu VP.")
    )
    body = models.TextField(
        _("nội dung văn bản"),
        blank=True,
        help_text=_(
            "Lời văn của văn bản có phần nội dung (quyết định, biên bản, phiếu): để trống để dùng "
            "lời văn mặc định. Các chỗ trong ngoặc nhọn như {xa}, {nam} được thay bằng số liệu."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentSettingsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thể thức văn bản")
        verbose_name_plural = _("thể thức văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "report"],
                name="document_settings_per_area_report",
                violation_error_message=_("Địa bàn này đã có thể thức cho báo cáo đó."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.report or '*'}"


class StatedDocumentQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    ancestors_visible = True
    edit_action = "report"


class StatedDocument(models.Model):
    """A document whose figures are reconciled with the computed ones (e.g. plan 193/KH-UBND)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm của số liệu"))
    report = models.CharField(
        _("đối chiếu với báo cáo"), max_length=40, default="baseline", help_text=_("Mã báo cáo.")
    )
    reference = models.CharField(
        _("văn bản"), max_length=300, help_text=_("Ví dụ: Kế hoạch số 193/KH-UBND, mục I.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu văn bản nêu")
        verbose_name_plural = _("số liệu văn bản nêu")
        ordering = ["-year", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "report", "reference"],
                name="stated_document_unique",
                violation_error_message=_("Văn bản này đã được nhập cho địa bàn và năm đó."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.area}, {self.year})"


class StatedFigure(models.Model):
    """One figure as the document states it: which cell of the report, and the value typed."""

    document = models.ForeignKey(StatedDocument, on_delete=models.CASCADE, related_name="figures")
    table = models.CharField(_("bảng"), max_length=40)
    row = models.CharField(_("dòng"), max_length=40)
    column = models.CharField(_("cột"), max_length=40)
    value = models.DecimalField(_("giá trị văn bản nêu"), max_digits=14, decimal_places=4)
    #: the figure exactly as written, so the report can show it as the document does
    text = models.CharField(_("như văn bản ghi"), max_length=40)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["document", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "table", "row", "column"],
                name="stated_figure_unique_cell",
                violation_error_message=_("Một ô được nêu hai lần."),
            ),
            models.CheckConstraint(condition=~Q(text=""), name="stated_figure_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.row}/{self.column} = {self.text}"
