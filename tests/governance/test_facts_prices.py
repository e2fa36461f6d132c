"""Allocation prices: the price sheet's CPU and memory prices scaled by each cluster's
billed-over-list factor, read from the allocations table; everything else the sheet's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from tests.price_sheet import PRICE_SHEET

from costplane.catalog import parse_catalog
from costplane.governance.inventory.resources import ResourceRef
from costplane.governance.savings.prices_allocation import AllocationPrices
from costplane.warehouse import connect_warehouse

SHEET = parse_catalog(
    """
currency: EUR
service_classes:
  s:
    tenancy: shared
    quota: {production: {cpu: "1", memory: 1Gi}}
    database_band_gib: {min_gib: 0, max_gib: 1}
    snapshot_retention_days: 1
    log_retention_days: 1
    backup: {rpo_minutes: 1, rto_minutes: 1, restore_test_interval_days: 1}
    ha_replicas: 1
    support_level: none
    monthly_fee: 1
"""
    + PRICE_SHEET
    + """""",
    "catalog.yaml",
).price_sheet


def test_cpu_and_memory_follow_the_bill_of_their_cluster(tmp_path: Path) -> None:
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse:
        warehouse.ensure_schema()
        warehouse.ibis.raw_sql(
            "INSERT INTO allocations (day, cluster, namespace, cost_domain, kind, cost, "
            "cpu_core_hours, memory_gib_hours) VALUES "
            # list value 100 x 0.03 + 500 x 0.004 = 5.00, billed 5.25: k = 1.05
            "('2026-10-10', 'c1', 'a', 'compute', 'direct', 3.15, 60, 300), "
            "('2026-10-11', 'c1', 'b', 'compute', 'direct', 2.10, 40, 200), "
            "('2026-10-11', 'c1', NULL, 'compute', 'idle', 99, NULL, NULL), "
            "('2026-10-11', 'c1', 'b', 'storage', 'direct', 7, NULL, NULL), "
            "('2026-09-01', 'c1', 'a', 'compute', 'direct', 50, 60, 300)"
        )
        prices = AllocationPrices.from_warehouse(
            warehouse, SHEET, dt.date(2026, 10, 1), dt.date(2026, 11, 1)
        )
    in_c1 = ResourceRef("Deployment", "web", "a", "c1")
    elsewhere = ResourceRef("Deployment", "web", "a", "c2")
    assert prices.factors == {"c1": Decimal("1.05")}
    assert prices.price("cpu", in_c1) == Decimal("0.0315")
    assert prices.price("memory", in_c1) == Decimal("0.004") * Decimal("1.05")
    assert prices.price("cpu", elsewhere) == Decimal("0.03")
    assert prices.price("storage", in_c1, "standard") == SHEET.storage["standard"].canonical
    assert prices.price("storage", in_c1, "unknown") is None
