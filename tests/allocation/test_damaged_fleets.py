"""A generated fleet edited the way real data goes wrong, allocated with no dates: every day
of the billing period still reconciles with the bill to the nano-unit.

Each test takes the fleet's loads and damages one thing before ingesting them: a
cluster's node bill lines missing for a day (the price-sheet path), a node that runs
no pod that day, Traefik and log meters that find no tenant for a day, a monthly fee
beside three days of usage. The expected amounts come from the fleet's own files.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from costplane.allocation import Window, allocate, reconcile
from costplane.catalog import Catalog, load_catalog
from costplane.quantity import GIB, cpu_cores, memory_bytes
from costplane.sources import fleet_loads
from costplane.warehouse import ALLOCATIONS, Load, Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet

SPEC = FleetSpec(tenants=6, days=3, seed=3, start=dt.date(2026, 10, 1))
OCTOBER = Window.month("2026-10")
DAMAGED_DAY = dt.date(2026, 10, 2)
CLUSTER = "eu-shared-1"

Edit = Callable[[pa.Table], pa.Table]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("damaged") / "fleet"
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="module")
def catalog(fleet: Path) -> Catalog:
    return load_catalog(fleet / "costplane.yaml")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"duckdb:///{tmp_path / 'w.duckdb'}"


def damaged(fleet: Path, catalog: Catalog, **edits: Edit) -> list[Load]:
    """The fleet's loads with each table named in `edits` passed through its edit."""
    loads = []
    for load in fleet_loads(fleet, catalog.labels):
        edit = edits.get(load.table)
        if edit is not None:
            rows = load.data if isinstance(load.data, pa.Table) else pq.read_table(load.data)
            load = replace(load, data=edit(rows))
        loads.append(load)
    return loads


def allocated(url: str, loads: list[Load], catalog: Catalog) -> Iterator[Warehouse]:
    """The loads ingested and allocated as `costplane allocate` does with no dates."""
    with connect_warehouse(url) as warehouse:
        warehouse.ensure_schema()
        warehouse.ingest(loads)
        allocate(warehouse, catalog)
        yield warehouse


def assert_every_day_reconciles(warehouse: Warehouse) -> None:
    days, total = reconcile(warehouse, OCTOBER)
    off = {day.date: day.difference for day in days if day.difference != 0}
    assert off == {}, "days whose bill is not placed exactly"
    assert total.difference == 0


def nodes_of(fleet: Path, cluster: str) -> list[dict[str, Any]]:
    document = json.loads((fleet / "kubernetes" / cluster / "nodes.json").read_text())
    nodes: list[dict[str, Any]] = document["items"]
    return nodes


def on_day(column: pa.ChunkedArray, day: dt.date) -> pa.ChunkedArray:
    start = pa.scalar(dt.datetime.combine(day, dt.time()), column.type)
    end = pa.scalar(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), column.type)
    return pc.and_(pc.greater_equal(column, start), pc.less(column, end))


def allocation_rows(warehouse: Warehouse, **match: Any) -> list[dict[str, Any]]:
    table = warehouse.table(ALLOCATIONS.name)
    for column, value in match.items():
        table = table.filter(table[column] == value)
    rows: list[dict[str, Any]] = table.to_pyarrow().to_pylist()
    return rows


def test_a_day_without_node_bill_lines_is_priced_from_the_sheet_once(
    fleet: Path, catalog: Catalog, warehouse_url: str
) -> None:
    nodes = nodes_of(fleet, CLUSTER)
    provider_ids = [node["spec"]["providerID"] for node in nodes]
    drained = nodes[0]["metadata"]["name"]  # runs no pod on the damaged day

    def no_node_lines(bill: pa.Table) -> pa.Table:
        lost = pc.and_(
            pc.is_in(bill["resource_id"], pa.array(provider_ids)),
            on_day(bill["charge_period_start"], DAMAGED_DAY),
        )
        assert pc.sum(lost.cast("int64")).as_py() == len(nodes)
        return bill.filter(pc.invert(lost))

    def drained_node(usage: pa.Table) -> pa.Table:
        gone = pc.and_(pc.equal(usage["node"], drained), on_day(usage["hour"], DAMAGED_DAY))
        return usage.filter(pc.invert(gone))

    loads = damaged(fleet, catalog, billing_lines=no_node_lines, usage_samples=drained_node)
    prices = catalog.price_sheet
    per_day = sum(
        (
            Decimal(cpu_cores(node["status"]["capacity"]["cpu"])) * prices.cpu.canonical
            + Decimal(memory_bytes(node["status"]["capacity"]["memory"]))
            / GIB
            * prices.memory.canonical
        )
        * 24
        for node in nodes
    )
    for warehouse in allocated(warehouse_url, loads, catalog):
        assert_every_day_reconciles(warehouse)
        sheet = allocation_rows(warehouse, day=DAMAGED_DAY, source="price-sheet")
        assert {row["cluster"] for row in sheet} == {CLUSTER}
        # every node of the cluster, the drained one too; the volumes keep their bill lines
        assert {row["cost_domain"] for row in sheet} == {"compute"}
        priced = sum(row["cost"] for row in sheet)
        assert abs(priced - per_day) < Decimal("0.000001") * len(nodes)
        other_days = allocation_rows(warehouse, source="price-sheet")
        assert {row["day"] for row in other_days} == {DAMAGED_DAY}


def test_meters_that_find_no_tenant_fall_back_to_the_shared_rule(
    fleet: Path, catalog: Catalog, warehouse_url: str
) -> None:
    def no_meters(usage: pa.Table) -> pa.Table:
        gone = pc.and_(
            pc.is_in(usage["service"], pa.array(["traefik", "logs"])),
            pc.equal(usage["day"], pa.scalar(DAMAGED_DAY, usage["day"].type)),
        )
        return usage.filter(pc.invert(gone))

    loads = damaged(fleet, catalog, service_usage=no_meters)
    for warehouse in allocated(warehouse_url, loads, catalog):
        assert_every_day_reconciles(warehouse)
        shared = allocation_rows(warehouse, day=DAMAGED_DAY, kind="shared", source="bill")
        platform = {"traefik", "logging"}
        assert all(row["tenant"] is not None for row in shared)
        traefik = [row for row in shared if row["namespace"] in platform]
        assert traefik == []  # spread rows keep no namespace
        assert sum(row["cost"] for row in shared) > 0


def test_a_monthly_fee_beside_three_days_of_usage_is_placed_on_every_day(
    fleet: Path, catalog: Catalog, warehouse_url: str
) -> None:
    def with_fee(bill: pa.Table) -> pa.Table:
        rows = bill.to_pylist()
        fee = {
            **rows[0],
            "charge_period_start": dt.datetime(2026, 10, 1),
            "charge_period_end": dt.datetime(2026, 11, 1),
            "charge_frequency": "Recurring",
            "billed_cost": Decimal("310.00"),
            "effective_cost": Decimal("310.00"),
            "list_cost": Decimal("310.00"),
            "contracted_cost": Decimal("310.00"),
            "service_category": "Other",
            "service_subcategory": "Support",
            "service_name": "Nimbus Support",
            "resource_id": None,
            "tags": "{}",
            "source_row": max(row["source_row"] for row in rows) + 1,
        }
        return pa.Table.from_pylist([*rows, fee], bill.schema)

    loads = damaged(fleet, catalog, billing_lines=with_fee)
    for warehouse in allocated(warehouse_url, loads, catalog):
        assert_every_day_reconciles(warehouse)
        days, _ = reconcile(warehouse, OCTOBER)
        quiet = [day for day in days if day.date is not None and day.date.day > SPEC.days]
        assert len(quiet) == 28
        assert {(day.billed, day.unallocated) for day in quiet} == {
            (Decimal("10.000000000"), Decimal("10.000000000"))
        }
