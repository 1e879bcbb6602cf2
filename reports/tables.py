"""The shape every report is built into once, then rendered from (HTML, CSV, JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .formatting import format_decimal, format_int, format_percent


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | percent | decimal
    group: str = ""

    def format(self, value: Any) -> str:
        if self.kind == "int":
            return format_int(value)
        if self.kind == "percent":
            return format_percent(value)
        if self.kind == "decimal":
            return format_decimal(value)
        return "" if value is None else str(value)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    key: str = ""
    footnotes: list[str] = field(default_factory=list)

    def column_groups(self) -> list[tuple[str, int]]:
        """Consecutive columns sharing a group label, as (label, span) for a two-row header."""
        groups: list[tuple[str, int]] = []
        for column in self.columns:
            if groups and groups[-1][0] == column.group:
                groups[-1] = (column.group, groups[-1][1] + 1)
            else:
                groups.append((column.group, 1))
        return groups

    @property
    def has_groups(self) -> bool:
        return any(c.group for c in self.columns)

    def formatted_rows(self) -> list[list[tuple[Column, str]]]:
        return [[(c, c.format(row.get(c.key))) for c in self.columns] for row in self.rows]


@dataclass
class Report:
    slug: str
    title: str
    area: Any
    year: int
    tables: list[Table]
    footnotes: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """Plain data (numbers as numbers, percentages as decimal strings) for JSON/CSV."""

        def plain(value):
            if isinstance(value, Decimal):
                return str(value)
            return value

        return {
            "report": self.slug,
            "title": self.title,
            "area": {"code": self.area.code, "name": self.area.name, "kind": self.area.kind},
            "year": self.year,
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "columns": [c.key for c in t.columns],
                    "rows": [{k: plain(v) for k, v in row.items()} for row in t.rows],
                }
                for t in self.tables
            ],
            "footnotes": self.footnotes,
            "provenance": {k: plain(v) for k, v in self.provenance.items()},
        }
