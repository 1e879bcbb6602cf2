"""The shape every report is built into once, then rendered from (HTML, PDF, XLSX, CSV, JSON).

A :class:`Report` holds :class:`Table` s (columns, rows of plain values, totals marked by a row
style) and :class:`Chart` s (categories and series of numbers). Renderers only format and lay
these out; they never compute a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.formatting import format_decimal, format_int, format_number, format_percent

from .registry import Provenance

MILLION = Decimal(1_000_000)

#: row keys starting with this are layout hints (``_style``, ``_link``), not data
HINT_PREFIX = "_"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | percent | decimal | number (decimals only when needed)
    group: str = ""
    #: no longer read: printed column widths are measured from the cells (``reports.layout``);
    #: kept so that a builder still passing it does not fail
    width: float = 0
    #: decimals of a ``decimal`` column
    places: int = 2

    def format(self, value: Any) -> str:
        if self.kind == "int":
            return format_int(value)
        if self.kind == "percent":
            return format_percent(value)
        if self.kind == "decimal":
            return format_decimal(value, self.places)
        if self.kind == "number":
            return format_number(value, self.places)
        return "" if value is None else str(value)

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "percent", "decimal", "number")


@dataclass(frozen=True)
class MillionColumn(Column):
    """An amount in triệu đồng, one decimal as the plans print it ("3.326,6")."""

    kind: str = "decimal"
    places: int = 1

    def format(self, value) -> str:
        return format_decimal(value, self.places)


def million(amount_dong: int | None) -> Decimal | None:
    """Integer đồng as an exact decimal number of millions (2_975_000_000 -> 2975)."""
    return None if amount_dong is None else Decimal(amount_dong) / MILLION


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    key: str = ""
    footnotes: list[str] = field(default_factory=list)
    #: rows sharing this column's value form a group with a heading row (lists by village)
    group_by: str = ""
    #: a short name for the table's spreadsheet sheet, where its title is too long to make one
    #: (31 characters; ``reports.xlsx.sheet_name``)
    sheet: str = ""

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

    @property
    def shown_columns(self) -> list[Column]:
        """The columns a rendered page shows: the grouping column becomes the group heading."""
        return [c for c in self.columns if c.key != self.group_by]

    def header_rows(self, columns: list[Column] | None = None) -> list[list[tuple[str, int, int]]]:
        """The header as rows of (label, colspan, rowspan): one row, or two when columns are
        grouped (a grouped column's label goes under its group's; others span both rows)."""
        columns = self.columns if columns is None else columns
        if not any(c.group for c in columns):
            return [[(c.label, 1, 1) for c in columns]]
        top: list[list] = []
        bottom: list[tuple[str, int, int]] = []
        previous_group = None
        for column in columns:
            if not column.group:
                top.append([column.label, 1, 2])
                previous_group = None
                continue
            if previous_group == column.group:
                top[-1][1] += 1
            else:
                top.append([column.group, 1, 1])
            previous_group = column.group
            bottom.append((column.label, 1, 1))
        return [[tuple(cell) for cell in top], bottom]

    def formatted_rows(self) -> list[list[tuple[Column, str]]]:
        return [[(c, c.format(row.get(c.key))) for c in self.columns] for row in self.rows]

    def display_rows(self) -> list[dict[str, Any]]:
        """Rows as a page shows them: a heading row where a group starts, then each row's
        formatted cells (of :attr:`shown_columns`) with its style."""
        columns = self.shown_columns
        out: list[dict[str, Any]] = []
        for label, rows in self.groups():
            if self.group_by:
                out.append({"heading": label, "count": len(rows)})
            for row in rows:
                out.append(
                    {
                        "style": row.get("_style", ""),
                        "key": row.get("key"),
                        "area_id": row.get("_area_id"),
                        "cells": [(c, c.format(row.get(c.key))) for c in columns],
                    }
                )
        return out

    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(heading, rows) for each run of rows with the same ``group_by`` value, in order."""
        if not self.group_by:
            return [("", self.rows)]
        out: list[tuple[str, list[dict[str, Any]]]] = []
        for row in self.rows:
            label = row.get(self.group_by) or ""
            if out and out[-1][0] == label:
                out[-1][1].append(row)
            else:
                out.append((label, [row]))
        return out


@dataclass
class Chart:
    """A simple chart drawn as SVG: grouped bars (one bar per series in each category) or lines
    (one line per series across the categories). Values are numbers or None (no data)."""

    key: str
    title: str
    kind: str  # bars | lines
    categories: list[str]
    series: list[tuple[str, list[Any]]]
    unit: str = "%"
    note: str = ""
    #: what each series counts ("poor", "near_poor", "poor_or_near_poor"…), so that one class
    #: has one colour in every chart (``reports.charts.CLASS_COLOURS``); "" or missing: by order
    classes: tuple[str, ...] = ()


@dataclass
class Report:
    slug: str
    title: str
    area: Any
    year: int
    tables: list[Table]
    footnotes: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    #: wide tables are printed on A4 landscape
    landscape: bool = False
    #: the document type printed above the title (Decree 30/2020: "BÁO CÁO", "DANH SÁCH"…)
    document_type: str = ""
    #: the symbol in "Số: …/BC-UBND" (BC = report, DS = list)
    symbol: str = "BC"
    #: links the HTML page shows beside a row: {table key: {row key: url}}
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    #: official or provisional figures (:class:`reports.registry.Provenance`), set by
    #: :func:`reports.registry.build`; None for figures that come from no review
    status: Provenance | None = None

    @property
    def provisional_note(self) -> str:
        """The mark every format shows on provisional figures ("Số liệu tạm thời — đã rà soát
        X/Y hộ"), or "" for official figures."""
        return self.status.note if self.status is not None and self.status.provisional else ""

    @property
    def row_count(self) -> int:
        return sum(len(t.rows) for t in self.tables)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

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
                    "rows": [
                        {k: plain(v) for k, v in row.items() if not k.startswith(HINT_PREFIX)}
                        for row in t.rows
                    ],
                }
                for t in self.tables
            ],
            "charts": [
                {
                    "key": c.key,
                    "title": c.title,
                    "categories": c.categories,
                    "series": [{"name": n, "values": [plain(v) for v in vs]} for n, vs in c.series],
                }
                for c in self.charts
            ],
            "footnotes": self.footnotes,
            "provenance": {k: plain(v) for k, v in self.provenance.items()},
            "status": None
            if self.status is None
            else {
                "provisional": self.status.provisional,
                "reviewed": self.status.reviewed,
                "households": self.status.total,
                "note": self.status.note,
            },
        }
