"""The report registry: slug -> the function that builds the report.

Apps register their reports with ``@register("slug")`` in a module imported from their
``AppConfig.ready()``, so the one report view and the ``report`` command serve them all.
"""

from __future__ import annotations

from collections.abc import Callable

REPORTS: dict[str, Callable] = {}


def register(slug: str):
    def decorator(build: Callable) -> Callable:
        if slug in REPORTS and REPORTS[slug] is not build:
            raise ValueError(f"report {slug!r} registered twice")
        REPORTS[slug] = build
        return build

    return decorator


def get(slug: str) -> Callable | None:
    return REPORTS.get(slug)
