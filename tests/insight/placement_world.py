"""A tiny platform for placement and migration, written by hand into a warehouse.

Three tenants on one cluster, `c1`, in October 2026, each figure chosen so the scores,
money, waves and rollback counts the tests expect can be worked out on paper (the
tests show the arithmetic). Loaded through the real ingest API on DuckDB or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from costplane.allocation import Window
from costplane.catalog import Catalog, parse_catalog
from costplane.warehouse import ALLOCATIONS, FACT_TABLES, Load, Warehouse
from tests.price_sheet import PRICE_SHEET

OCTOBER = Window.month("2026-10")
GIB = 2**30
START = dt.datetime(2026, 10, 1)

CATALOG = (
    """
currency: EUR
service_classes:
  small:
    tenancy: shared
    quota:
      production: {cpu: "2", memory: 4Gi}
    database_band_gib: {min_gib: 0, max_gib: 50}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 60, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: "400"
  own:
    tenancy: dedicated
    quota:
      production: {cpu: "4", memory: 8Gi}
    database_band_gib: {min_gib: 0, max_gib: 500}
    snapshot_retention_days: 30
    log_retention_days: 90
    backup: {rpo_minutes: 5, rto_minutes: 60, restore_test_interval_days: 30}
    ha_replicas: 2
    support_level: 24x7
    monthly_fee: "2000"
"""
    + PRICE_SHEET
    + """tenants:
  - id: alpha
    name: Alpha
    service_class: small
    region: eu-de
    contracts: [{start: 2025-01-01}]
    environments:
      production: {namespaces: [alpha-prod], databases: [alpha_prod]}
  - id: beta
    name: Beta
    service_class: small
    region: eu-de
    custom_modules: 3
    integrations: [edi, webshop, carrier, marketplace]
    compliance: {regulated_sector: pharmaceutical wholesale, residency_required: true}
    contracts: [{start: 2025-01-01}]
    environments:
      production: {namespaces: [beta-prod], databases: [beta_prod]}
  - id: gamma
    name: Gamma
    service_class: small
    region: eu-de
    contracts: [{start: 2025-01-01}]
    environments:
      production: {namespaces: [gamma-prod], databases: [gamma_prod]}
"""
)


def catalog(extra: str = "") -> Catalog:
    return parse_catalog(CATALOG + extra, "placement-catalog.yaml")


# CPU cores per hour (hours 0, 1, 2 of October 1st); hour 1 is the cluster's peak (10 cores)
CPU = {
    "alpha-prod": (1.0, 0.5, 2.0),
    "beta-prod": (1.0, 3.0, 0.5),
    "gamma-prod": (0.1, 0.0, 0.1),
    "traefik": (1.9, 6.5, 0.4),
}
MEMORY_GIB = {
    "alpha-prod": (1, 2, 3),
    "beta-prod": (1, 1, 1),
    "gamma-prod": (1, 1, 1),
    "traefik": (1, 1, 1),
}


def usage_rows() -> list[dict[str, Any]]:
    rows = []
    for namespace, cores in CPU.items():
        for hour, (cpu, memory) in enumerate(zip(cores, MEMORY_GIB[namespace], strict=True)):
            for container, part in (("odoo", 0.75), ("sidecar", 0.25)):  # summed per hour
                rows.append(
                    {
                        "hour": START + dt.timedelta(hours=hour),
                        "cluster": "c1",
                        "node": "n1",
                        "namespace": namespace,
                        "pod": f"{namespace}-0",
                        "container": container,
                        "cpu_usage_cores": cpu * part,
                        "memory_usage_bytes": memory * GIB * part,
                    }
                )
    # September: outside the window, and far larger than anything in October
    rows.append({**rows[0], "hour": START - dt.timedelta(hours=1), "cpu_usage_cores": 500.0})
    return rows


def requests_rows() -> list[dict[str, Any]]:
    def row(namespace: str, day: int, quantity: float, service: str = "traefik") -> dict[str, Any]:
        return {
            "day": dt.date(2026, 10, day),
            "cluster": "c1",
            "namespace": namespace,
            "service": service,
            "resource": f"{namespace}-router",
            "metric": "requests" if service == "traefik" else "egress_bytes",
            "quantity": quantity,
        }

    return [
        row("alpha-prod", 1, 1_000),
        row("alpha-prod", 2, 1_000),
        row("beta-prod", 1, 600_000),
        row("beta-prod", 2, 400_000),
        row("beta-prod", 2, 9e12, service="egress"),  # not a request
    ]


def snapshot(taken_at: dt.datetime, database: str, tenant: str, rows: list[dict[str, Any]]) -> Load:
    base = {
        "taken_at": taken_at,
        "server": "pg1",
        "database": database,
        "tenant": tenant,
        "environment": "production",
    }
    schema = FACT_TABLES["database_stats"].schema.to_pyarrow()
    table = pa.Table.from_pylist([{**base, **row} for row in rows], schema)
    return Load("database_stats", "test", f"pg1/{database}", taken_at, taken_at, table)


def database_loads() -> list[Load]:
    mid, end, later = dt.datetime(2026, 10, 15), dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 5)
    return [
        snapshot(
            mid, "alpha_prod", "alpha", [{"relation_kind": "database", "size_bytes": 8 * GIB}]
        ),
        snapshot(
            end,
            "alpha_prod",
            "alpha",
            [
                {"relation_kind": "database", "relation": "alpha_prod", "size_bytes": 10 * GIB},
                {"relation_kind": "table", "relation": "stock_move", "row_count": 7_000},
                {"relation_kind": "table", "relation": "sale_order_line", "row_count": 900},
                {
                    "relation_kind": "attachments",
                    "relation": "account.move",
                    "size_bytes": GIB,
                    "row_count": 100,
                },
                {
                    "relation_kind": "attachments",
                    "relation": "sale.order",
                    "size_bytes": GIB // 2,
                    "row_count": 50,
                },
            ],
        ),
        snapshot(
            end,
            "beta_prod",
            "beta",
            [
                {"relation_kind": "database", "relation": "beta_prod", "size_bytes": 20 * GIB},
                {"relation_kind": "module", "relation": "sale"},
                {"relation_kind": "module", "relation": "stock"},
                *(
                    {"relation_kind": "custom_module", "relation": f"beta_custom_{i}"}
                    for i in range(5)
                ),
                {
                    "relation_kind": "attachments",
                    "relation": "account.move",
                    "size_bytes": 3 * GIB,
                    "row_count": 310,
                },
                {"relation_kind": "attachment_store", "size_bytes": 2 * GIB, "row_count": 300},
                {"relation_kind": "odoo_table", "relation": "stock_move", "row_count": 1_000},
                {"relation_kind": "table", "relation": "stock_move", "row_count": 990},
                {
                    "relation_kind": "odoo_rows_added",
                    "relation": "queue_job/2026-10",
                    "row_count": 50_000,
                },
                {
                    "relation_kind": "odoo_rows_added",
                    "relation": "queue_job/2026-09",
                    "row_count": 900_000,
                },
            ],
        ),
        # after October: the placement of October must not read it
        snapshot(
            later, "beta_prod", "beta", [{"relation_kind": "database", "size_bytes": 99 * GIB}]
        ),
        snapshot(
            end,
            "gamma_prod",
            "gamma",
            [
                {"relation_kind": "database", "relation": "gamma_prod", "size_bytes": 4 * GIB},
                {
                    "relation_kind": "attachments",
                    "relation": "x",
                    "size_bytes": GIB,
                    "row_count": 10,
                },
            ],
        ),
    ]


def signal_rows() -> list[dict[str, Any]]:
    def row(
        day: dt.date, tenant: str, count: int, environment: str = "production"
    ) -> dict[str, Any]:
        signal = "orders_confirmed"
        return {
            "day": day,
            "tenant": tenant,
            "environment": environment,
            "signal": signal,
            "count": count,
        }

    return [
        row(dt.date(2026, 10, 1), "alpha", 10),
        row(dt.date(2026, 10, 2), "alpha", 5),
        row(dt.date(2026, 10, 2), "alpha", 100, environment="staging"),
        row(dt.date(2026, 9, 30), "alpha", 1_000),
        row(dt.date(2026, 10, 3), "beta", 42),
    ]


COSTS = {"alpha": "100.00", "beta": "300.00", "gamma": "50.00"}
"""Each tenant's allocated cost of October (all on the 1st; every day allocated)."""


def load(warehouse: Warehouse) -> None:
    warehouse.ensure_schema()
    loads = [*database_loads()]
    end = dt.datetime(2026, 11, 1)
    for table, rows, start in (
        ("usage_samples", usage_rows(), START - dt.timedelta(days=1)),
        ("service_usage", requests_rows(), START),
        ("business_signals", signal_rows(), START - dt.timedelta(days=1)),
    ):
        schema = FACT_TABLES[table].schema.to_pyarrow()
        loads.append(Load(table, "test", "c1", start, end, pa.Table.from_pylist(rows, schema)))
    warehouse.ingest(loads)
    allocations = [
        {"day": dt.date(2026, 10, day), "tenant": None, "kind": "idle", "cost": Decimal(1)}
        for day in range(1, 32)
    ]
    allocations += [
        {"day": dt.date(2026, 10, 1), "tenant": t, "kind": "direct", "cost": Decimal(c)}
        for t, c in COSTS.items()
    ]
    given = ibis.memtable(
        allocations,
        schema={"day": "date", "tenant": "string", "kind": "string", "cost": "decimal(38,9)"},
    )
    temp = warehouse.ibis.create_table("_hand_allocations", given, temp=True, overwrite=True)
    full = temp.select(
        **{
            name: temp[name] if name in temp.columns else ibis.null(dtype)
            for name, dtype in ALLOCATIONS.schema.items()
        }
    )
    warehouse.replace_days(ALLOCATIONS.name, OCTOBER.start, OCTOBER.end, full)
