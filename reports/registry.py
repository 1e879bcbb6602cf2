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

from django.utils.translation import gettext as _


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
    #: which periodic review the report's figures come from: the review of ``year +
    #: review_offset`` (the plan of 2024 starts from the review at the end of 2023: -1); None
    #: when its figures come from no review (budget, projects), so they are never provisional
    review_offset: int | None = 0

    def review_year(self, year: int) -> int | None:
        return None if self.review_offset is None else year + self.review_offset

    def report_year(self, review_year: int) -> int:
        """The report year whose figures come from the review of ``review_year``."""
        return review_year - (self.review_offset or 0)

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
    review_offset: int | None = 0,
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
            review_offset,
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
class YearChoice:
    """A year with review results in an area: ``official`` when every periodic review of that
    year in the area is finalised (its figures decided), else its figures are provisional."""

    year: int
    official: bool

    @property
    def label(self) -> str:
        return year_label(self.year, self.official)


def year_label(year: int, official: bool | None) -> str:
    """How a year picker names a year: official or provisional figures (None: neither)."""
    if official is None:
        return str(year)
    if official:
        return _("%(year)s — số liệu chính thức") % {"year": year}
    return _("%(year)s — số liệu tạm thời") % {"year": year}


@dataclass(frozen=True)
class Provenance:
    """Whether a year's figures for an area are official or provisional, as the app that holds
    the review cycles tells: ``reviewed`` of ``total`` households of the cycles' registries have
    a result; ``open_units``/``units``: communes whose cycle is not finalised, of those with a
    cycle that year (a district or province); ``note`` is the mark every format shows."""

    provisional: bool
    reviewed: int = 0
    total: int = 0
    open_units: int = 0
    units: int = 0
    note: str = ""


@dataclass(frozen=True)
class Years:
    """Which years have data for an area, as the app that holds the review cycles knows them:
    the engine picks a report's default year, the year picker and the provisional mark with
    these."""

    #: ``(area) -> list[YearChoice]``: every year with review results within (or covering)
    #: ``area``, newest first
    choices: Callable
    #: ``(area, year) -> Provenance``: official or provisional figures, with the counts
    status: Callable


YEARS: list[Years] = []


def register_years(*, choices: Callable, status: Callable) -> None:
    """Called once, by the app that holds the periodic reviews (``households``)."""
    YEARS[:] = [Years(choices, status)]


def year_choices(area) -> list[YearChoice]:
    return YEARS[0].choices(area) if YEARS else []


def default_year(choices: list[YearChoice]) -> int | None:
    """The latest year whose figures are official; without one, the latest year with data
    (a commune's first review, still open: its figures are shown marked provisional)."""
    official = [c.year for c in choices if c.official]
    if official:
        return max(official)
    return max((c.year for c in choices), default=None)


def latest_year(area) -> int | None:
    """The year a page opens on for ``area``: see :func:`default_year`."""
    return default_year(year_choices(area))


def status(area, review_year: int) -> Provenance | None:
    return YEARS[0].status(area, review_year) if YEARS else None


def build(spec: ReportSpec, area, year: int, *, official: bool | None = None, **options):
    """Build report ``spec`` and mark whether its figures are official or provisional
    (``Report.status``): the view, the command and every caller that shows a report use this.
    ``official=True``: the caller knows it from :func:`year_choices` (no query is asked)."""
    report = spec.build(area, year, **options)
    review_year = spec.review_year(year)
    if review_year is not None and getattr(report, "status", None) is None:
        report.status = Provenance(False) if official else status(area, review_year)
    return report
