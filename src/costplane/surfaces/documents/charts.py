"""The board report's charts, drawn by ReportLab's own graphics (vector, in the PDF):
where the bill went, this month beside the month before, and the bill day by day."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from costplane.surfaces.documents.fonts import registered

SERIES = (colors.HexColor("#2f6f9f"), colors.HexColor("#9fb8cc"))


def bill_bars(
    labels: Sequence[str], months: Sequence[tuple[str, Sequence[Decimal]]], width: float
) -> Drawing:
    """Grouped bars: one group per part of the bill, one bar per month."""
    regular, _ = registered()
    drawing = Drawing(width, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 16 * mm, 12 * mm
    chart.width, chart.height = width - 60 * mm, 44 * mm
    chart.data = [[float(v) for v in values] for _, values in months]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.barSpacing = 1
    for index in range(len(months)):
        chart.bars[index].fillColor = SERIES[index % len(SERIES)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 40 * mm, 50 * mm
    legend.fontName, legend.fontSize = regular, 7
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name) for i, (name, _) in enumerate(months)]
    drawing.add(legend)
    return drawing


def daily_line(days: Sequence[int], values: Sequence[Decimal], width: float, label: str) -> Drawing:
    """The bill per day of the month (day of month on x)."""
    regular, _ = registered()
    drawing = Drawing(width, 55 * mm)
    plot = LinePlot()
    plot.x, plot.y = 16 * mm, 10 * mm
    plot.width, plot.height = width - 24 * mm, 40 * mm
    plot.data = [[(day, float(value)) for day, value in zip(days, values, strict=True)]]
    plot.lines[0].strokeColor = SERIES[0]
    plot.lines[0].strokeWidth = 1.2
    plot.xValueAxis.labels.fontName = regular
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontName = regular
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.valueMin = 0
    drawing.add(plot)
    drawing.add(String(16 * mm, 52 * mm, label, fontName=regular, fontSize=7))
    return drawing
