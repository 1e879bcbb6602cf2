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
#: one colour per class of household in every chart (a series' ``Chart.classes`` entry): poor is
#: the same dark red in the bars of deprivations and in the line of rates
CLASS_COLOURS = {
    "poor": COLOURS[0],
    "near_poor": COLOURS[1],
    "poor_or_near_poor": COLOURS[2],
    "average": COLOURS[3],
}
FONT = 'font-family="PP Serif, Liberation Serif, Times New Roman, serif"'


def series_colours(chart: Chart) -> list[str]:
    """The colour of each series: its class's, else the palette's next colour no class of the
    chart has taken."""
    classes = list(chart.classes) + [""] * (len(chart.series) - len(chart.classes))
    taken = {CLASS_COLOURS[c] for c in classes if c in CLASS_COLOURS}
    spare = [c for c in COLOURS if c not in taken] or list(COLOURS)
    out = []
    for cls in classes[: len(chart.series)]:
        if cls in CLASS_COLOURS:
            out.append(CLASS_COLOURS[cls])
        else:
            out.append(spare[len([o for o in out if o in spare]) % len(spare)])
    return out


def _width(text: str, size: float) -> float:
    """The width of ``text`` in the charts' font, in SVG units (points)."""
    from .layout import text_width

    return text_width(text, size)


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
    for (name, _values), colour in zip(chart.series, series_colours(chart), strict=True):
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 16:.1f}" y="{y:.1f}" font-size="12" {FONT}>{escape(name)}</text>'
        )
        x += 28 + _width(name, 12)
    return out


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word longer than a line keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _bars(chart: Chart) -> str:
    """Horizontal grouped bars: one group per category, one bar per series. The category names
    take the room their longest needs (up to a third of the width, then two lines), the value
    labels after the bars the room their widest needs: nothing is cut at the edges."""
    width, bar_h, gap, group_gap, top = 720.0, 11.0, 2.0, 9.0, 42.0
    colours = series_colours(chart)
    widest = max((_width(c, 12) for c in chart.categories), default=0)
    label_w = min(max(widest, 120.0), width / 3) + 10
    names = [_wrap(c, 12, label_w - 10) for c in chart.categories]
    right = max(
        (_width(_label(v, chart.unit), 10) for _n, vs in chart.series for v in vs), default=0
    )
    right += 12
    n_series = max(len(chart.series), 1)
    group_h = max(n_series * bar_h + (n_series - 1) * gap, 14.0 * max(map(len, names or [[]])))
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
    for c, lines in enumerate(names):
        first = y + group_h / 2 + 4 - 7 * (len(lines) - 1)
        for i, line in enumerate(lines):
            parts.append(
                f'<text x="{label_w - 8:.1f}" y="{first + 14 * i:.1f}" font-size="12" '
                f'text-anchor="end" {FONT}>{escape(line)}</text>'
            )
        bars_top = y + (group_h - (n_series * bar_h + (n_series - 1) * gap)) / 2
        for s, (_name, series_values) in enumerate(chart.series):
            value = _num(series_values[c])
            by = bars_top + s * (bar_h + gap)
            length = 0.0 if value is None else plot_w * min(value, scale_max) / scale_max
            parts.append(
                f'<rect x="{label_w:.1f}" y="{by:.1f}" width="{length:.1f}" height="{bar_h:.1f}" '
                f'fill="{colours[s]}"/>'
            )
            parts.append(
                f'<text x="{label_w + length + 4:.1f}" y="{by + bar_h - 2:.1f}" font-size="10" '
                f"{FONT}>{escape(_label(series_values[c], chart.unit))}</text>"
            )
        y += group_h + group_gap
    parts.append("</svg>")
    return "".join(parts)


def _lines(chart: Chart) -> str:
    """One line per series across the categories (e.g. the rate in each review cycle). The
    right margin holds the widest label of the last point; a label is drawn left of its point
    where it would otherwise leave the chart."""
    width, height, left, top, bottom = 680.0, 280.0, 60.0, 40.0, 40.0
    colours = series_colours(chart)
    last = [vs[-1] for _n, vs in chart.series if vs]
    right = max([_width(_label(v, chart.unit), 10) + 12 for v in last] + [30.0])
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
        colour = colours[s]
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
            text = _label(raw, chart.unit)
            tx = px + 6
            if tx + _width(text, 10) > width - 2:
                tx = px - 6 - _width(text, 10)
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
            parts.append(
                f'<text x="{tx:.1f}" y="{py - 6:.1f}" font-size="10" fill="{colour}" {FONT}>'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
