"""One small fleet with planted cost anomalies, allocated once per session on DuckDB (and,
for the tests that compare engines, on PostgreSQL): the budgets and anomaly tests share it.

12 tenants over 24 days of October 2026: two of each planted shape (spike, step, drift)
from the fifteenth day on, so every anomaly has two weeks of history before it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from costplane.allocation import allocate
from costplane.catalog import Catalog, load_catalog
from costplane.sources import fleet_loads
from costplane.warehouse import Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet
from tests.conftest import POSTGRES_ADMIN_URL, _admin_connection

SPEC = FleetSpec(12, 24, 11, dt.date(2026, 10, 1), anomalies=True)
PERIOD = "2026-10"


@pytest.fixture(scope="session")
def anomaly_fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("anomaly-fleet")
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="session")
def anomaly_catalog(anomaly_fleet: Path) -> Catalog:
    return load_catalog(anomaly_fleet / "costplane.yaml")


def load_and_allocate(url: str, fleet: Path, catalog: Catalog) -> Warehouse:
    warehouse = connect_warehouse(url)
    warehouse.ingest(fleet_loads(fleet, catalog.labels))
    allocate(warehouse, catalog)
    return warehouse


@pytest.fixture(scope="session")
def anomaly_warehouse(
    anomaly_fleet: Path, anomaly_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    url = f"duckdb:///{tmp_path_factory.mktemp('anomaly-wh') / 'w.duckdb'}"
    with load_and_allocate(url, anomaly_fleet, anomaly_catalog) as warehouse:
        yield warehouse


@pytest.fixture(scope="session")
def anomaly_postgres(anomaly_fleet: Path, anomaly_catalog: Catalog) -> Iterator[Warehouse]:
    """The same fleet on a PostgreSQL warehouse of its own, dropped after the session."""
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
            with load_and_allocate(url, anomaly_fleet, anomaly_catalog) as warehouse:
                yield warehouse
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
