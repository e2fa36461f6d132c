"""A database's size, days ahead: the daily model fitted on what it gains each day.

A size is the sum of every day's growth, so the forecast is the last size plus the
forecast sum of the days' growth (`DailyModel.sum_of`). A day whose growth is far out
of line with the others (a data import, a purge, a restore) is a level shift: it stays
in the size, but not in the fit, since it will not repeat every day. "Far out of line"
is more than `SHIFT_MADS` robust standard deviations (1.4826 x the median absolute
deviation) from the median day's growth, and more than `SHIFT_SHARE` of the size, so
that a flat database's noise of a few bytes is not taken for an import.

The baselines a forecast is judged against (docs/forecasting.md) are here too: the last
value (naive) and the drift (the last value plus the average growth of the history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from costplane.insight.forecast.daily_model import Amounts, DailyModel, Interval, fit_daily

SHIFT_MADS = 8.0
SHIFT_SHARE = 0.002
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class GrowthForecast:
    """The forecast size on each of the `horizon` days after the history's last day."""

    last_day: dt.date
    last_size: float
    days: tuple[Interval, ...]
    level_shifts: tuple[dt.date, ...]
    """Days whose growth was left out of the fit (a data import, a purge)."""
    model: DailyModel

    def on(self, day: dt.date) -> Interval:
        return self.days[(day - self.last_day).days - 1]


def level_shifts(sizes: Amounts) -> np.ndarray:
    """For each day's growth (`diff(sizes)`), whether it is a level shift."""
    y = np.asarray(sizes, dtype=np.float64)
    growth = np.diff(y)
    if growth.size < 5:
        return np.zeros(growth.size, dtype=bool)
    median = float(np.median(growth))
    spread = MAD_TO_SD * float(np.median(np.abs(growth - median)))
    away = np.abs(growth - median)
    share = SHIFT_SHARE * np.maximum(np.abs(y[1:]), 1.0)
    return np.asarray((away > SHIFT_MADS * spread) & (away > share))


def forecast_growth(sizes: Amounts, first_day: dt.date, horizon: int) -> GrowthForecast:
    """The sizes of the `horizon` days after the last of `sizes` (one a day from `first_day`)."""
    y = np.asarray(sizes, dtype=np.float64)
    if y.size == 0:
        raise ValueError("no sizes to forecast from")
    shifts = level_shifts(y)
    growth_first_day = first_day + dt.timedelta(days=1)
    model = fit_daily(np.diff(y), growth_first_day, shifts)
    last_day = first_day + dt.timedelta(days=len(y) - 1)
    last = float(y[-1])
    days = tuple(_non_negative(i.shifted(last)) for i in model.cumulative(horizon))
    shifted = tuple(growth_first_day + dt.timedelta(days=int(i)) for i in np.flatnonzero(shifts))
    return GrowthForecast(last_day, last, days, shifted, model)


def _non_negative(interval: Interval) -> Interval:
    return Interval(max(interval.p10, 0.0), max(interval.p50, 0.0), max(interval.p90, 0.0))


def naive_forecast(sizes: Amounts, horizon: int) -> np.ndarray:
    """The last value, every day."""
    return np.full(horizon, float(sizes[-1]))


def drift_forecast(sizes: Amounts, horizon: int) -> np.ndarray:
    """The last value plus the history's average growth per day (first to last value)."""
    y = np.asarray(sizes, dtype=np.float64)
    slope = (y[-1] - y[0]) / (len(y) - 1) if len(y) > 1 else 0.0
    return np.asarray(y[-1] + slope * np.arange(1, horizon + 1))


__all__ = [
    "GrowthForecast",
    "drift_forecast",
    "forecast_growth",
    "level_shifts",
    "naive_forecast",
]
