"""Official or provisional figures: the years with review results in an area, and for one year
whether every periodic review of the area is decided (its figures official) or some is still
running (its figures provisional, shown with how many households are reviewed).

Registered with the report engine (``reports.registry.register_years``) so the engine picks a
report's default year, fills the year picker and marks provisional figures in every format
without importing this app. The dashboard and the district table use these functions directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from areas.models import Area
from core.formatting import format_int
from households.models import Assessment, Household, ReviewCycle
from reports.registry import Provenance, YearChoice, register_years


def _periodic(area: Area):
    return ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC).covering(area)


def year_choices(area: Area) -> list[YearChoice]:
    """Every year with periodic-review results covering ``area``, newest first, official when
    every periodic review of that year in the area is finalised (one query). A cycle just opened,
    without a result, gives no year: its figures would all be zero."""
    has_result = Exists(Assessment.objects.filter(cycle=OuterRef("pk")))
    years: dict[int, dict[str, bool]] = {}
    for year, status, results in (
        _periodic(area)
        .annotate(has_result=has_result)
        .values_list("year", "status", "has_result")
        .order_by()
    ):
        entry = years.setdefault(year, {"data": False, "official": True})
        entry["data"] = entry["data"] or results
        entry["official"] = entry["official"] and status == ReviewCycle.Status.FINALISED
    return [
        YearChoice(year, entry["official"])
        for year, entry in sorted(years.items(), reverse=True)
        if entry["data"]
    ]


@dataclass(frozen=True)
class CycleState:
    """One commune's periodic review of a year, counted within the area asked about."""

    cycle: ReviewCycle
    reviewed: int
    total: int

    @property
    def finalised(self) -> bool:
        return self.cycle.status == ReviewCycle.Status.FINALISED

    @property
    def note(self) -> str:
        """The district table's note: the decision, or how far the review is."""
        cycle = self.cycle
        if self.finalised:
            if cycle.decision_number and cycle.decision_date:
                return _("Đã quyết định số %(number)s ngày %(day)s") % {
                    "number": cycle.decision_number,
                    "day": cycle.decision_date.strftime("%d/%m/%Y"),
                }
            if cycle.decision_number:
                return _("Đã quyết định số %(number)s") % {"number": cycle.decision_number}
            return _("Đã chốt kết quả rà soát")
        return _("Đang rà soát: %(reviewed)s/%(total)s hộ") % {
            "reviewed": format_int(self.reviewed),
            "total": format_int(self.total),
        }


def cycle_states(area: Area, year: int) -> dict[int, CycleState]:
    """{commune id: its periodic review of ``year``} for the communes within or covering
    ``area``, each with the households of its registry (on its reference date, within ``area``)
    and how many of them have a result in it: one query, whatever the number of communes."""
    registry = (
        Household.objects.within(area)
        .filter(commune_id=OuterRef("commune_id"))
        .in_registry_at(OuterRef("reference_date"))
    )

    def count(queryset):
        return Coalesce(
            Subquery(
                queryset.order_by().values("commune_id").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    result = Assessment.objects.filter(cycle_id=OuterRef(OuterRef("pk")), household=OuterRef("pk"))
    cycles = (
        _periodic(area)
        .filter(year=year)
        .annotate(
            registry_total=count(registry),
            registry_reviewed=count(registry.filter(Exists(result))),
        )
        .order_by()
    )
    return {c.commune_id: CycleState(c, c.registry_reviewed, c.registry_total) for c in cycles}


def provenance(states: dict[int, CycleState] | list[CycleState]) -> Provenance:
    """Official when every cycle is finalised; else provisional, with the households reviewed
    summed over the communes and, for more than one commune, how many are not finalised."""
    states = list(states.values()) if isinstance(states, dict) else list(states)
    reviewed = sum(s.reviewed for s in states)
    total = sum(s.total for s in states)
    open_units = sum(1 for s in states if not s.finalised)
    if not states or not open_units:
        return Provenance(False, reviewed, total, 0, len(states), "")
    note = _("Số liệu tạm thời — đã rà soát %(reviewed)s/%(total)s hộ") % {
        "reviewed": format_int(reviewed),
        "total": format_int(total),
    }
    if len(states) > 1:
        note += "; " + _("%(open)s/%(units)s xã chưa chốt kết quả rà soát") % {
            "open": format_int(open_units),
            "units": format_int(len(states)),
        }
    return Provenance(True, reviewed, total, open_units, len(states), note)


def figures_status(area: Area, year: int) -> Provenance:
    """The engine's hook: are the figures of ``year`` for ``area`` official? One query."""
    return provenance(cycle_states(area, year))


register_years(choices=year_choices, status=figures_status)
