"""Reads behind a cycle's stages: who of the registry is accounted for, and where each village
stands with its meeting. Each function is a fixed number of queries, whatever the commune's size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from areas.models import Area
from core.collation import by_name
from households.models import Assessment, Household, ReviewCycle, ReviewExemption
from households.queries import cycle_registry

from .models import Complaint, MeetingResult, VillageMeeting


def _has_result(cycle: ReviewCycle) -> Exists:
    return Exists(Assessment.objects.filter(cycle=cycle, household=OuterRef("pk")))


def _has_exemption(cycle: ReviewCycle) -> Exists:
    return Exists(ReviewExemption.objects.filter(cycle=cycle, household=OuterRef("pk")))


def _unaccounted(cycle: ReviewCycle) -> Q:
    return ~_has_result(cycle) & ~_has_exemption(cycle)


def unaccounted_households(cycle: ReviewCycle) -> QuerySet[Household]:
    """Households of the cycle's registry with neither a result nor a recorded reason."""
    return cycle_registry(cycle).filter(_unaccounted(cycle))


@dataclass(frozen=True)
class Coverage:
    """A cycle's registry: with a result, with a recorded reason instead, neither."""

    total: int
    reviewed: int
    exempted: int
    missing: int


@dataclass
class VillageRow:
    village: Area
    households: int = 0
    reviewed: int = 0
    exempted: int = 0
    missing: int = 0
    meeting: VillageMeeting | None = None
    #: households the meeting did not agree and that have no newer result yet
    not_agreed: int = 0

    @property
    def meeting_agreed(self) -> bool:
        return self.meeting is not None and self.meeting.agreed


def pending_not_agreed(cycle: ReviewCycle) -> QuerySet[MeetingResult]:
    """Meeting results not agreed whose household has no result recorded since: back to survey."""
    newer = Assessment.objects.filter(
        cycle=cycle, household=OuterRef("household"), recorded_at__gt=OuterRef("recorded_at")
    )
    return MeetingResult.objects.filter(meeting__cycle=cycle, agreed=False).exclude(Exists(newer))


def village_rows(cycle: ReviewCycle) -> list[VillageRow]:
    """Per village of the cycle's commune, in Vietnamese order: its registry counted, its meeting
    and its results sent back to survey (four queries)."""
    counts = (
        cycle_registry(cycle)
        .values("village_id")
        .annotate(
            total=Count("pk"),
            reviewed=Count("pk", filter=_has_result(cycle)),
            exempted=Count("pk", filter=~_has_result(cycle) & _has_exemption(cycle)),
            missing=Count("pk", filter=_unaccounted(cycle)),
        )
        .order_by()
    )
    by_village = {row["village_id"]: row for row in counts}
    meetings = {m.village_id: m for m in VillageMeeting.objects.filter(cycle=cycle)}
    pending = dict(
        pending_not_agreed(cycle)
        .values_list("meeting__village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    villages = Area.objects.within(cycle.commune).filter(kind=Area.Kind.VILLAGE)
    rows = []
    for village in sorted(villages, key=by_name):
        c = by_village.get(village.pk, {})
        rows.append(
            VillageRow(
                village=village,
                households=c.get("total", 0),
                reviewed=c.get("reviewed", 0),
                exempted=c.get("exempted", 0),
                missing=c.get("missing", 0),
                meeting=meetings.get(village.pk),
                not_agreed=pending.get(village.pk, 0),
            )
        )
    return rows


def coverage_of(rows: list[VillageRow]) -> Coverage:
    return Coverage(
        total=sum(r.households for r in rows),
        reviewed=sum(r.reviewed for r in rows),
        exempted=sum(r.exempted for r in rows),
        missing=sum(r.missing for r in rows),
    )


def open_complaints(cycle: ReviewCycle) -> QuerySet[Complaint]:
    return Complaint.objects.filter(cycle=cycle).open()
