"""Budgets: the catalog's monthly amounts against actual and forecast spend (docs/budgets.md).

`budgets_status` reads the `allocations` table and the catalog and returns each budget's
actual to date, its month-end forecast and the thresholds crossed; it writes nothing (the
service layer keeps the alerts in the state store).
"""

from costplane.insight.budgets.run_rate import month_end, weekday_factors
from costplane.insight.budgets.status import (
    Basis,
    BudgetsStatus,
    BudgetStatus,
    ThresholdState,
    budgets_status,
)

__all__ = [
    "Basis",
    "BudgetStatus",
    "BudgetsStatus",
    "ThresholdState",
    "budgets_status",
    "month_end",
    "weekday_factors",
]
