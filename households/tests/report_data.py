"""Small review data for report tests: households with a given class, written through the
review services like real results."""

from __future__ import annotations

import datetime

from households import services
from households.models import ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory

POOR_DEPRIVED = ("2.2", "4.1", "5.2")


def cycle_of(commune, year: int, kind: str = ReviewCycle.Kind.PERIODIC, day=None) -> ReviewCycle:
    reference = day or datetime.date(year, 12, 14)
    found = commune.review_cycles.filter(year=year, kind=kind, reference_date=reference).first()
    return found or ReviewCycleFactory(
        commune=commune, year=year, kind=kind, reference_date=reference
    )


def households(village, n: int, *, members: int = 2, ethnicity: str = "Tày") -> list:
    out = []
    for _i in range(n):
        h = HouseholdFactory(village=village, ethnicity=ethnicity)
        MemberFactory.create_batch(members, household=h)
        out.append(h)
    return out


def record(cycle, results: dict) -> None:
    """``results``: {household: "poor" | "near" | "out" | (income, [codes])}."""
    entries = []
    for household, result in results.items():
        if result == "poor":
            income, codes = 1_000_000, POOR_DEPRIVED
        elif result == "near":
            income, codes = 1_400_000, ("2.2",)
        elif result == "out":
            income, codes = 4_000_000, ()
        else:
            income, codes = result
        entries.append(services.AssessmentEntry(household, income, None, list(codes)))
    services.assessments_record(cycle=cycle, entries=entries)


def populate(village, n, *, poor=0, near=0, year=2023):
    """n households in ``village``: the first ``poor`` poor (3 deprivations), then ``near``
    near-poor (1 deprivation), the rest not poor. Each has 2 members."""
    hs = households(village, n)
    cycle = cycle_of(village.parent, year)
    record(
        cycle,
        {h: "poor" if i < poor else "near" if i < poor + near else "out" for i, h in enumerate(hs)},
    )
    return hs


def finalise(cycle, decided_on=None) -> ReviewCycle:
    """Mark ``cycle`` decided (its figures official), as the review's last stage leaves it."""
    ReviewCycle.objects.filter(pk=cycle.pk).update(
        status=ReviewCycle.Status.FINALISED,
        stage=ReviewCycle.Stage.DECIDED,
        decision_date=decided_on or cycle.reference_date,
    )
    cycle.refresh_from_db()
    services.cycle_status_changed(cycle)  # the summary counts, as the review's decision does
    return cycle
