"""Users and their memberships: which area a user works in, and in which role (design.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    role: str
    area_id: int
    area_path: str
    area_kind: str = ""


class User(AbstractUser):
    """The project's own user model, so that fields can be added without a painful migration."""

    requires_two_factor = models.BooleanField(
        _("bắt buộc xác thực hai bước"),
        default=False,
        help_text=_("Người dùng phải đăng nhập bằng mật khẩu và mã từ ứng dụng xác thực."),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def scope_memberships(self) -> list[Scope]:
        """The user's (role, area) pairs, read once per request object and kept on it."""
        cached = getattr(self, "_scope_cache", None)
        if cached is None:
            cached = [
                Scope(role, area_id, path, kind)
                for role, area_id, path, kind in self.memberships.values_list(
                    "role", "area_id", "area__path", "area__kind"
                )
            ]
            self._scope_cache = cached
        return cached

    @property
    def must_use_two_factor(self) -> bool:
        """Administrators (superusers, staff who reach the admin site, "admin" memberships) while
        TWO_FACTOR_REQUIRED_FOR_ADMINS is on, and anyone whose account demands it."""
        from django.conf import settings

        if self.requires_two_factor:
            return True
        if not settings.TWO_FACTOR_REQUIRED_FOR_ADMINS:
            return False
        return (
            self.is_superuser
            or self.is_staff
            or any(m.role == Membership.Role.ADMIN for m in self.scope_memberships())
        )

    def home_area(self):
        """The area a dashboard opens on: the user's first membership, widest first."""
        from areas.models import Area

        scopes = sorted(self.scope_memberships(), key=lambda m: m.area_path.count("/"))
        if not scopes:
            return None
        return Area.objects.get(pk=scopes[0].area_id)


class Membership(models.Model):
    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ xã")
        BOARD = "board", _("Ban quản lý thôn")
        VIEWER = "viewer", _("Cán bộ theo dõi (huyện/tỉnh)")
        FINANCE = "finance", _("Kế toán ngân sách xã")
        ADMIN = "admin", _("Quản trị hệ thống")

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="memberships"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "area", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from areas.models import Area

        expected = {
            self.Role.OFFICER: Area.Kind.COMMUNE,
            self.Role.FINANCE: Area.Kind.COMMUNE,
            self.Role.BOARD: Area.Kind.VILLAGE,
        }.get(self.role)
        if expected and self.area_id and self.area.kind != expected:
            raise ValidationError(
                {"area": _("Vai trò này phải gắn với một %(kind)s.") % {"kind": expected.label}}
            )
