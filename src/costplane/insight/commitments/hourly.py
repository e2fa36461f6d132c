"""Units running in each hour, per resource type and SKU, from the bill's usage lines.

A usage line priced in hours (`PricingUnit` Hours) for a charge period of `n` hours
holding `q` pricing units had `q / n` units running in each of its hours (a VM billed 24
hours for a day: 1 unit in each hour of that day). Summed per hour, that is the demand a
commitment must meet. The on-demand rate of a unit is the bill's list cost over its
quantity (what an hour costs without any discount), or its billed cost where no list cost
is given.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from costplane.warehouse import Warehouse

HOUR_UNITS = ("hours", "hour", "hrs", "hr")
"""PricingUnit values meaning one unit for one hour (compared in lower case)."""

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class HourlyUsage:
    resource_type: str
    sku: str
    pools: tuple[str, ...]
    units: np.ndarray
    """Units running in each hour of the window (float: a measurement, not money)."""
    on_demand_rate: Decimal
    """What one unit costs for an hour on demand."""


def hourly_usage(warehouse: Warehouse, start: dt.datetime, end: dt.datetime) -> list[HourlyUsage]:
    lines = warehouse.table("billing_lines")
    usage = lines.filter(
        (lines.charge_category == "Usage")
        & lines.pricing_unit.lower().isin(HOUR_UNITS)
        & (lines.charge_period_start >= start)
        & (lines.charge_period_start < end)
        & lines.pricing_quantity.notnull()
    )
    rows = (
        usage.select(
            "resource_type",
            "sku_id",
            "tags",
            "charge_period_start",
            "charge_period_end",
            "pricing_quantity",
            "list_cost",
            "billed_cost",
        )
        .to_pyarrow()
        .to_pylist()
    )
    hours = int((end - start) / HOUR)
    series: dict[tuple[str, str], np.ndarray] = {}
    cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    quantity: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    pools: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (row["resource_type"] or "", row["sku_id"] or "")
        first = int((row["charge_period_start"] - start) / HOUR)
        last = min(hours, -(-int((row["charge_period_end"] - start).total_seconds()) // 3600))
        if last <= first:
            continue
        units = series.setdefault(key, np.zeros(hours))
        units[first:last] += float(row["pricing_quantity"]) / (last - first)
        amount = row["list_cost"] if row["list_cost"] else row["billed_cost"]
        cost[key] += Decimal(amount or 0)
        quantity[key] += Decimal(row["pricing_quantity"])
        pool = _pool(row["tags"])
        if pool:
            pools[key].add(pool)
    return [
        HourlyUsage(
            resource_type=key[0],
            sku=key[1],
            pools=tuple(sorted(pools[key])),
            units=units,
            on_demand_rate=cost[key] / quantity[key] if quantity[key] else Decimal(0),
        )
        for key, units in sorted(series.items())
    ]


def _pool(tags: str | None) -> str | None:
    if not tags:
        return None
    try:
        found = json.loads(tags)
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    for key, value in sorted(found.items()):
        if (
            str(key)
            .rsplit("/", 1)[-1]
            .endswith(("node-pool", "nodepool", "nodegroup", "agentpool"))
        ):
            return str(value)
    return None
