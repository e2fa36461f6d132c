"""How good the database forecast is: each series cut `holdout` days before its end, the
forecast made from what came before, and its error over the days held out, against the
two baselines any forecast must beat (the last value, and the drift).

The error is the mean absolute percentage error (MAPE) over every held-out day of every
series, and per series label (the growth shape, when the series come from the fleet).
Coverage is the share of held-out days inside the forecast's p10-p90 interval (80 %
would be exact calibration).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costplane.insight.forecast.growth import drift_forecast, forecast_growth, naive_forecast

METHODS = ("forecast", "naive", "drift")


@dataclass(frozen=True)
class Series:
    label: str
    first_day: dt.date
    sizes: tuple[float, ...]


@dataclass(frozen=True)
class Score:
    """MAPE (in percent) of each method, and the forecast's interval coverage."""

    label: str
    series: int
    forecast: float
    naive: float
    drift: float
    coverage: float


@dataclass(frozen=True)
class Backtest:
    holdout: int
    total: Score
    by_label: tuple[Score, ...]


def backtest(series: Sequence[Series], holdout: int = 30) -> Backtest:
    """Score the forecast and the baselines on the last `holdout` days of each series."""
    errors: dict[str, dict[str, list[np.ndarray]]] = {}
    inside: dict[str, list[np.ndarray]] = {}
    for s in series:
        y = np.asarray(s.sizes, dtype=np.float64)
        if len(y) <= holdout + 2:
            raise ValueError(f"a series of {len(y)} days cannot hold {holdout} days out")
        history, actual = y[:-holdout], y[-holdout:]
        made = forecast_growth(history, s.first_day, holdout)
        p10 = np.array([d.p10 for d in made.days])
        p50 = np.array([d.p50 for d in made.days])
        p90 = np.array([d.p90 for d in made.days])
        guesses = {
            "forecast": p50,
            "naive": naive_forecast(history, holdout),
            "drift": drift_forecast(history, holdout),
        }
        label = errors.setdefault(s.label, {m: [] for m in METHODS})
        for method, guess in guesses.items():
            label[method].append(np.abs(guess - actual) / np.abs(actual))
        inside.setdefault(s.label, []).append((actual >= p10) & (actual <= p90))
    scores = [_score(label, errors[label], inside[label]) for label in sorted(errors)]
    everything = {m: [e for label in errors.values() for e in label[m]] for m in METHODS}
    total = _score("all", everything, [x for label in inside.values() for x in label])
    return Backtest(holdout, total, tuple(scores))


def _score(label: str, errors: dict[str, list[np.ndarray]], inside: list[np.ndarray]) -> Score:
    mape = {m: float(np.mean(np.concatenate(errors[m]))) * 100 for m in METHODS}
    coverage = float(np.mean(np.concatenate(inside)))
    return Score(label, len(inside), mape["forecast"], mape["naive"], mape["drift"], coverage)


__all__ = ["Backtest", "Score", "Series", "backtest"]
