"""The report registry: slug -> the function that builds the report, with its title and options.

Apps register their reports with ``@register("slug")`` in a module (or package) named
``reports`` at the top of the app: ``ReportsConfig.ready()`` imports every app's ``reports``
the way the admin imports every ``admin``, so the one report view and the ``report`` command
serve them all without the engine importing a feature app. What the engine needs to know about
the data beyond a builder — a cheap row count, the figures a stated document is compared with,
which years have data — is registered here too, by the app that holds the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    build: Callable
    title: str = ""
    #: extra parameters the builder accepts (query string ``?since=2023``, ``--option since=2023``)
    options: tuple[str, ...] = ()
    #: shown in the list of a commune's reports (the district view links to these)
    per_commune: bool = True
    #: the keys of the report's tables that list households or persons by name. A report with
    #: any is personal: it is served only for areas whose persons the user may see
    #: (``areas.scoping.persons_visible_in``), and every download of it is logged (``audit``).
    personal_tables: tuple[str, ...] = ()
    #: its grouped tables are long lists: the PDF draws them directly (``reports.pdf.table_pdf``,
    #: ``fastpdf``) instead of laying them out with WeasyPrint
    long_table: bool = False
    #: ``(area, year, **options) -> int``: a cheap estimate of the report's rows (at most one
    #: COUNT query; given the request's options, if any); without one the engine estimates a few
    #: rows per unit below the area
    row_count: Callable | None = None
    #: ``(area, year) -> Report``: the tables a stated document may be compared with
    #: (``reports.reconciliation``), without charts; a report without one cannot be reconciled
    figures: Callable | None = None
    #: ``(report) -> {(row key, column key): Fraction}``: the unrounded values of percentage
    #: cells, from the report's own counts, to tell a rounding difference from a wrong figure
    exact_values: Callable | None = None
    #: ``(area) -> str``: the wording of a document with a body of text (a decision, minutes),
    #: shown on the document settings page for the commune to edit (``DocumentSettings.body``)
    default_body: Callable | None = None

    @property
    def personal(self) -> bool:
        return bool(self.personal_tables)

    def personal_rows(self, report) -> int:
        """How many households or persons ``report`` (built by this spec) lists."""
        return sum(len(t.rows) for t in report.tables if t.key in self.personal_tables)


REPORTS: dict[str, Callable] = {}
SPECS: dict[str, ReportSpec] = {}


def register(
    slug: str,
    *,
    title: str = "",
    options: tuple[str, ...] = (),
    per_commune=True,
    personal_tables: tuple[str, ...] = (),
    long_table: bool = False,
    row_count: Callable | None = None,
    figures: Callable | None = None,
    exact_values: Callable | None = None,
    default_body: Callable | None = None,
):
    def decorator(build: Callable) -> Callable:
        if slug in REPORTS and REPORTS[slug] is not build:
            raise ValueError(f"report {slug!r} registered twice")
        REPORTS[slug] = build
        SPECS[slug] = ReportSpec(
            slug,
            build,
            title,
            tuple(options),
            per_commune,
            tuple(personal_tables),
            long_table,
            row_count,
            figures,
            exact_values,
            default_body,
        )
        return build

    return decorator


def get(slug: str) -> Callable | None:
    return REPORTS.get(slug)


def spec(slug: str) -> ReportSpec | None:
    return SPECS.get(slug)


def figures(slug: str) -> Callable | None:
    """The builder whose figures a stated document about report ``slug`` is compared with."""
    found = SPECS.get(slug)
    return found.figures if found else None


@dataclass(frozen=True)
class Years:
    """Which years have data for an area, as the app that holds the review cycles knows them:
    the engine picks a report's default year and lists the years of a district with these."""

    #: ``(area) -> int | None``: the latest year whose review covers ``area``
    latest: Callable
    #: ``(area) -> list[int]``: every year with a review somewhere within ``area``, newest first
    within: Callable


YEARS: list[Years] = []


def register_years(*, latest: Callable, within: Callable) -> None:
    """Called once, by the app that holds the periodic reviews (``households``)."""
    YEARS[:] = [Years(latest, within)]


def latest_year(area) -> int | None:
    return YEARS[0].latest(area) if YEARS else None


def years_within(area) -> list[int]:
    return YEARS[0].within(area) if YEARS else []
