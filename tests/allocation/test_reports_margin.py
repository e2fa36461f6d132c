"""Margin per tenant on allocations and contracts written by hand (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pytest

from costplane.allocation import Window, margin
from costplane.catalog import Catalog, parse_catalog
from costplane.warehouse import ALLOCATIONS, Warehouse, connect_warehouse
from tests.price_sheet import PRICE_SHEET

OCTOBER = Window.month("2026-10")

CATALOG = (
    """
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {cpu: "2", memory: 8Gi}
    database_band_gib: {min_gib: 0, max_gib: 20}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: "310.00"
"""
    + PRICE_SHEET
    + """tenants:
"""
)


def tenant(tenant_id: str, contracts: str) -> str:
    return f"""
  - id: {tenant_id}
    name: {tenant_id.title()}
    service_class: standard
    region: eu-de
    contracts: {contracts}
    environments:
      production: {{namespaces: [{tenant_id}-prod]}}
"""


HAND_CATALOG: Catalog = parse_catalog(
    CATALOG
    # the class fee, all month
    + tenant("acme", "[{start: 2025-01-01}]")
    # starts on the 21st at 620 a month: 11 of 31 days
    + tenant("bolt", "[{start: 2026-10-21, monthly_fee: '620'}]")
    # 310 until the 16th, then 465: 15 and 16 days
    + tenant(
        "crux", "[{start: 2025-01-01, end: 2026-10-16}, {start: 2026-10-16, monthly_fee: 465}]"
    )
    + tenant("dollar", "[{start: 2025-01-01, monthly_fee: 300, currency: USD}]")
    + tenant("gone", "[{start: 2025-01-01, end: 2026-09-01}]")
    + tenant("free", "[{start: 2025-01-01, monthly_fee: 0}]")
    + tenant("quiet", "[{start: 2025-01-01, monthly_fee: 100}]"),
    "hand-catalog.yaml",
)


def store_allocations(warehouse: Warehouse, window: Window, rows: list[dict[str, Any]]) -> None:
    """Write allocation rows for the window's days, every other column empty."""
    warehouse.ensure_schema()
    given = ibis.memtable(
        rows, schema={"day": "date", "tenant": "string", "kind": "string", "cost": "decimal(38,9)"}
    )
    temp = warehouse.ibis.create_table("_hand_allocations", given, temp=True, overwrite=True)
    full = temp.select(
        **{
            name: temp[name] if name in temp.columns else ibis.null(dtype)
            for name, dtype in ALLOCATIONS.schema.items()
        }
    )
    warehouse.replace_days(ALLOCATIONS.name, window.start, window.end, full)


def row(day: int, tenant: str | None, kind: str, cost: str) -> dict[str, Any]:
    return {"day": dt.date(2026, 10, day), "tenant": tenant, "kind": kind, "cost": Decimal(cost)}


def month_rows(last_day: int) -> list[dict[str, Any]]:
    """Idle on every day up to `last_day` (so those days are allocated) and tenant costs."""
    rows = [row(day, None, "idle", "1.00") for day in range(1, last_day + 1)]
    rows += [
        row(1, "acme", "direct", "100.004"),
        row(2, "acme", "shared", "50.001"),  # 150.005: 150.01 to the cent
        row(2, "bolt", "direct", "20"),
        row(3, "crux", "direct", "400"),  # more than its fee: the worst margin
        row(3, "dollar", "direct", "5"),
        row(3, "gone", "direct", "7"),
        row(3, "stray", "direct", "9"),  # labelled with a tenant the catalog does not know
        row(3, "free", "direct", "1"),
    ]
    return rows


@pytest.fixture
def hand_warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as opened:
        yield opened


def test_fee_is_prorated_by_contract_day_and_margin_is_fee_minus_cost(
    hand_warehouse: Warehouse,
) -> None:
    store_allocations(hand_warehouse, OCTOBER, month_rows(31))
    report = margin(hand_warehouse, HAND_CATALOG, OCTOBER)

    found = {
        t.tenant: (t.contract_days, t.fee, t.cost, t.margin, t.margin_percent)
        for t in report.tenants
    }
    assert found == {
        # 310 x 31/31; 310.00 - 150.01 = 159.99, 159.99 / 310 = 51.6 %
        "acme": (31, Decimal("310.00"), Decimal("150.01"), Decimal("159.99"), Decimal("51.6")),
        # 620 x 11/31 = 220.00
        "bolt": (11, Decimal("220.00"), Decimal("20.00"), Decimal("200.00"), Decimal("90.9")),
        # (310 x 15 + 465 x 16) / 31 = 390.00
        "crux": (31, Decimal("390.00"), Decimal("400.00"), Decimal("-10.00"), Decimal("-2.6")),
        # a zero fee has no margin percentage
        "free": (31, Decimal("0.00"), Decimal("1.00"), Decimal("-1.00"), None),
        # a contract and no cost: all margin
        "quiet": (31, Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), Decimal("100.0")),
    }
    assert [t.tenant for t in report.tenants] == ["crux", "free", "quiet", "acme", "bolt"]
    assert [(f.tenant, f.cost, f.reason) for f in report.flagged] == [
        ("dollar", Decimal("5.00"), "contract in USD, not EUR"),
        ("gone", Decimal("7.00"), "no contract on the allocated days"),
        ("stray", Decimal("9.00"), "not in the catalog"),
    ]
    assert report.fee == Decimal("1020.00")
    assert report.cost == Decimal("571.01")
    assert report.margin == Decimal("448.99")
    assert report.margin_percent == Decimal("44.0")  # 448.99 / 1020
    assert report.untenanted_cost == Decimal("31.00")


def test_a_month_allocated_in_part_counts_the_fee_for_those_days(
    hand_warehouse: Warehouse,
) -> None:
    store_allocations(hand_warehouse, OCTOBER, month_rows(10))
    report = margin(hand_warehouse, HAND_CATALOG, OCTOBER)
    fees = {t.tenant: (t.contract_days, t.fee) for t in report.tenants}
    assert fees["acme"] == (10, Decimal("100.00"))  # 310 x 10/31
    assert fees["quiet"] == (10, Decimal("32.26"))  # 100 x 10/31 = 32.258...
    assert fees["crux"] == (10, Decimal("100.00"))  # the second contract starts later
    # bolt's contract starts on the 21st, after the allocated days: flagged, not a zero fee
    assert ("bolt", "no contract on the allocated days") in {
        (f.tenant, f.reason) for f in report.flagged
    }
