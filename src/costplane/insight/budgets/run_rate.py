"""The month-end forecast budgets compare with: a run rate with the week's pattern.

Kept to one small function on purpose: `costplane.insight.forecast` (issue 15 §2) will
forecast spend with intervals, and the budgets can then take its month-end figure
instead, by replacing `month_end` and nothing else.

Method (docs/budgets.md, with a worked example):
- history: the last `HISTORY_DAYS` allocated days up to the day the month is known to;
- weekday factor f(w) = mean cost on weekday w / mean cost over the history, when each
  weekday occurs at least twice in it (two weeks); otherwise 1 for every weekday;
- level = mean over the last `LEVEL_DAYS` days of cost(d) / f(weekday(d));
- each day of the month not allocated yet costs level × f(its weekday);
- month end = actual to date + Σ those days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

HISTORY_DAYS = 28
LEVEL_DAYS = 7
ZERO = Decimal(0)


def weekday_factors(history: Mapping[dt.date, Decimal]) -> dict[int, Decimal]:
    """Weekday (0 Monday) -> its mean cost over the mean cost; all 1 with under two weeks."""
    days = sorted(history)
    counts = {w: sum(1 for d in days if d.weekday() == w) for w in range(7)}
    total = sum(history.values(), ZERO)
    if min(counts.values()) < 2 or total <= 0:
        return dict.fromkeys(range(7), Decimal(1))
    mean = total / len(days)
    return {
        w: sum((history[d] for d in days if d.weekday() == w), ZERO) / counts[w] / mean
        for w in range(7)
    }


def month_end(
    history: Mapping[dt.date, Decimal], actual: Decimal, remaining: Sequence[dt.date]
) -> Decimal:
    """`actual` plus the run rate over the `remaining` days of the month.

    `history` is cost per allocated day (zero where the scope had none), newest last;
    only its last HISTORY_DAYS days are read. Nothing known: the forecast is `actual`.
    """
    recent = dict(sorted(history.items())[-HISTORY_DAYS:])
    if not recent or not remaining:
        return actual
    factors = weekday_factors(recent)
    last = sorted(recent)[-LEVEL_DAYS:]
    adjusted = [recent[d] / factors[d.weekday()] for d in last if factors[d.weekday()] > 0]
    level = sum(adjusted, ZERO) / len(adjusted) if adjusted else ZERO
    return actual + sum((level * factors[d.weekday()] for d in remaining), ZERO)
