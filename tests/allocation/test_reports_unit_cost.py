"""Unit cost per tenant on allocations and business signals written by hand (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.allocation import Window, unit_cost
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse
from tests.allocation.test_reports_margin import HAND_CATALOG, row, store_allocations

OCTOBER = Window.month("2026-10")


def signals(*rows: tuple[int, str, str, str, int]) -> Load:
    """business_signals rows (day of October, tenant, environment, signal, count)."""
    table = pa.Table.from_pylist(
        [
            {"day": dt.date(2026, 10, d), "tenant": t, "environment": e, "signal": s, "count": n}
            for d, t, e, s, n in rows
        ],
        FACT_TABLES["business_signals"].schema.to_pyarrow(),
    )
    return Load(
        "business_signals",
        "test",
        "odoo",
        dt.datetime(2026, 10, 1),
        dt.datetime(2026, 11, 1),
        table,
    )


@pytest.fixture
def hand_warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse:
        store_allocations(
            warehouse,
            OCTOBER,
            [
                row(1, "acme", "direct", "10.00"),
                row(2, "acme", "shared", "2.50"),
                row(1, None, "idle", "4.00"),  # no tenant: in no one's unit cost
                row(2, "crux", "direct", "7.00"),
            ],
        )
        warehouse.ingest(
            [
                signals(
                    (1, "acme", "production", "orders_confirmed", 100),
                    (2, "acme", "production", "orders_confirmed", 150),
                    (2, "acme", "production", "invoices_posted", 3),
                    (2, "acme", "staging", "orders_confirmed", 999),  # a test order
                    (5, "acme", "production", "orders_confirmed", 1000),  # day not allocated
                    (1, "bolt", "production", "pickings_done", 40),  # volume, no cost
                )
            ]
        )
        yield warehouse


def test_cost_per_order_picking_and_invoice_by_hand(hand_warehouse: Warehouse) -> None:
    report = unit_cost(hand_warehouse, HAND_CATALOG, OCTOBER)
    found = {
        u.tenant: (u.cost, u.orders, u.pickings, u.invoices, u.per_order, u.per_picking)
        for u in report.tenants
    }
    assert found == {
        # 12.50 over 250 production orders of Oct 1-2; no pickings: nothing, not infinity
        "acme": (Decimal("12.50"), 250, 0, 3, Decimal("0.0500"), None),
        "bolt": (Decimal("0.00"), 0, 40, 0, None, Decimal("0.0000")),
        "crux": (Decimal("7.00"), 0, 0, 0, None, None),
    }
    acme = report.tenants[0]
    assert acme.per_invoice == Decimal("4.1667")  # 12.50 / 3
    assert acme.service_class == "standard"
    total = report.total
    assert (total.cost, total.orders, total.pickings, total.invoices) == (
        Decimal("19.50"),
        250,
        40,
        3,
    )
    # each over the tenants that counted it: crux, with no signals, is in none of them
    assert total.per_order == Decimal("0.0500")  # 12.50 / 250
    assert total.per_picking == Decimal("0.0000")  # bolt: 0.00 / 40
    assert total.per_invoice == Decimal("4.1667")
