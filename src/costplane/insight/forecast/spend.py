"""Spend ahead: the month-end and the next three months of allocated cost, in total and
per tenant, service class and cost domain, each with a p10-p90 interval.

Each series is the daily allocated cost (`costplane.allocation.daily_costs`) of one
group, from the first allocated day to the last (`as_of`); a day the group has no line
counts as zero. The daily model (`daily_model.py`: level or trend, weekly seasonality)
is fitted to it, and each month's forecast is

    actual to date (the month's allocated days up to as_of, exact)
    + the model's sum over the month's remaining days (p10, p50, p90)

so a month wholly allocated is its actual cost with no spread. Amounts are rounded to
the cent only when shown; intervals never go below the actual to date, since allocated
cost is never negative.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from costplane.allocation import DailyCost, daily_costs
from costplane.errors import InputError
from costplane.insight.forecast.daily_model import Interval, fit_daily
from costplane.money import cents
from costplane.warehouse import Warehouse

DAY = dt.timedelta(days=1)
MONTHS_AHEAD = 3
ZERO = Decimal(0)


@dataclass(frozen=True)
class MonthForecast:
    month: str
    """YYYY-MM"""
    actual_to_date: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal


@dataclass(frozen=True)
class SpendForecast:
    """One group's months: the current month's end, then the next three."""

    key: str | None
    """The tenant, service class or cost domain; None for the total."""
    method: str
    months: tuple[MonthForecast, ...]


@dataclass(frozen=True)
class SpendForecasts:
    as_of: dt.date
    history_days: int
    currency: str
    total: SpendForecast
    tenants: tuple[SpendForecast, ...]
    service_classes: tuple[SpendForecast, ...]
    cost_domains: tuple[SpendForecast, ...]


def month_days(start: dt.date) -> list[dt.date]:
    """Every day of the month `start` is in."""
    first = start.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + DAY * k for k in range((following - first).days)]


def forecast_spend(warehouse: Warehouse, currency: str) -> SpendForecasts:
    """The spend forecasts (see the module's docstring) from every allocated day."""
    costs = daily_costs(warehouse)
    if not costs:
        raise InputError(
            "nothing is allocated yet: run `costplane allocate` (after ingesting data) first"
        )
    first, as_of = costs[0].day, costs[-1].day
    days = (as_of - first).days + 1
    months = [month_days(as_of)]
    for _ in range(MONTHS_AHEAD):
        months.append(month_days(months[-1][-1] + DAY))

    def groups(key: str | None, rows: Iterable[DailyCost]) -> SpendForecast:
        return _forecast(key, rows, first, days, as_of, months)

    def by(attribute: str) -> tuple[SpendForecast, ...]:
        split: dict[str, list[DailyCost]] = defaultdict(list)
        for c in costs:
            value = getattr(c, attribute)
            if value is not None:
                split[value].append(c)
        return tuple(groups(key, rows) for key, rows in sorted(split.items()))

    return SpendForecasts(
        as_of=as_of,
        history_days=days,
        currency=currency,
        total=groups(None, costs),
        tenants=by("tenant"),
        service_classes=by("service_class"),
        cost_domains=by("cost_domain"),
    )


def _forecast(
    key: str | None,
    rows: Iterable[DailyCost],
    first: dt.date,
    days: int,
    as_of: dt.date,
    months: list[list[dt.date]],
) -> SpendForecast:
    exact: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        exact[row.day] += row.cost
    series = np.zeros(days)
    for day, cost in exact.items():
        series[(day - first).days] = float(cost)
    model = fit_daily(series, first, floor_at_zero=True)
    out = []
    for month in months:
        actual = sum((exact[d] for d in month if d <= as_of and d in exact), ZERO)
        ahead = model.sum_of([d for d in month if d > as_of])
        out.append(_month(f"{month[0]:%Y-%m}", actual, ahead))
    return SpendForecast(key, model.method, tuple(out))


def _month(name: str, actual: Decimal, ahead: Interval) -> MonthForecast:
    def money(x: float) -> Decimal:
        return cents(actual + Decimal(repr(max(x, 0.0))))

    return MonthForecast(name, actual, money(ahead.p10), money(ahead.p50), money(ahead.p90))


__all__ = ["MonthForecast", "SpendForecast", "SpendForecasts", "forecast_spend", "month_days"]
