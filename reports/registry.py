"""The report registry: slug -> the function that builds the report, with its title and options.

Apps register their reports with ``@register("slug")`` in a module imported from their
``AppConfig.ready()``, so the one report view and the ``report`` command serve them all.
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
):
    def decorator(build: Callable) -> Callable:
        if slug in REPORTS and REPORTS[slug] is not build:
            raise ValueError(f"report {slug!r} registered twice")
        REPORTS[slug] = build
        SPECS[slug] = ReportSpec(
            slug, build, title, tuple(options), per_commune, tuple(personal_tables), long_table
        )
        return build

    return decorator


def get(slug: str) -> Callable | None:
    return REPORTS.get(slug)


def spec(slug: str) -> ReportSpec | None:
    return SPECS.get(slug)
