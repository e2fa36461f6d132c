"""A whole generated fleet, allocated on DuckDB and on the running PostgreSQL: same numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costplane.allocation import Window, allocate, reconcile
from costplane.allocation.engine import ALLOCATION_KEY
from costplane.catalog import Catalog, load_catalog
from costplane.sources import fleet_loads
from costplane.warehouse import ALLOCATIONS, Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet

SPEC = FleetSpec(tenants=16, days=4, seed=11, start=dt.date(2026, 9, 28))
WINDOW = Window(SPEC.start, SPEC.start + dt.timedelta(days=SPEC.days))
KEY = ALLOCATION_KEY


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fleet") / "fleet"
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="module")
def catalog(fleet: Path) -> Catalog:
    return load_catalog(fleet / "costplane.yaml")


def allocated(url: str, fleet: Path, catalog: Catalog) -> Iterator[Warehouse]:
    with connect_warehouse(url) as warehouse:
        warehouse.ingest(fleet_loads(fleet, catalog.labels))
        allocate(warehouse, catalog, WINDOW)
        yield warehouse


@pytest.fixture(scope="module")
def on_duckdb(
    fleet: Path, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    url = f"duckdb:///{tmp_path_factory.mktemp('duck') / 'w.duckdb'}"
    yield from allocated(url, fleet, catalog)


def rows(warehouse: Warehouse) -> dict[tuple[Any, ...], dict[str, Any]]:
    found = warehouse.table(ALLOCATIONS.name).to_pyarrow().to_pylist()
    keyed = {tuple(row[k] for k in KEY): row for row in found}
    assert len(keyed) == len(found), "allocation rows are unique by their dimensions"
    return keyed


def test_the_fleet_reconciles_every_day(on_duckdb: Warehouse) -> None:
    days, total = reconcile(on_duckdb, WINDOW)
    assert len(days) == SPEC.days
    assert all(day.billed > 0 and day.difference == 0 for day in days)
    assert total.allocated > total.idle > 0


def test_only_the_planted_namespace_is_unallocated(on_duckdb: Warehouse, fleet: Path) -> None:
    import json

    planted = {
        p["resource"]["name"]
        for p in json.loads((fleet / "planted.json").read_text())
        if p["kind"] == "labels-missing"
    }
    unallocated = {r["namespace"] for r in rows(on_duckdb).values() if r["kind"] == "unallocated"}
    assert unallocated == planted


def test_every_catalog_tenant_has_cost_in_every_domain_it_uses(
    on_duckdb: Warehouse, catalog: Catalog
) -> None:
    found = rows(on_duckdb).values()
    tenants = {r["tenant"] for r in found if r["kind"] == "direct"}
    assert tenants == {t.id for t in catalog.tenants}
    domains = {r["cost_domain"] for r in found if r["kind"] == "direct"}
    assert {
        "compute",
        "database",
        "cache",
        "storage",
        "backup",
        "observability",
        "ingress",
    } <= domains


@pytest.mark.postgres
def test_postgres_gives_the_same_allocation(
    on_duckdb: Warehouse, fleet: Path, catalog: Catalog, postgres_url: str
) -> None:
    duck = rows(on_duckdb)
    for warehouse in allocated(postgres_url, fleet, catalog):
        pg = rows(warehouse)
        assert pg.keys() == duck.keys()
        for key, row in duck.items():
            other = pg[key]
            assert abs(row["cost"] - other["cost"]) < Decimal("0.01"), key
            for column in ("cpu_core_hours", "memory_gib_hours", "efficiency"):
                if row[column] is None:
                    assert other[column] is None, (key, column)
                else:
                    assert other[column] == pytest.approx(row[column], rel=1e-9), (key, column)
        assert sum(r["cost"] for r in pg.values()) == sum(r["cost"] for r in duck.values())
