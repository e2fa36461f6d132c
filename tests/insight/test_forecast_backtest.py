"""The backtest over the fleet's growth shapes: the forecast's 30-day error beats the last
value and the drift, overall and on the shapes where a baseline is wrong by design."""

from __future__ import annotations

import datetime as dt

import pytest

from costplane.insight.forecast import Backtest, Series, backtest
from costplane_fleet.growth import production_histories
from costplane_fleet.spec import FleetSpec

SEEDS = (1, 2, 3)
"""40 tenants each: 120 series of 90 days (60 of history, 30 held out)."""


@pytest.fixture(scope="module")
def scored() -> Backtest:
    series = []
    for seed in SEEDS:
        spec = FleetSpec(40, 90, seed, dt.date(2026, 7, 1))
        series += [
            Series(shape.shape, spec.start, tuple(sizes.tolist()))
            for _, shape, sizes in production_histories(spec)
        ]
    return backtest(series, holdout=30)


def test_the_forecast_beats_both_baselines_overall(scored: Backtest) -> None:
    total = scored.total
    assert total.series == 120
    assert total.forecast < total.naive
    assert total.forecast < total.drift
    assert total.forecast < 0.6 * min(total.naive, total.drift)


def test_each_shape_is_scored_and_the_shapes_that_fool_the_drift_do_not_fool_the_forecast(
    scored: Backtest,
) -> None:
    by = {s.label: s for s in scored.by_label}
    assert set(by) == {"linear", "accelerating", "import", "flat"}
    assert by["import"].forecast < by["import"].drift / 2  # the import is not a trend
    assert by["accelerating"].forecast < by["accelerating"].drift / 1.5
    assert by["linear"].forecast <= by["linear"].drift * 1.1  # the drift is right here
    assert by["linear"].forecast < by["linear"].naive / 5
    assert by["flat"].forecast < 0.1  # percent: a flat database stays put


def test_the_interval_holds_most_held_out_days_where_the_model_is_right(scored: Backtest) -> None:
    by = {s.label: s for s in scored.by_label}
    assert by["linear"].coverage > 0.6
    assert by["flat"].coverage > 0.9
