"""Charts as plain SVG text (no JavaScript, no network): the same markup goes into the HTML page
and, through WeasyPrint, into the PDF. Only drawing happens here; the figures come from the
:class:`~reports.tables.Chart` that a report builder built."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formatting import format_decimal

from .tables import Chart

# Distinguishable in colour and in greyscale print (dark, light, middle).
COLOURS = ("#8c1d18", "#e8a33d", "#2f6db5", "#4d8c57")
FONT = 'font-family="PP Serif, Liberation Serif, Times New Roman, serif"'


def render_svg(chart: Chart) -> SafeString:
    draw = {"bars": _bars, "lines": _lines}[chart.kind]
    return mark_safe(draw(chart))  # noqa: S308  (every text inside is escaped)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (int, float, Decimal)) else None


def _label(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    text = format_decimal(value, 2) if unit == "%" else format_decimal(value, 0)
    return f"{text} {unit}".strip() if unit == "%" else text


def _nice_max(top: float) -> float:
    if top <= 0:
        return 10.0
    step = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 2.5, 5, 10):
        if top <= m * step:
            return m * step
    return 10 * step


def _opening(chart: Chart, width: float, height: float, *, legend_x: float) -> list[str]:
    """The <svg> element's opening, its accessible title and the legend."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        *_legend(chart, legend_x, 16),
    ]


def _legend(chart: Chart, x: float, y: float) -> list[str]:
    out = []
    for i, (name, _values) in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 16:.1f}" y="{y:.1f}" font-size="12" {FONT}>{escape(name)}</text>'
        )
        x += 28 + 7.2 * len(name)
    return out


def _bars(chart: Chart) -> str:
    """Horizontal grouped bars: one group per category, one bar per series."""
    width, label_w, right = 720.0, 265.0, 70.0
    bar_h, gap, group_gap, top = 11.0, 2.0, 9.0, 42.0
    n_series = max(len(chart.series), 1)
    group_h = n_series * bar_h + (n_series - 1) * gap
    height = top + len(chart.categories) * (group_h + group_gap) + 26
    values = [_num(v) for _n, vs in chart.series for v in vs]
    scale_max = 100.0 if chart.unit == "%" else _nice_max(max([v for v in values if v] or [0]))
    if chart.unit == "%" and max([v for v in values if v] or [0]) > 100:
        scale_max = _nice_max(max(v for v in values if v))
    plot_w = width - label_w - right
    parts = _opening(chart, width, height, legend_x=label_w)
    for k in range(0, 6):
        x = label_w + plot_w * k / 5
        tick = scale_max * k / 5
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6:.1f}" x2="{x:.1f}" y2="{height - 22:.1f}" '
            f'stroke="#c8ced6" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8:.1f}" font-size="11" text-anchor="middle" '
            f"{FONT}>{escape(_label(tick, chart.unit) if chart.unit != '%' else f'{tick:.0f} %')}"
            "</text>"
        )
    y = top
    for c, category in enumerate(chart.categories):
        parts.append(
            f'<text x="{label_w - 8:.1f}" y="{y + group_h / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end" {FONT}>{escape(category)}</text>'
        )
        for s, (_name, series_values) in enumerate(chart.series):
            value = _num(series_values[c])
            by = y + s * (bar_h + gap)
            length = 0.0 if value is None else plot_w * min(value, scale_max) / scale_max
            colour = COLOURS[s % len(COLOURS)]
            parts.append(
                f'<rect x="{label_w:.1f}" y="{by:.1f}" width="{length:.1f}" height="{bar_h:.1f}" '
                f'fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{label_w + length + 4:.1f}" y="{by + bar_h - 2:.1f}" font-size="10" '
                f"{FONT}>{escape(_label(series_values[c], chart.unit))}</text>"
            )
        y += group_h + group_gap
    parts.append("</svg>")
    return "".join(parts)


def _lines(chart: Chart) -> str:
    """One line per series across the categories (e.g. the rate in each review cycle)."""
    width, height, left, right, top, bottom = 680.0, 280.0, 60.0, 30.0, 40.0, 40.0
    values = [_num(v) for _n, vs in chart.series for v in vs]
    scale_max = _nice_max(max([v for v in values if v is not None] or [0]) * 1.1)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(chart.categories)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / scale_max)

    parts = _opening(chart, width, height, legend_x=left)
    for k in range(0, 6):
        tick = scale_max * k / 5
        y = y_of(tick)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right:.1f}" y2="{y:.1f}" '
            f'stroke="#c8ced6" stroke-width="0.6"/>'
        )
        tick_text = format_decimal(tick, 1 if scale_max < 10 else 0)
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f"{FONT}>{escape(tick_text)}{' %' if chart.unit == '%' else ''}</text>"
        )
    for i, category in enumerate(chart.categories):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{height - bottom + 18:.1f}" font-size="12" '
            f'text-anchor="middle" {FONT}>{escape(category)}</text>'
        )
    for s, (_name, series_values) in enumerate(chart.series):
        colour = COLOURS[s % len(COLOURS)]
        points = [
            (x_of(i), y_of(v))
            for i, v in enumerate(_num(v) for v in series_values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for i, raw in enumerate(series_values):
            v = _num(raw)
            if v is None:
                continue
            px, py = x_of(i), y_of(v)
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
            parts.append(
                f'<text x="{px + 6:.1f}" y="{py - 6:.1f}" font-size="10" {FONT}>'
                f"{escape(_label(raw, chart.unit))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
