"""The daily model and the growth forecast on series whose answer is known by construction."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from costplane.insight.forecast import (
    drift_forecast,
    fit_daily,
    forecast_growth,
    level_shifts,
    naive_forecast,
)

MONDAY = dt.date(2026, 6, 1)
GIB = 2**30


def weekly(days: int, weekday: float, weekend: float, start: dt.date = MONDAY) -> np.ndarray:
    return np.array(
        [weekend if (start + dt.timedelta(days=k)).weekday() >= 5 else weekday for k in range(days)]
    )


def test_a_weekly_pattern_without_noise_is_forecast_exactly_with_no_spread() -> None:
    amounts = weekly(28, 10.0, 4.0)
    model = fit_daily(amounts, MONDAY)
    assert not model.trend
    assert model.seasonal
    # the next 10 days: Mon..Fri (50), Sat, Sun (8), Mon..Wed (30)
    ahead = [MONDAY + dt.timedelta(days=28 + k) for k in range(10)]
    interval = model.sum_of(ahead)
    assert interval.p50 == pytest.approx(88.0)
    assert interval.p90 - interval.p10 == pytest.approx(0.0, abs=1e-6)


def test_the_sum_matches_a_plain_least_squares_reference_and_widens_with_the_days() -> None:
    r = np.random.default_rng(3)
    days = 10  # under two weeks: level and trend only, no weekday effect
    t = np.arange(days)
    amounts = 5.0 + 0.8 * t + r.normal(0, 0.3, days)
    model = fit_daily(amounts, MONDAY)
    assert model.trend
    assert not model.seasonal
    slope, intercept = np.polyfit(t, amounts, 1)
    ahead = [MONDAY + dt.timedelta(days=days + k) for k in range(5)]
    expected = sum(intercept + slope * (days + k) for k in range(5))
    assert model.sum_of(ahead).p50 == pytest.approx(expected, rel=1e-9)
    short, long = model.sum_of(ahead[:1]), model.sum_of(ahead)
    assert (short.p90 - short.p10) < (long.p90 - long.p10)


def test_an_insignificant_trend_is_dropped_and_a_significant_one_kept() -> None:
    r = np.random.default_rng(5)
    noise = r.normal(0, 1.0, 42)
    assert not fit_daily(50 + noise, MONDAY).trend
    assert fit_daily(50 + 0.5 * np.arange(42) + noise, MONDAY).trend


def test_the_trend_is_not_extrapolated_beyond_the_length_of_the_history() -> None:
    amounts = 1.0 + 0.1 * np.arange(20) + np.random.default_rng(1).normal(0, 0.01, 20)
    model = fit_daily(amounts, MONDAY)
    far = list(model.expected([model.last_day + dt.timedelta(days=k) for k in (25, 60, 200)]))
    assert far[0] == pytest.approx(far[1]) == pytest.approx(far[2])
    assert far[0] == pytest.approx(1.0 + 0.1 * 39, rel=0.02)  # day 39: twice the history


def test_a_falling_trend_levels_off_at_zero_instead_of_turning_negative() -> None:
    amounts = np.maximum(10 - 0.6 * np.arange(16), 0.5)
    model = fit_daily(amounts, MONDAY)
    assert model.trend
    for start in range(1, 60, 7):  # every week ahead sums to zero or more
        week = [model.last_day + dt.timedelta(days=start + k) for k in range(7)]
        assert model.sum_of(week).p50 >= -1e-9
    unfloored = fit_daily(amounts, MONDAY, floor_at_zero=False)
    far = [unfloored.last_day + dt.timedelta(days=20 + k) for k in range(7)]
    assert unfloored.sum_of(far).p50 < 0  # what the floor prevents


def test_an_import_is_a_level_shift_the_growth_rate_ignores() -> None:
    days = 45
    rate = 0.2 * GIB
    sizes = 50 * GIB + rate * np.arange(days) + np.random.default_rng(2).normal(0, 1e6, days)
    sizes[30:] += 12 * GIB  # imported on day 30
    shifts = level_shifts(sizes)
    assert list(np.flatnonzero(shifts)) == [29]  # growth index 29 is day 30
    made = forecast_growth(sizes, MONDAY, 30)
    assert made.level_shifts == (MONDAY + dt.timedelta(days=30),)
    growth_30 = made.days[-1].p50 - made.last_size
    assert growth_30 == pytest.approx(30 * rate, rel=0.05)  # the drift would add 8 GiB more
    assert made.days[-1].p10 <= sizes[-1] + 30 * rate <= made.days[-1].p90


def test_a_flat_database_stays_where_it_is() -> None:
    sizes = 20 * GIB * (1 + np.random.default_rng(4).normal(0, 2e-4, 30))
    made = forecast_growth(sizes, MONDAY, 90)
    assert made.days[-1].p50 == pytest.approx(sizes[-1], rel=0.01)
    assert made.days[-1].p10 <= sizes.mean() <= made.days[-1].p90


def test_an_accelerating_database_is_forecast_above_its_drift() -> None:
    t = np.arange(60)
    sizes = 100 * GIB + 0.01 * GIB * t**2
    sizes = sizes + np.random.default_rng(6).normal(0, 5e6, 60)
    made = forecast_growth(sizes, MONDAY, 30)
    truth = 100 * GIB + 0.01 * GIB * 89**2
    drift = sizes[-1] + 30 * (sizes[-1] - sizes[0]) / 59
    assert abs(made.days[-1].p50 - truth) < abs(drift - truth) / 5


def test_one_or_two_snapshots_forecast_the_last_size() -> None:
    made = forecast_growth([5.0 * GIB], MONDAY, 3)
    assert [d.p50 for d in made.days] == [5.0 * GIB] * 3
    made = forecast_growth([5.0 * GIB, 6.0 * GIB], MONDAY, 2)
    assert [d.p50 for d in made.days] == [7.0 * GIB, 8.0 * GIB]  # one day of growth: its mean


def test_the_baselines_are_the_last_value_and_the_average_growth() -> None:
    sizes = [10.0, 12.0, 11.0, 16.0]  # 2 a day on average from first to last
    assert list(naive_forecast(sizes, 3)) == [16.0, 16.0, 16.0]
    assert list(drift_forecast(sizes, 3)) == [18.0, 20.0, 22.0]
