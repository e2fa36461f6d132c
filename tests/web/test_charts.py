"""The server-drawn charts: every amount a chart draws is there to read (its tooltip), a
bar's length is its share of the largest, and a credit is drawn as one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from costplane.surfaces.web.charts import BAR_WIDTH, bars, lines


def test_bars_are_as_long_as_their_share_of_the_largest_and_a_negative_is_marked() -> None:
    drawn = str(bars([("compute", Decimal("200")), ("credit", Decimal("-50.005"))], "x"))
    widths = [
        float(w) for w in re.findall(r'<rect class="[^"]*" x="\d+" y="\d+" width="([\d.]+)"', drawn)
    ]
    assert widths == [BAR_WIDTH, BAR_WIDTH / 4]
    assert '<rect class="negative"' in drawn
    assert "<title>credit: -50.01</title>" in drawn  # to the cent, half up
    assert "<title>compute: 200.00</title>" in drawn


def test_a_name_is_text_never_markup() -> None:
    drawn = str(bars([("<script>alert(1)</script>", Decimal(1))], "<b>"))
    assert "<script>" not in drawn
    assert "<b>" not in drawn


def test_lines_draw_a_point_per_day_of_every_series_a_missing_day_at_zero() -> None:
    first, second = dt.date(2026, 10, 1), dt.date(2026, 10, 2)
    drawn = str(
        lines(
            {
                "bill": {first: Decimal("10"), second: Decimal("12.5")},
                "placed": {first: Decimal(4)},
            },
            "trend",
        )
    )
    titles = re.findall(r"<title>([^<]*)</title>", drawn)
    assert titles == [
        "bill 2026-10-01: 10.00",
        "bill 2026-10-02: 12.50",
        "placed 2026-10-01: 4.00",
        "placed 2026-10-02: 0.00",
    ]
    assert drawn.count("<polyline") == 2
