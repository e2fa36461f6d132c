"""The forecast operations: database growth against the bands, and spend ahead.

Each opens the project's warehouse read-only and hands the catalog and the warehouse to
`costplane.insight.forecast`; the methods are in docs/forecasting.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from costplane.catalog import EnvironmentKind
from costplane.errors import InputError
from costplane.insight.forecast import DatabaseForecasts, SpendForecasts
from costplane.insight.forecast import forecast_databases as _forecast_databases
from costplane.insight.forecast import forecast_spend as _forecast_spend
from costplane.service.project import Project

MAX_HORIZON_DAYS = 3 * 366
_HORIZON = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$")


@dataclass(frozen=True)
class DatabaseForecastRequest:
    horizon_days: int = 90
    environment: str | None = "production"
    """None: every environment's databases (copies included)."""

    @classmethod
    def of(cls, horizon: str, environment: str = "production") -> DatabaseForecastRequest:
        """From `--horizon 90d|12w` and `--environment NAME|all`, as the surfaces take them."""
        match = _HORIZON.match(horizon)
        if match is None:
            raise InputError(f"--horizon {horizon!r}: give days or weeks, e.g. 90d or 12w")
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        if not 1 <= days <= MAX_HORIZON_DAYS:
            raise InputError(
                f"--horizon {horizon!r}: between 1 and {MAX_HORIZON_DAYS} days, not {days}"
            )
        kinds = [kind.value for kind in EnvironmentKind]
        if environment != "all" and environment not in kinds:
            choices = ", ".join([*kinds, "all"])
            raise InputError(f"--environment {environment!r}: choose from {choices}")
        return cls(days, None if environment == "all" else environment)


def forecast_databases(project: Project, request: DatabaseForecastRequest) -> DatabaseForecasts:
    """Every tenant database's size over the horizon, with its band crossing and cost."""
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        return _forecast_databases(warehouse, catalog, request.horizon_days, request.environment)


def forecast_spend(project: Project) -> SpendForecasts:
    """The month-end and the next three months of allocated cost, with intervals."""
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        return _forecast_spend(warehouse, catalog.currency)
