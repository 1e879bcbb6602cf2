"""The household reports, registered with the report engine (``reports.registry``) when
``ReportsConfig.ready()`` imports every app's ``reports``: one module per report, each building
a :class:`~reports.tables.Report` with a fixed number of queries. Every figure is computed here;
percentages are recomputed from the counts (two decimals, half-up), never typed.

The years with data are the years of the periodic reviews, official once every review of the
year is finalised; ``status`` registers them, so the engine picks a default year and marks
provisional figures without knowing about review cycles.
"""

from importlib import import_module

# Imported in the order the list of reports shows them; ``status`` registers the years with
# data and whether their figures are official.
for _name in ("baseline", "lists", "movement", "mpi", "progress", "communes", "status"):
    import_module(f"{__name__}.{_name}")
