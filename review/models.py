"""The records of a review's stages (see ``review/apps.py``).

A periodic cycle (``households.ReviewCycle``) moves open → survey → meetings → posting → decided;
``services.py`` moves it and checks each step's condition. What the steps leave behind is kept
here: the village meetings with each household's agreement, the public posting, the complaints
received while it lasts, and every move of the cycle (reopening included, with its reason).
Writes go through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from areas.scoping import ScopedQuerySet
from households.models import Household, ReviewCycle


class MeetingQuerySet(ScopedQuerySet):
    area_path_lookup = "village__path"
    # the commune officer and the board of the village keep its meeting (docs/decisions-review.md)
    edit_action = "edit_registry"


class VillageMeeting(models.Model):
    """The village meeting (họp thôn) of a cycle: who chaired it, how many household
    representatives came. Its results can be agreed only when at least half of the village's
    representatives are present."""

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name=_("đợt rà soát"),
        on_delete=models.CASCADE,
        related_name="village_meetings",
    )
    village = models.ForeignKey(
        Area, verbose_name=_("thôn"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("ngày họp"))
    chair = models.CharField(_("người chủ trì"), max_length=120)
    secretary = models.CharField(_("thư ký"), max_length=120, blank=True)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    representatives_present = models.PositiveIntegerField(_("số đại diện hộ có mặt"))
    representatives_total = models.PositiveIntegerField(
        _("tổng số đại diện hộ được mời"), validators=[MinValueValidator(1)]
    )
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("cuộc họp thôn")
        verbose_name_plural = _("cuộc họp thôn")
        ordering = ["cycle", "village__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "village"],
                name="one_meeting_per_village_per_cycle",
                violation_error_message=_("Thôn này đã có biên bản họp trong đợt rà soát này."),
            ),
            models.CheckConstraint(
                condition=Q(representatives_total__gte=1)
                & Q(representatives_present__lte=F("representatives_total")),
                name="meeting_present_within_total",
                violation_error_message=_(
                    "Số đại diện có mặt không được lớn hơn tổng số đại diện hộ."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.held_on:%d/%m/%Y}"

    @property
    def quorate(self) -> bool:
        """At least half of the village's household representatives are present."""
        return (
            self.representatives_total > 0
            and self.representatives_present * 2 >= self.representatives_total
        )

    # The meeting can agree results only with its quorum (Decision 24/2021/QĐ-TTg).
    agreed = quorate


class MeetingResultQuerySet(ScopedQuerySet):
    area_path_lookup = "meeting__village__path"
    edit_action = "edit_registry"


class MeetingResult(models.Model):
    """One household's result as the village meeting judged it. A result not agreed goes back to
    survey: it stands in the way of the posting until the household has a newer result
    (``Assessment.recorded_at`` after ``recorded_at``) or the meeting agrees it."""

    meeting = models.ForeignKey(
        VillageMeeting,
        verbose_name=_("cuộc họp thôn"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="+"
    )
    agreed = models.BooleanField(_("nhất trí"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now=True)

    objects = MeetingResultQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("kết quả họp thôn của hộ")
        verbose_name_plural = _("kết quả họp thôn của hộ")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "household"],
                name="one_meeting_result_per_household",
                violation_error_message=_("Hộ này đã có kết quả trong biên bản họp thôn."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {'+' if self.agreed else '-'}"


class CommuneQuerySet(ScopedQuerySet):
    """Rows of a commune's cycle: kept by the commune officer, seen by all in the commune."""

    area_path_lookup = "cycle__commune__path"
    ancestors_visible = True
    edit_action = "review"


class Posting(models.Model):
    """The public posting (niêm yết công khai) of a cycle's results: 3 working days from
    ``starts_on`` (``review.workdays``; ``ends_on`` is computed when it is recorded)."""

    cycle = models.OneToOneField(
        ReviewCycle, verbose_name=_("đợt rà soát"), on_delete=models.CASCADE, related_name="posting"
    )
    starts_on = models.DateField(_("ngày bắt đầu niêm yết"))
    ends_on = models.DateField(_("ngày kết thúc niêm yết"))
    place = models.CharField(
        _("nơi niêm yết"),
        max_length=300,
        blank=True,
        help_text=_("Nhà văn hóa thôn, trụ sở UBND xã…"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now=True)

    objects = CommuneQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("niêm yết công khai")
        verbose_name_plural = _("niêm yết công khai")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="posting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"

    def is_open_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class ComplaintQuerySet(ScopedQuerySet):
    # about a household: seen where the household is seen (a board: its own village)
    area_path_lookup = "household__village__path"
    edit_action = "review"

    def open(self) -> ComplaintQuerySet:
        return self.filter(resolved_on__isnull=True)


class Complaint(models.Model):
    """One entry of the complaints register (sổ tiếp nhận khiếu nại) kept while the results are
    posted. Open while it has no ``resolved_on``."""

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name=_("đợt rà soát"),
        on_delete=models.CASCADE,
        related_name="complaints",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ bị khiếu nại"), on_delete=models.PROTECT, related_name="+"
    )
    complainant = models.CharField(_("người khiếu nại"), max_length=120)
    content = models.TextField(_("nội dung"))
    received_on = models.DateField(_("ngày tiếp nhận"))
    resolved_on = models.DateField(_("ngày giải quyết"), null=True, blank=True)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("sổ khiếu nại")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("received_on")),
                name="complaint_resolved_after_received",
                violation_error_message=_("Ngày giải quyết không được trước ngày tiếp nhận."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.complainant} · {self.household}"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


class CycleEvent(models.Model):
    """One move of a cycle between stages: who, when, and for a reopening why."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("đợt rà soát"), on_delete=models.CASCADE, related_name="events"
    )
    from_stage = models.CharField(_("từ bước"), max_length=10, choices=ReviewCycle.Stage.choices)
    to_stage = models.CharField(_("sang bước"), max_length=10, choices=ReviewCycle.Stage.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    reason = models.TextField(_("lý do"), blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển bước rà soát")
        verbose_name_plural = _("lịch sử các bước rà soát")
        ordering = ["cycle", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def is_reopening(self) -> bool:
        return self.from_stage == ReviewCycle.Stage.DECIDED
