"""Budgets evaluated: what each scope has cost this month, where it will end, and which
of its thresholds that crosses.

- actual: Σ `cost` of the month's `allocations` rows the budget's scope selects, exact.
  The whole platform (an empty scope) counts every row, cost no tenant carries
  included, so it is the showback total; a scope naming a tenant, a class or labels
  counts only tenants' rows.
- forecast: the month's end by `run_rate.month_end` from the scope's daily cost.
- a threshold `p` is crossed by the actual when actual ≥ amount × p / 100, and by the
  forecast when the forecast is; percentages are to 0.1, half up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from costplane.allocation import Window, daily_cost
from costplane.catalog import Budget, BudgetScope, Catalog
from costplane.insight.budgets.run_rate import HISTORY_DAYS, month_end
from costplane.warehouse import Warehouse

ZERO = Decimal(0)
TENTH = Decimal("0.1")
NANO = Decimal("0.000000001")
"""Forecasts are kept to the `allocations` table's nine decimals."""
Basis = Literal["actual", "forecast"]
SCOPE_COLUMNS = ("tenant", "environment", "service_class", "cost_domain")


@dataclass(frozen=True)
class ThresholdState:
    percent: Decimal
    amount: Decimal
    """monthly_amount × percent / 100."""
    actual_crossed: bool
    forecast_crossed: bool


@dataclass(frozen=True)
class BudgetStatus:
    budget: str
    scope: BudgetScope
    monthly_amount: Decimal
    actual: Decimal
    actual_percent: Decimal | None
    forecast: Decimal
    forecast_percent: Decimal | None
    thresholds: tuple[ThresholdState, ...]

    def crossed(self) -> list[tuple[ThresholdState, Basis]]:
        """Each threshold crossed, once per basis it is crossed by."""
        found: list[tuple[ThresholdState, Basis]] = []
        for threshold in self.thresholds:
            if threshold.actual_crossed:
                found.append((threshold, "actual"))
            if threshold.forecast_crossed:
                found.append((threshold, "forecast"))
        return found


@dataclass(frozen=True)
class BudgetsStatus:
    period: str
    """The month, YYYY-MM."""
    as_of: dt.date | None
    """The last allocated day of the month; None when none is."""
    allocated_days: int
    days_in_month: int
    budgets: tuple[BudgetStatus, ...]


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (part / whole * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def selects(scope: BudgetScope, row: Mapping[str, Any], labelled: set[str] | None) -> bool:
    """Whether an `allocations` row (grouped by SCOPE_COLUMNS) is in the scope;
    `labelled` is the tenants carrying the scope's labels (None: no label scope)."""
    wanted: dict[str, str | None] = {
        "tenant": scope.tenant,
        "environment": None if scope.environment is None else scope.environment.value,
        "service_class": scope.service_class,
        "cost_domain": None if scope.cost_domain is None else scope.cost_domain.value,
    }
    if any(value is not None and row[column] != value for column, value in wanted.items()):
        return False
    return labelled is None or row["tenant"] in labelled


def labelled_tenants(catalog: Catalog, scope: BudgetScope) -> set[str] | None:
    if not scope.labels:
        return None
    return {
        t.id
        for t in catalog.tenants
        if all(t.labels.get(key) == value for key, value in scope.labels.items())
    }


def budgets_status(warehouse: Warehouse, catalog: Catalog, month: Window) -> BudgetsStatus:
    """Every budget of the catalog for the calendar month `month`."""
    first = month.start - dt.timedelta(days=HISTORY_DAYS)
    rows = daily_cost(warehouse, first, month.end, SCOPE_COLUMNS)
    allocated = sorted({row["day"] for row in rows})
    in_month = [d for d in allocated if d >= month.start]
    remaining = [d for d in month.days() if d not in set(in_month)]
    found = tuple(
        evaluate(budget, catalog, rows, allocated, month, remaining) for budget in catalog.budgets
    )
    return BudgetsStatus(
        period=f"{month.start:%Y-%m}",
        as_of=in_month[-1] if in_month else None,
        allocated_days=len(in_month),
        days_in_month=len(month.days()),
        budgets=found,
    )


def evaluate(
    budget: Budget,
    catalog: Catalog,
    rows: list[dict[str, Any]],
    allocated: list[dt.date],
    month: Window,
    remaining: list[dt.date],
) -> BudgetStatus:
    labelled = labelled_tenants(catalog, budget.scope)
    per_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if selects(budget.scope, row, labelled):
            per_day[row["day"]] += row["cost"]
    history = {d: per_day[d] for d in allocated}  # zero on an allocated day without cost
    actual = sum((cost for d, cost in history.items() if d >= month.start), ZERO)
    forecast = month_end(history, actual, remaining).quantize(NANO, rounding=ROUND_HALF_UP)
    amount = budget.monthly_amount
    thresholds = tuple(
        ThresholdState(
            percent=p,
            amount=amount * p / 100,
            actual_crossed=actual >= amount * p / 100,
            forecast_crossed=forecast >= amount * p / 100,
        )
        for p in budget.thresholds_percent
    )
    return BudgetStatus(
        budget=budget.id,
        scope=budget.scope,
        monthly_amount=amount,
        actual=actual,
        actual_percent=percent(actual, amount),
        forecast=forecast,
        forecast_percent=percent(forecast, amount),
        thresholds=thresholds,
    )
