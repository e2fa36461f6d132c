"""The provider's bill in FOCUS 1.2 (`billing/focus-YYYY-MM.parquet`), one row per resource
per day, one file per calendar billing period.

Costs are exact decimals (decimal128(38, 10)), computed as integers in units of
10^-10: quantities are whole (hours, GiB-hours) wherever the meter allows, and
unit prices come from the price sheet, so a node's daily cost is exactly
24 x (vCPU x cpu + GiB x memory). List, contracted, billed and effective cost
are equal: no discounts or commitments are modelled.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from costplane.focus_columns import arrow_field, columns_of
from costplane.written_file import replacing
from costplane_fleet.offering import (
    BILLING_ACCOUNT_ID,
    BILLING_ACCOUNT_NAME,
    CURRENCY,
    INVOICE_ISSUER,
    PROVIDER,
    REGION,
    REGION_NAME,
)
from costplane_fleet.spec import FleetSpec

SCALE = 10
UNIT = 10**SCALE
MONEY = pa.decimal128(38, SCALE)
GIB = 2**30

COLUMNS: tuple[tuple[str, pa.DataType], ...] = tuple(
    (field.name, field.type) for field in (arrow_field(c, MONEY) for c in sorted(columns_of("1.2")))
)
"""Every FOCUS 1.2 column, in alphabetical order."""
SUB_ACCOUNTS = {
    "eu-shared-1": ("0234567890123", "odoo-shared-platform"),
    "eu-dedicated-1": ("0345678901234", "odoo-dedicated-platform"),
}


def units(price: Decimal) -> int:
    """A decimal as an integer number of 10^-10, exactly (raises if it does not fit)."""
    scaled = price * UNIT
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{price} has more than {SCALE} decimals")
    return int(scaled)


@dataclass
class Charges:
    """Rows before they become Arrow: per resource static fields, per row resource/day/quantity."""

    resources: list[dict[str, str | None]] = field(default_factory=list)
    price: list[int] = field(default_factory=list)
    res: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    qty: list[np.ndarray] = field(default_factory=list)
    """quantity in 10^-10 of the pricing unit"""
    cost: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        static: dict[str, str | None],
        unit_price: Decimal,
        days: np.ndarray,
        quantity_units: np.ndarray,
        cost_units: np.ndarray | None = None,
    ) -> None:
        k = len(self.resources)
        self.resources.append(static)
        p = units(unit_price)
        self.price.append(p)
        self.res.append(np.full(len(days), k, dtype=np.int32))
        self.day.append(days.astype(np.int32))
        self.qty.append(quantity_units.astype(np.int64))
        if cost_units is None:
            whole = quantity_units // UNIT
            if (whole * UNIT != quantity_units).any():
                raise ValueError("fractional quantities need explicit cost")
            cost_units = whole * p
        self.cost.append(cost_units.astype(np.int64))

    def add_daily(
        self, static: dict[str, str | None], unit_price: Decimal, per_day: np.ndarray
    ) -> None:
        """Whole quantities per day (0 means no row that day)."""
        days = np.flatnonzero(per_day > 0)
        self.add(static, unit_price, days, per_day[days].astype(np.int64) * UNIT)

    def add_fractional(
        self, static: dict[str, str | None], unit_price: Decimal, per_day: list[Decimal]
    ) -> None:
        days = np.array([d for d, q in enumerate(per_day) if q > 0], dtype=np.int32)
        q = [per_day[d].quantize(Decimal(1).scaleb(-SCALE), ROUND_HALF_EVEN) for d in days]
        cost = [(x * unit_price).quantize(Decimal(1).scaleb(-SCALE), ROUND_HALF_EVEN) for x in q]
        self.add(
            static,
            unit_price,
            days,
            np.array([units(x) for x in q], dtype=np.int64),
            np.array([units(x) for x in cost], dtype=np.int64),
        )


SERVICES: dict[str, tuple[str, str]] = {
    "Nimbus Compute": ("Compute", "Virtual Machines"),
    "Nimbus Block Storage": ("Storage", "Block Storage"),
    "Nimbus Files": ("Storage", "File Storage"),
    "Nimbus Object Storage": ("Storage", "Object Storage"),
    "Nimbus Backup": ("Storage", "Backup Storage"),
    "Nimbus Load Balancing": ("Networking", "Application Networking"),
    "Nimbus Networking": ("Networking", "Network Connectivity"),
    "Nimbus Managed PostgreSQL": ("Databases", "Relational Databases"),
    "Nimbus Managed Redis": ("Databases", "Caching"),
    "Nimbus Logging": ("Management and Governance", "Observability"),
}
"""ServiceName -> (ServiceCategory, ServiceSubcategory): FOCUS wants one subcategory per
service. Snapshots and the backup bucket are billed by the backup service."""


def resource(
    resource_id: str,
    name: str,
    rtype: str,
    service: str,
    sku: str,
    unit: str,
    description: str,
    cluster: str | None,
    zone: str | None = None,
    tags: dict[str, str] | None = None,
    region: str = REGION,
) -> dict[str, str | None]:
    sub_id, sub_name = SUB_ACCOUNTS.get(cluster or "", ("0456789012345", "odoo-platform-services"))
    category, subcategory = SERVICES[service]
    return {
        "AvailabilityZone": zone,
        "ResourceId": resource_id,
        "ResourceName": name,
        "ResourceType": rtype,
        "ServiceCategory": category,
        "ServiceSubcategory": subcategory,
        "ServiceName": service,
        "SkuId": sku,
        "SkuPriceId": f"{sku}:{region}:ondemand",
        "SkuMeter": unit,
        "PricingUnit": unit,
        "ConsumedUnit": unit,
        "ChargeDescription": description,
        "RegionId": region,
        "RegionName": REGION_NAME if region == REGION else "Europe (Ireland)",
        "SubAccountId": sub_id,
        "SubAccountName": sub_name,
        "Tags": json.dumps(tags or {}, sort_keys=True),
    }


def _decimal_array(values: np.ndarray) -> pa.Array:
    lo = values.astype(np.int64)
    hi = np.where(lo < 0, -1, 0).astype(np.int64)
    buf = np.column_stack([lo, hi]).reshape(-1).tobytes()
    return pa.Array.from_buffers(MONEY, len(values), [None, pa.py_buffer(buf)])


def _encode(values: list[str | None]) -> tuple[np.ndarray, pa.Array]:
    """Per-resource strings as (codes, distinct values), -1 for null, in first-seen order."""
    index: dict[str, int] = {}
    codes = np.array(
        [-1 if v is None else index.setdefault(v, len(index)) for v in values], dtype=np.int32
    )
    return codes, pa.array(list(index), pa.string())


def write_bill(charges: Charges, out_dir: Path, spec: FleetSpec) -> list[Path]:
    """One Parquet file per calendar month, rows by day then resource."""
    res = np.concatenate(charges.res)
    day = np.concatenate(charges.day)
    qty = np.concatenate(charges.qty)
    cost = np.concatenate(charges.cost)
    order = np.lexsort((res, day))
    res, day, qty, cost = res[order], day[order], qty[order], cost[order]
    price = np.array(charges.price, dtype=np.int64)[res]
    start_us = spec.start_epoch * 1_000_000
    day_us = 86_400 * 1_000_000
    months = [(spec.day(int(d)).year, spec.day(int(d)).month) for d in range(spec.days)]
    month_of_day = np.array([sorted(set(months)).index(m) for m in months])
    static = {
        name: _encode([x[name] for x in charges.resources])
        for name in charges.resources[0]
        if name in dict(COLUMNS)
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for m, (year, month) in enumerate(sorted(set(months))):
        sel = month_of_day[day] == m
        n = int(sel.sum())
        r, d = res[sel], day[sel]
        period_start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        period_end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
        cols: dict[str, pa.Array] = {}
        for name, typ in COLUMNS:
            if name in static:
                codes, values = static[name]
                picked = codes[r]
                cols[name] = pa.DictionaryArray.from_arrays(
                    pa.array(picked, mask=picked < 0), values
                )
            elif typ == MONEY:
                cols[name] = pa.nulls(n, MONEY)
            elif typ == pa.string():
                cols[name] = pa.nulls(n, pa.string())
        cost_arr = _decimal_array(cost[sel])
        price_arr = _decimal_array(price[sel])
        qty_arr = _decimal_array(qty[sel])
        for name in (
            "BilledCost",
            "EffectiveCost",
            "ListCost",
            "ContractedCost",
            "PricingCurrencyEffectiveCost",
        ):
            cols[name] = cost_arr
        for name in (
            "ListUnitPrice",
            "ContractedUnitPrice",
            "PricingCurrencyListUnitPrice",
            "PricingCurrencyContractedUnitPrice",
        ):
            cols[name] = price_arr
        cols["PricingQuantity"] = qty_arr
        cols["ConsumedQuantity"] = qty_arr
        constant = {
            "BillingAccountId": BILLING_ACCOUNT_ID,
            "BillingAccountName": BILLING_ACCOUNT_NAME,
            "BillingAccountType": "Billing Account",
            "SubAccountType": "Project",
            "BillingCurrency": CURRENCY,
            "PricingCurrency": CURRENCY,
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Usage-Based",
            "PricingCategory": "Standard",
            "ProviderName": PROVIDER,
            "PublisherName": PROVIDER,
            "InvoiceIssuerName": INVOICE_ISSUER,
            "InvoiceId": f"NC-{year}{month:02d}-{BILLING_ACCOUNT_ID[-6:]}",
        }
        for name, value in constant.items():
            cols[name] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, np.int32)), pa.array([value])
            )
        ts = pa.timestamp("us", "UTC")
        cols["ChargePeriodStart"] = pa.array(start_us + d.astype(np.int64) * day_us, ts)
        cols["ChargePeriodEnd"] = pa.array(start_us + (d.astype(np.int64) + 1) * day_us, ts)
        cols["BillingPeriodStart"] = pa.array(
            np.full(n, int(period_start.timestamp()) * 1_000_000), ts
        )
        cols["BillingPeriodEnd"] = pa.array(np.full(n, int(period_end.timestamp()) * 1_000_000), ts)
        table = pa.table({name: cols[name] for name, _ in COLUMNS})
        path = out_dir / f"focus-{year}-{month:02d}.parquet"
        write_parquet(table, path)
        paths.append(path)
    return paths


def write_parquet(table: pa.Table, path: Path) -> None:
    """Byte-stable Parquet: fixed codec and row groups; dictionary strings read back as strings.

    Dictionary columns must list each value once: pyarrow writes a dictionary with duplicates
    densely, and that path has been seen to put uninitialised bytes in the file.
    """
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            for chunk in column.chunks:
                if len(pc.unique(chunk.dictionary)) != len(chunk.dictionary):
                    raise ValueError(f"{path.name}: column {name} has a duplicated dictionary")
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        pq.write_table(
            table,
            temporary,
            compression="zstd",
            compression_level=3,
            row_group_size=1_000_000,
            store_schema=False,
            write_statistics=True,
            use_dictionary=True,
        )
