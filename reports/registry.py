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


REPORTS: dict[str, Callable] = {}
SPECS: dict[str, ReportSpec] = {}


def register(slug: str, *, title: str = "", options: tuple[str, ...] = (), per_commune=True):
    def decorator(build: Callable) -> Callable:
        if slug in REPORTS and REPORTS[slug] is not build:
            raise ValueError(f"report {slug!r} registered twice")
        REPORTS[slug] = build
        SPECS[slug] = ReportSpec(slug, build, title, tuple(options), per_commune)
        return build

    return decorator


def get(slug: str) -> Callable | None:
    return REPORTS.get(slug)


def spec(slug: str) -> ReportSpec | None:
    return SPECS.get(slug)
