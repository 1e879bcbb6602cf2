"""Figures that reports use besides the review: a stated household total where the registry is
incomplete (design.md: denominators come from the registry or from an explicit figure)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet


class HouseholdTotalQuerySet(ScopedQuerySet):
    area_path_lookup = "area__path"
    edit_roles = frozenset({"officer", "admin"})


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
