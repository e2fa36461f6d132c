"""Each tenant database's size, forecast from its `database_stats` snapshots, against the
sizing band of its tenant's service class: when it crosses the band, which class's band
comes after it, and what its storage would cost at the horizon.

- The series is one size a day: the last `database` snapshot taken on each UTC day; a
  day without a snapshot between two that have one takes the straight line between them
  (a collector that missed a day is not a database that stopped growing).
- `crosses_band_on` is the first forecast day whose p50 is above the band's `max_gib`;
  when the last size is already above it, the first day of the history from which it
  stayed above (it has crossed). None when it does not cross within the horizon.
  `crosses_band_p90_on` is the same for p90: the earliest date to plan for.
- The band after it is the band of the class with the next larger `max_gib` (the class
  the tenant would move to); None for the largest.
- `tables` are the Odoo tables' rows now and their growth per 30 days (first to last
  snapshot of each table), largest growth first: which business object makes it grow.
- `service_class_at_horizon` is the class with the smallest band that holds the p50 size
  at the horizon (the tenant's own class when its band still does), and
  `monthly_fee_at_horizon` that class's list fee: the price of the band the database will
  be in. None when no band holds it.
- `monthly_cost_at_horizon` is the p50 size at the horizon, in GiB, at the price sheet's
  `database_storage` per GiB-month: how the allocation prices database storage the bill
  does not show, and how `database-over-band` prices the excess.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from costplane.catalog import Catalog, ServiceClass
from costplane.insight.forecast.growth import GrowthForecast, forecast_growth
from costplane.money import cents
from costplane.quantity import GIB
from costplane.warehouse import Warehouse

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ForecastDay:
    date: dt.date
    p10: int
    p50: int
    p90: int


@dataclass(frozen=True)
class TableGrowth:
    """An Odoo table's rows at the last snapshot, and how many it gains in 30 days."""

    relation: str
    rows: int
    rows_per_month: int


@dataclass(frozen=True)
class DatabaseForecast:
    tenant: str
    database: str
    server: str
    environment: str | None
    service_class: str | None
    as_of: dt.date
    """The day of the last snapshot: the forecast starts the day after."""
    size_bytes: int
    band_max_bytes: int | None
    forecast: tuple[ForecastDay, ...]
    crosses_band_on: dt.date | None
    crosses_band_p90_on: dt.date | None
    next_service_class: str | None
    next_band_max_bytes: int | None
    monthly_cost_at_horizon: Decimal
    currency: str
    service_class_at_horizon: str | None
    method: str
    level_shifts: tuple[dt.date, ...]
    history_days: int
    monthly_fee_at_horizon: Decimal | None = None
    tables: tuple[TableGrowth, ...] = ()


@dataclass(frozen=True)
class DatabaseForecasts:
    horizon_days: int
    currency: str
    databases: tuple[DatabaseForecast, ...]


@dataclass(frozen=True)
class SizeHistory:
    tenant: str
    server: str
    database: str
    environment: str | None
    first_day: dt.date
    sizes: tuple[float, ...]


def size_histories(
    warehouse: Warehouse, environment: str | None = "production"
) -> list[SizeHistory]:
    """One size a day per tenant database (see the module's docstring), sorted by tenant,
    server and database; `environment` None takes every environment."""
    stats = warehouse.table("database_stats")
    rows = stats.filter(
        stats.relation_kind == "database", stats.tenant.notnull(), stats.size_bytes.notnull()
    )
    if environment is not None:
        rows = rows.filter(rows.environment == environment)
    rows = rows.select("taken_at", "server", "database", "tenant", "environment", "size_bytes")
    by_key: dict[tuple[str, str, str, str | None], dict[dt.date, tuple[dt.datetime, int]]]
    by_key = defaultdict(dict)
    for row in rows.to_pyarrow().to_pylist():
        key = (row["tenant"], row["server"], row["database"], row["environment"])
        day = row["taken_at"].date()
        known = by_key[key].get(day)
        if known is None or row["taken_at"] >= known[0]:
            by_key[key][day] = (row["taken_at"], int(row["size_bytes"]))
    out = []
    for (tenant, server, database, env), days in sorted(by_key.items(), key=lambda kv: kv[0][:3]):
        first, last = min(days), max(days)
        known_days = sorted(days)
        x = np.array([(d - first).days for d in known_days], dtype=np.float64)
        y = np.array([days[d][1] for d in known_days], dtype=np.float64)
        every = np.interp(np.arange((last - first).days + 1), x, y)
        out.append(SizeHistory(tenant, server, database, env, first, tuple(every.tolist())))
    return out


def table_growth(
    warehouse: Warehouse, environment: str | None = "production"
) -> dict[tuple[str, str], tuple[TableGrowth, ...]]:
    """(server, database) -> its tables' rows and rows gained per 30 days, from each
    table's first and last snapshot; largest growth first."""
    stats = warehouse.table("database_stats")
    rows = stats.filter(
        stats.relation_kind == "table", stats.tenant.notnull(), stats.row_count.notnull()
    )
    if environment is not None:
        rows = rows.filter(rows.environment == environment)
    keys = ["server", "database", "relation"]
    ends = rows.group_by(keys).aggregate(first=rows.taken_at.min(), last=rows.taken_at.max())
    found: dict[tuple[str, str, str], dict[dt.datetime, int]] = defaultdict(dict)
    picked = rows.join(ends, keys).filter(
        (rows.taken_at == ends["first"]) | (rows.taken_at == ends["last"])
    )
    for row in picked.select(*keys, "taken_at", "row_count").to_pyarrow().to_pylist():
        found[(row["server"], row["database"], row["relation"])][row["taken_at"]] = int(
            row["row_count"]
        )
    out: dict[tuple[str, str], list[TableGrowth]] = defaultdict(list)
    for (server, database, relation), counts in found.items():
        first, last = min(counts), max(counts)
        days = (last - first).total_seconds() / 86_400
        gained = counts[last] - counts[first]
        per_month = round(gained / days * 30) if days > 0 else 0
        out[(server, database)].append(TableGrowth(relation, counts[last], per_month))
    return {
        key: tuple(sorted(tables, key=lambda t: (-t.rows_per_month, t.relation)))
        for key, tables in out.items()
    }


def forecast_databases(
    warehouse: Warehouse,
    catalog: Catalog,
    horizon_days: int = 90,
    environment: str | None = "production",
) -> DatabaseForecasts:
    """The forecast of every tenant database with snapshots (see the module's docstring)."""
    if horizon_days < 1:
        raise ValueError("the horizon is at least one day")
    price = catalog.price_sheet.database_storage.per_month
    ordered = sorted(
        catalog.service_classes.items(), key=lambda kv: kv[1].database_band_gib.max_gib
    )
    tables = table_growth(warehouse, environment)
    out = []
    for history in size_histories(warehouse, environment):
        tenant = catalog.tenant(history.tenant)
        klass = tenant.service_class if tenant is not None else None
        made = forecast_growth(history.sizes, history.first_day, horizon_days)
        band = _band_bytes(catalog.service_classes.get(klass) if klass else None)
        nxt = _next_class(ordered, klass)
        at_horizon = made.days[-1].p50
        cost = cents(Decimal(repr(at_horizon)) / GIB * price)
        holding = _holding(ordered, klass, at_horizon)
        out.append(
            DatabaseForecast(
                tenant=history.tenant,
                database=history.database,
                server=history.server,
                environment=history.environment,
                service_class=klass,
                as_of=made.last_day,
                size_bytes=round(made.last_size),
                band_max_bytes=band,
                forecast=tuple(
                    ForecastDay(made.last_day + DAY * k, round(d.p10), round(d.p50), round(d.p90))
                    for k, d in enumerate(made.days, start=1)
                ),
                crosses_band_on=_crossing(history, made, band, "p50"),
                crosses_band_p90_on=_crossing(history, made, band, "p90"),
                next_service_class=nxt,
                next_band_max_bytes=_band_bytes(catalog.service_classes[nxt]) if nxt else None,
                monthly_cost_at_horizon=cost,
                currency=catalog.currency,
                service_class_at_horizon=holding,
                monthly_fee_at_horizon=(
                    catalog.service_classes[holding].monthly_fee if holding else None
                ),
                method=made.model.method,
                level_shifts=made.level_shifts,
                history_days=len(history.sizes),
                tables=tables.get((history.server, history.database), ()),
            )
        )
    return DatabaseForecasts(horizon_days, catalog.currency, tuple(out))


def _band_bytes(klass: ServiceClass | None) -> int | None:
    return None if klass is None else klass.database_band_gib.max_gib * GIB


def _next_class(ordered: list[tuple[str, ServiceClass]], klass: str | None) -> str | None:
    """The class with the next larger band maximum (the first of equals, by name)."""
    if klass is None:
        return None
    names = dict(ordered)
    if klass not in names:
        return None
    top = names[klass].database_band_gib.max_gib
    larger = [name for name, c in ordered if c.database_band_gib.max_gib > top]
    return larger[0] if larger else None


def _holding(ordered: list[tuple[str, ServiceClass]], klass: str | None, size: float) -> str | None:
    """The tenant's class when its band holds `size`, else the class with the smallest
    band that does."""

    def holds(c: ServiceClass) -> bool:
        band = c.database_band_gib
        return bool(band.min_gib * GIB <= size <= band.max_gib * GIB)

    names = dict(ordered)
    if klass in names and holds(names[klass]):
        return klass
    return next((name for name, c in ordered if holds(c)), None)


def _crossing(
    history: SizeHistory, made: GrowthForecast, band: int | None, percentile: str
) -> dt.date | None:
    if band is None:
        return None
    if history.sizes[-1] > band:
        streak = len(history.sizes) - 1
        while streak > 0 and history.sizes[streak - 1] > band:
            streak -= 1
        return history.first_day + DAY * streak
    for k, day in enumerate(made.days, start=1):
        if getattr(day, percentile) > band:
            return made.last_day + DAY * k
    return None


__all__ = [
    "DatabaseForecast",
    "DatabaseForecasts",
    "ForecastDay",
    "SizeHistory",
    "TableGrowth",
    "forecast_databases",
    "size_histories",
    "table_growth",
]
