"""The log of reads of personal data: who opened which household page, revealed which citizen
ID, downloaded which list of persons, when, for which area and how many rows (design.md:
personal data). Writes are already kept by django-simple-history on the models themselves.

The app knows no feature app: the object read is named by its model label and primary key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW_HOUSEHOLD = "view_household", _("Xem trang hộ")
        REVEAL_CITIZEN_ID = "reveal_citizen_id", _("Hiện đầy đủ số CCCD")
        EXPORT = "export", _("Xuất danh sách")
        REPORT_DOWNLOAD = "report_download", _("Tải báo cáo có danh sách hộ")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    # The user may be deleted later; the log keeps the name it was written with.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    action = models.CharField(_("thao tác"), max_length=20, choices=Action.choices)
    what = models.CharField(_("nội dung"), max_length=255, blank=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    # An area merged or removed later must not take its log with it: the entry keeps ``what``.
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("địa bàn"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    path = models.CharField(_("địa chỉ trang"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accesslog_object")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} · {self.username} · {self.get_action_display()}"
