"""One model for every daily series Costplane forecasts: a trend with weekly seasonality,
fitted by ordinary least squares (statsmodels), and intervals for sums of future days.

A database's size and a month's spend are both sums of daily amounts: the bytes a
database gains each day, the cost a tenant is allocated each day. So the model is
fitted on the daily amounts and answers one question, "what is the sum of the amounts
of these future days", with its 10th, 50th and 90th percentiles:

    amount(t) = a + b * t + weekday effect(t) + noise,   noise ~ N(0, s^2), independent

- The weekday effect is one coefficient per weekday but Monday; it is fitted only when
  the history holds at least two weeks, a weekly pattern being unmeasurable in less.
- The trend `b` is kept only when it is significant (p < 0.01); otherwise the model is a
  level with weekly seasonality, the drift a series without a trend has. Beyond the end
  of the history the trend is extrapolated at most as far as the history is long (a
  month of acceleration is not a licence to accelerate for a year): after that the
  amount stays at the level it reached.
- Days marked `excluded` (a data import's one-day jump, a purge) are left out of the
  fit: they say nothing about the days to come.
- The sum over future days has variance `k s^2 + x' C x` (k days of independent noise,
  plus the uncertainty of the fitted coefficients: `x` the sum of the days' regressors,
  `C` their covariance), and its percentiles are read from Student's t with the fit's
  residual degrees of freedom.
- When the history's mean amount is not negative (a database that grows, a cost), the
  week's average amount (level and trend) is floored at zero: a fading trend does not
  turn into shrinkage. The weekday effects are added about that average, unfloored, so
  a flat series' noise is not clipped on one side into growth.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

Amounts: TypeAlias = Sequence[float] | np.ndarray
"""A daily series: a sequence or a numpy array."""

MIN_SEASONAL_DAYS = 14
"""Two weeks: the least history a weekday effect is fitted from."""
TREND_P_VALUE = 0.01
MAX_AUTOCORRELATION = 0.9
LOW, HIGH = 0.10, 0.90
"""The interval's percentiles: p10 and p90."""


@dataclass(frozen=True)
class Interval:
    """The 10th, 50th and 90th percentiles of a forecast amount."""

    p10: float
    p50: float
    p90: float

    def shifted(self, by: float) -> Interval:
        return Interval(self.p10 + by, self.p50 + by, self.p90 + by)


@dataclass(frozen=True)
class DailyModel:
    """A fitted daily model; `first_day` is the day of the first amount it was fitted on."""

    first_day: dt.date
    days: int
    """Days of history (including the excluded ones)."""
    coefficients: np.ndarray
    covariance: np.ndarray
    residual_sd: float
    degrees_of_freedom: float
    trend: bool
    seasonal: bool
    floor_at_zero: bool

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)

    @property
    def method(self) -> str:
        parts = ["level"] if not self.trend else ["linear trend"]
        if self.seasonal:
            parts.append("weekly seasonality")
        return " + ".join(parts)

    def regressors(self, days: Sequence[dt.date]) -> np.ndarray:
        """The model's regressors, one row per day; past the history, the trend's time
        stops at twice the history's length (see the module's docstring)."""
        index = np.array([(day - self.first_day).days for day in days], dtype=np.float64)
        index = np.where(index >= self.days, np.minimum(index, 2 * self.days - 1), index)
        weekday = np.array([day.weekday() for day in days])
        return _design(index, weekday, self.days, self.trend, self.seasonal)

    def expected(self, days: Sequence[dt.date]) -> np.ndarray:
        """The model's amount for each day: its week's average (level and trend, floored
        at zero when `floor_at_zero`) plus the day's weekday effect about that average."""
        x = self.regressors(days)
        if not self.floor_at_zero:
            return np.asarray(x @ self.coefficients)
        width = 1 + int(self.trend)
        effects = self.coefficients[width:]
        mean_effect = float(np.sum(effects)) / 7 if self.seasonal else 0.0
        weekly = x[:, :width] @ self.coefficients[:width] + mean_effect
        return np.asarray(np.maximum(weekly, 0.0) + x[:, width:] @ effects - mean_effect)

    def sum_of(self, days: Sequence[dt.date]) -> Interval:
        """The sum of the amounts of `days` (future days, each once) with its interval."""
        if not days:
            return Interval(0.0, 0.0, 0.0)
        center = float(np.sum(self.expected(days)))
        x = self.regressors(days).sum(axis=0)
        variance = len(days) * self.residual_sd**2 + float(x @ self.covariance @ x)
        spread = math.sqrt(max(variance, 0.0)) * _t_quantile(self.degrees_of_freedom)
        return Interval(center - spread, center, center + spread)

    def cumulative(self, horizon: int) -> list[Interval]:
        """For k = 1..horizon: the sum of the amounts of the k days after the history
        (what `sum_of` gives for each k, in one pass)."""
        if horizon <= 0:
            return []
        days = [self.last_day + dt.timedelta(days=j) for j in range(1, horizon + 1)]
        x = np.cumsum(self.regressors(days), axis=0)
        center = np.cumsum(self.expected(days))
        k = np.arange(1, horizon + 1)
        variance = k * self.residual_sd**2 + np.einsum("ij,jk,ik->i", x, self.covariance, x)
        spread = np.sqrt(np.maximum(variance, 0.0)) * _t_quantile(self.degrees_of_freedom)
        return [
            Interval(float(c - s), float(c), float(c + s))
            for c, s in zip(center, spread, strict=True)
        ]


def _t_quantile(df: float) -> float:
    from scipy import stats  # imported when used: scipy and statsmodels take seconds to load

    if not math.isfinite(df) or df <= 0:
        return float(stats.norm.ppf(HIGH))
    return float(stats.t.ppf(HIGH, df))


def _design(
    index: np.ndarray, weekday: np.ndarray, days: int, trend: bool, seasonal: bool
) -> np.ndarray:
    """Rows of regressors: 1, the centred time (the level is the history's middle), and
    one indicator per weekday but Monday."""
    columns = [np.ones(len(index))]
    if trend:
        columns.append(index - (days - 1) / 2)
    if seasonal:
        columns.extend((weekday == w).astype(np.float64) for w in range(1, 7))
    return np.column_stack(columns)


def fit_daily(
    amounts: Amounts,
    first_day: dt.date,
    excluded: Sequence[bool] | np.ndarray | None = None,
    *,
    floor_at_zero: bool | None = None,
) -> DailyModel:
    """Fit the daily model to `amounts`, one per day from `first_day`.

    With fewer than three usable days there is nothing to fit: the model is the mean
    amount (zero when there is none) with no spread.
    """
    from statsmodels.regression.linear_model import OLS  # see _t_quantile

    y = np.asarray(amounts, dtype=np.float64)
    days = len(y)
    keep = np.ones(days, dtype=bool) if excluded is None else ~np.asarray(excluded, dtype=bool)
    usable = y[keep]
    floor = bool(usable.size == 0 or usable.mean() >= 0) if floor_at_zero is None else floor_at_zero
    if usable.size < 3:
        level = float(usable.mean()) if usable.size else 0.0
        return DailyModel(
            first_day, days, np.array([level]), np.zeros((1, 1)), 0.0, math.inf, False, False, floor
        )
    seasonal = days >= MIN_SEASONAL_DAYS
    index = np.arange(days, dtype=np.float64)
    weekday = (first_day.weekday() + np.arange(days)) % 7
    fitted = None
    for trend in (True, False):
        exog, columns = _identifiable(_design(index, weekday, days, trend, seasonal)[keep])
        result = OLS(usable, exog).fit()
        fitted = (trend, result, columns)
        if not trend or result.df_resid <= 0:
            continue
        p_value = float(result.pvalues[1]) if 1 in columns else 1.0
        if math.isfinite(p_value) and p_value < TREND_P_VALUE:
            break
    assert fitted is not None
    trend, result, columns = fitted
    width = 1 + int(trend) + 6 * int(seasonal)
    coefficients = np.zeros(width)
    covariance = np.zeros((width, width))
    coefficients[columns] = result.params
    df = float(result.df_resid)
    if df > 0:
        covariance[np.ix_(columns, columns)] = result.cov_params()
        sd = math.sqrt(float(result.scale) * _persistence(np.asarray(result.resid)))
    else:
        sd, df = 0.0, math.inf
    return DailyModel(first_day, days, coefficients, covariance, sd, df, trend, seasonal, floor)


def _persistence(residuals: np.ndarray) -> float:
    """How much more a sum of days varies than independent days would: (1 + r) / (1 - r)
    for the residuals' lag-1 autocorrelation r (an AR(1) sum's long-run variance), r
    clipped to [0, MAX_AUTOCORRELATION]. Residuals that run in long waves (a trend the
    model has wrong, a business peak) widen the interval instead of being taken for noise."""
    if residuals.size < 3 or not np.any(residuals):
        return 1.0
    r = float(np.corrcoef(residuals[:-1], residuals[1:])[0, 1])
    r = min(max(r if math.isfinite(r) else 0.0, 0.0), MAX_AUTOCORRELATION)
    return (1 + r) / (1 - r)


def _identifiable(exog: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Drop weekday columns no kept day has (a weekday whose only days were excluded)."""
    columns = [j for j in range(exog.shape[1]) if j == 0 or np.any(exog[:, j] != 0)]
    return exog[:, columns], columns


__all__ = ["Amounts", "DailyModel", "Interval", "fit_daily"]
