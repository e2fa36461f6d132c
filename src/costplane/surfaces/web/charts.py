"""Charts drawn on the server as SVG: horizontal bars and a line per series over days.

No chart library and no script: the page works with no internet and the numbers a chart
draws are the ones the page's tables show (each bar and point carries its amount as a
`<title>`, which browsers show on hover). Geometry is float; money stays Decimal until
it becomes a pixel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

from costplane.surfaces.web.figures import amount

BAR_HEIGHT = 22
LABEL_WIDTH = 170
BAR_WIDTH = 420
VALUE_WIDTH = 110
COLOURS = 8
"""Series colours are CSS classes `s0` … `s7` (static/dashboard.css)."""


def bars(items: Sequence[tuple[str, Decimal]], label: str) -> Markup:
    """One horizontal bar per item, longest for the largest magnitude; a negative amount
    (a credit, a difference below zero) is drawn in its own colour."""
    largest = max((abs(value) for _, value in items), default=Decimal(0)) or Decimal(1)
    height = BAR_HEIGHT * max(len(items), 1)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart bars" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for row, (name, value) in enumerate(items):
        y = row * BAR_HEIGHT
        length = float(abs(value) / largest) * BAR_WIDTH
        kind = "negative" if value < 0 else f"s{row % COLOURS}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="{kind}" x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT - 6}"><title>{escape(name)}: {amount(value)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}">{amount(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


PLOT_WIDTH = 640
PLOT_HEIGHT = 220
MARGIN_LEFT = 70
MARGIN_BOTTOM = 24
LEGEND_ROW = 18


def lines(series: Mapping[str, Mapping[dt.date, Decimal]], label: str) -> Markup:
    """One line per series over the days any series has (a day a series lacks counts as
    zero), a y axis from zero (or the lowest amount, if below zero) to the highest."""
    days = sorted({day for points in series.values() for day in points})
    values = [points.get(day, Decimal(0)) for points in series.values() for day in days]
    top = max(values, default=Decimal(0))
    bottom = min(min(values, default=Decimal(0)), Decimal(0))
    span = float(top - bottom) or 1.0
    legend = LEGEND_ROW * len(series)
    width = MARGIN_LEFT + PLOT_WIDTH + 10
    height = PLOT_HEIGHT + MARGIN_BOTTOM + legend
    parts = [
        f'<svg class="chart lines" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="0" x2="{MARGIN_LEFT}" y2="{PLOT_HEIGHT}"/>',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{PLOT_HEIGHT}" '
        f'x2="{MARGIN_LEFT + PLOT_WIDTH}" y2="{PLOT_HEIGHT}"/>',
        f'<text x="{MARGIN_LEFT - 6}" y="12" text-anchor="end">{amount(top)}</text>',
        f'<text x="{MARGIN_LEFT - 6}" y="{PLOT_HEIGHT}" text-anchor="end">{amount(bottom)}</text>',
    ]
    if days:
        parts.append(
            f'<text x="{MARGIN_LEFT}" y="{PLOT_HEIGHT + 16}">{days[0]}</text>'
            f'<text x="{MARGIN_LEFT + PLOT_WIDTH}" y="{PLOT_HEIGHT + 16}" '
            f'text-anchor="end">{days[-1]}</text>'
        )
    step = PLOT_WIDTH / max(len(days) - 1, 1)

    def y_of(value: Decimal) -> float:
        return PLOT_HEIGHT - float(value - bottom) / span * (PLOT_HEIGHT - 4)

    for number, (name, points) in enumerate(series.items()):
        colour = f"s{number % COLOURS}"
        coordinates = [
            (MARGIN_LEFT + i * step, y_of(points.get(day, Decimal(0))))
            for i, day in enumerate(days)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(f'<polyline class="line {colour}" points="{path}"/>')
        for (x, y), day in zip(coordinates, days, strict=True):
            parts.append(
                f'<circle class="{colour}" cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>'
                f"{escape(name)} {day}: {amount(points.get(day, Decimal(0)))}</title></circle>"
            )
        legend_y = PLOT_HEIGHT + MARGIN_BOTTOM + number * LEGEND_ROW + 12
        parts.append(
            f'<rect class="{colour}" x="{MARGIN_LEFT}" y="{legend_y - 9}" width="12" height="10"/>'
            f'<text x="{MARGIN_LEFT + 18}" y="{legend_y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
