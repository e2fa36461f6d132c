"""The expected cost of one day of a series: a robust, weekday-adjusted baseline.

A spike must not drag the baseline it is judged against, so every statistic is a median:

1. reference: the series' allocated days in the `REFERENCE_DAYS` before the day (at least
   `MIN_REFERENCE` of them; the day itself never);
2. weekday factor f(w) = median of the reference's weekday-w costs / median of all its
   costs (1 for every weekday unless each occurs `MIN_PER_WEEKDAY` times);
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
    """Weekday (0 Monday) -> median of its costs / median of all (1s with too few weeks)."""
    overall = median(reference.values()) if reference else ZERO
    by_weekday: dict[int, list[Decimal]] = {w: [] for w in range(7)}
    for day, cost in reference.items():
        by_weekday[day.weekday()].append(cost)
    if overall <= 0 or min(len(v) for v in by_weekday.values()) < MIN_PER_WEEKDAY:
        return dict.fromkeys(range(7), ONE)
    return {w: median(costs) / overall for w, costs in by_weekday.items()}


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
