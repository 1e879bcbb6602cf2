"""The household reports, registered with the report engine (``reports.registry``) when
``ReportsConfig.ready()`` imports every app's ``reports``: one module per report, each building
a :class:`~reports.tables.Report` with a fixed number of queries. Every figure is computed here;
percentages are recomputed from the counts (two decimals, half-up), never typed.

The years with data are the years of the periodic reviews; they are registered here too, so the
engine picks a default year without knowing about review cycles.
"""

from importlib import import_module

from reports.registry import register_years

from ..models import ReviewCycle

# Imported in the order the list of reports shows them.
for _name in ("baseline", "lists", "movement", "mpi", "progress", "communes"):
    import_module(f"{__name__}.{_name}")


def latest_year(area) -> int | None:
    """The latest periodic review covering ``area``."""
    return (
        ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC)
        .covering(area)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def years_within(area) -> list[int]:
    """Every year with a periodic review somewhere within ``area``, newest first."""
    return list(
        ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC)
        .within(area)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


register_years(latest=latest_year, within=years_within)
