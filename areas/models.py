"""Administrative units as one tree: province > [district] > commune > village.

The district level is optional because the 2025 reform (Resolution 202/2025/QH15, in force
1 July 2025) abolished it; units keep a validity period and a "merged into" link so that reports
for 2022–2025 still use the units of that time. ``path`` is a materialised path of primary keys
("/1/7/42/"), so "every unit below X" is one indexed prefix query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class AreaQuerySet(ScopedQuerySet):
    area_path_lookup = "path"
    ancestors_visible = True  # a village board sees the name of its commune and province
    edit_action = "administer"

    def communes(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.COMMUNE)

    def villages(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.VILLAGE)

    def valid_on(self, day) -> AreaQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def editable_villages(self, user) -> AreaQuerySet:
        """Villages whose households ``user`` may add and change (officers, boards, admins)."""
        return self.all().where_can(user, "edit_registry").villages()

    def editable_communes(self, user) -> AreaQuerySet:
        """Communes whose review cycles ``user`` may create and finalise (officers, admins)."""
        return self.all().where_can(user, "review").communes()

    def lookup(self, term: str) -> AreaQuerySet:
        """Units whose code or exact name is ``term`` (what the shell commands accept)."""
        term = term.strip()
        return self.filter(Q(code=term) | Q(name__iexact=term))


class Area(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh / thành phố")
        DISTRICT = "district", _("Huyện / quận")
        COMMUNE = "commune", _("Xã / phường / thị trấn")
        VILLAGE = "village", _("Thôn / tổ dân phố")

    # Which kinds may sit directly under which: the district level is optional.
    ALLOWED_PARENTS = {
        Kind.PROVINCE: (),
        Kind.DISTRICT: (Kind.PROVINCE,),
        Kind.COMMUNE: (Kind.PROVINCE, Kind.DISTRICT),
        Kind.VILLAGE: (Kind.COMMUNE,),
    }

    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    code = models.CharField(
        _("mã"),
        max_length=12,
        blank=True,
        help_text=_("Mã đơn vị hành chính (thôn, tổ dân phố có thể không có mã)."),
    )
    name = models.CharField(_("tên"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_urban = models.BooleanField(_("thành thị"), default=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=Q(valid_to__isnull=True) & ~Q(code=""),
                name="area_code_unique_per_kind_while_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="area_valid_to_after_valid_from",
            ),
        ]
        # The household list sorted by village reads villages in name order and each one's
        # households along (village, code) (docs/benchmarks.md, "Province viewer (issue 16)").
        indexes = [models.Index(fields=["name", "id"], name="area_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path needs the primary key, so a new row is saved once, then its path is filled in.
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k != "force_insert"}
            kwargs.pop("update_fields", None)
        self.path = self.build_path()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        allowed = self.ALLOWED_PARENTS.get(self.kind)
        if allowed is None:
            return  # an unknown kind: the field's own validation reports it
        if self.parent is None and allowed and self.kind != self.Kind.PROVINCE:
            raise ValidationError({"parent": _("Đơn vị cấp này phải thuộc một đơn vị cấp trên.")})
        if self.parent is not None and self.parent.kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("Không thể đặt %(kind)s dưới %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )
        if self.kind != self.Kind.VILLAGE and not self.code:
            raise ValidationError({"code": _("Đơn vị cấp tỉnh, huyện, xã phải có mã.")})

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_paths(self) -> list[str]:
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]

    def ancestors(self) -> AreaQuerySet:
        return Area.objects.filter(path__in=self.ancestor_paths()).order_by("path")

    def descendants(self, include_self: bool = True) -> AreaQuerySet:
        qs = Area.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)

    @property
    def commune(self) -> Area | None:
        if self.kind == self.Kind.COMMUNE:
            return self
        if self.kind == self.Kind.VILLAGE:
            return self.parent
        return None


def reportable_areas(user) -> AreaQuerySet:
    """Areas whose aggregate reports ``user`` may read: everything within the user's memberships
    (finance too: it reads plans and aggregate reports), and for a village board also its commune
    (design.md: boards see the commune's figures). Reports that list households are narrower:
    ``areas.scoping.persons_visible_in``."""
    visible = Area.objects.visible_to(user)
    own = Area.objects.where_can(user, "view")
    board_communes = [
        m.area_path.rsplit("/", 2)[0] + "/"
        for m in (user.scope_memberships() if user.is_authenticated else [])
        if m.role == "board"
    ]
    return visible.filter(Q(pk__in=own.values("pk")) | Q(path__in=board_communes))
