"""The expected cost of one day of a series: a robust, weekday-adjusted baseline.

A spike must not drag the baseline it is judged against, so every statistic is a median:

1. reference: the series' allocated days in the `REFERENCE_DAYS` before the day (at least
   `MIN_REFERENCE` of them; the day itself never);
2. weekday factor f(w) = median over the reference's weekday-w days of cost / the median
   of the 7 days around it, scaled so the seven average 1 (all 1 unless each weekday
   occurs `MIN_PER_WEEKDAY` times): a step inside the reference is not a weekday pattern;
3. weekday-adjusted cost a(d) = cost(d) / f(weekday(d));
4. level = median of a over the last `LEVEL_DAYS` reference days; spread =
   1.4826 × MAD of the same (the normal-consistent median absolute deviation), at least
   `floor` × level, so a flat series is not judged to the cent;
5. expected = level × f(w); the day is anomalous when actual − expected exceeds
   `k` × spread × f(w) and is material (see `Sensitivity`).

The level looks back `LEVEL_DAYS`, so a step is reported until the new level is half
the window (a week), and a drift while it runs ahead of the median. docs/budgets.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

ZERO = Decimal(0)
ONE = Decimal(1)
MAD_TO_SIGMA = Decimal("1.4826")
REFERENCE_DAYS = 28
LEVEL_DAYS = 14
MIN_REFERENCE = 7
MIN_PER_WEEKDAY = 2


@dataclass(frozen=True)
class Sensitivity:
    """When a day's excess is an anomaly: both far from the baseline and worth money."""

    k: Decimal = Decimal(5)
    """How many spreads above the expected amount."""
    floor: Decimal = Decimal("0.10")
    """The spread is at least this fraction of the level (10 %)."""
    min_excess: Decimal = Decimal("0.10")
    """The excess is at least this much money a day (in the catalog currency)."""
    min_share: Decimal = Decimal("0.05")
    """... and at least this fraction of its owner's (tenant's, cluster's) daily cost."""


@dataclass(frozen=True)
class Expected:
    amount: Decimal
    spread: Decimal
    """The spread of the day's cost (weekday factor included): what `k` multiplies."""
    factor: Decimal


def weekday_factors(reference: Mapping[dt.date, Decimal]) -> dict[int, Decimal]:
    """Weekday (0 Monday) -> how its cost compares with the week around it.

    Each reference day's cost is divided by the median of the 7 days around it (the
    week, kept inside the reference), so a step or a drift in the reference does not
    pass for a weekday's pattern; f(w) is the median of weekday w's ratios, scaled so the
    seven average 1. All 1 unless each weekday occurs MIN_PER_WEEKDAY times."""
    days = sorted(reference)
    ratios: dict[int, list[Decimal]] = {w: [] for w in range(7)}
    for i, day in enumerate(days):
        lo = min(max(0, i - 3), max(0, len(days) - 7))
        local = median(reference[d] for d in days[lo : lo + 7])
        if local > 0:
            ratios[day.weekday()].append(reference[day] / local)
    if min(len(v) for v in ratios.values()) < MIN_PER_WEEKDAY:
        return dict.fromkeys(range(7), ONE)
    raw = {w: median(values) for w, values in ratios.items()}
    mean = sum(raw.values(), ZERO) / 7
    if mean <= 0:
        return dict.fromkeys(range(7), ONE)
    return {w: value / mean for w, value in raw.items()}


def expected(
    series: Mapping[dt.date, Decimal], day: dt.date, days: Sequence[dt.date], floor: Decimal
) -> Expected | None:
    """The expected cost of `day` from the `days` before it (allocated days, ascending);
    None when there are fewer than MIN_REFERENCE of them."""
    start = day - dt.timedelta(days=REFERENCE_DAYS)
    window = [d for d in days if start <= d < day]
    if len(window) < MIN_REFERENCE:
        return None
    reference = {d: series.get(d, ZERO) for d in window}
    factors = weekday_factors(reference)
    adjusted = [
        reference[d] / factors[d.weekday()] if factors[d.weekday()] > 0 else reference[d]
        for d in window[-LEVEL_DAYS:]
    ]
    level = median(adjusted)
    mad = median(abs(a - level) for a in adjusted)
    factor = factors[day.weekday()]
    spread = max(MAD_TO_SIGMA * mad, floor * level) * factor
    return Expected(level * factor, spread, factor)
