"""The insight tests' shared worlds: a small fleet with planted cost anomalies (budgets and
anomalies), and a hand-built cluster and bill (capacity and commitments), each loaded
through the real ingest API into DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from costplane.allocation import allocate
from costplane.catalog import Catalog, load_catalog, parse_catalog
from costplane.sources import fleet_loads, inventory_table
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet
from tests.allocation.conftest import CATALOG
from tests.conftest import POSTGRES_ADMIN_URL, _admin_connection
from tests.price_sheet import PRICE_SHEET

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


START = dt.datetime(2026, 10, 1)
GIB = 2**30
POOL_LABEL = "nimbus.cloud/node-pool"
TYPE_LABEL = "node.kubernetes.io/instance-type"

COMMITMENTS = """\
  commitments:
    - {term: 1y, discount: "0.28", resource_types: [Virtual Machine]}
    - {term: 3y, discount: "0.46", resource_types: [Virtual Machine]}
"""


def insight_catalog(commitments: bool = True) -> Catalog:
    text = CATALOG.replace(PRICE_SHEET, PRICE_SHEET + (COMMITMENTS if commitments else ""))
    return parse_catalog(text, "test-catalog.yaml")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with connect_warehouse(url) as opened:
        opened.ensure_schema()
        yield opened


@dataclass
class Cluster:
    """Nodes, pods, their hourly requests and the nodes' bill, for one cluster."""

    name: str = "c1"
    days: int = 10
    objects: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    bill: list[dict[str, Any]] = field(default_factory=list)

    def node(
        self,
        name: str,
        pool: str,
        *,
        node_type: str = "small",
        cpu: str = "4",
        memory: str = "16Gi",
        daily_cost: str = "4.80",
        taint: str | None = None,
        billed_days: range | None = None,
        zone: str | None = None,
    ) -> None:
        spec: dict[str, Any] = {"providerID": f"cloud://{name}"}
        if taint:
            spec["taints"] = [{"key": "dedicated", "value": taint, "effect": "NoSchedule"}]
        labels = {POOL_LABEL: pool, TYPE_LABEL: node_type}
        if zone:
            labels["topology.kubernetes.io/zone"] = zone
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": labels},
                "spec": spec,
                "status": {
                    "capacity": {"cpu": cpu, "memory": memory},
                    "allocatable": {"cpu": cpu, "memory": memory},
                },
            }
        )
        for day in billed_days if billed_days is not None else range(self.days):
            self.charge(f"cloud://{name}", daily_cost, day, sku=f"VM-{node_type}", pool=pool)

    def pod(
        self,
        name: str,
        namespace: str,
        node: str | None,
        cpu: str,
        memory: str,
        *,
        selector: dict[str, str] | None = None,
        tolerate: str | None = None,
        hours: range | None = None,
        in_inventory: bool = True,
    ) -> None:
        spec: dict[str, Any] = {
            "containers": [
                {"name": "main", "resources": {"requests": {"cpu": cpu, "memory": memory}}}
            ],
            "nodeSelector": selector or {},
        }
        if node:
            spec["nodeName"] = node
        if tolerate:
            spec["tolerations"] = [
                {"key": "dedicated", "operator": "Equal", "value": tolerate, "effect": "NoSchedule"}
            ]
        if in_inventory:
            self.objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": name, "namespace": namespace},
                    "spec": spec,
                    "status": {"phase": "Running" if node else "Pending"},
                }
            )
        if node is None:
            return
        from costplane.quantity import cpu_cores, memory_bytes

        for hour in hours if hours is not None else range(self.days * 24):
            self.usage.append(
                {
                    "hour": START + dt.timedelta(hours=hour),
                    "cluster": self.name,
                    "node": node,
                    "namespace": namespace,
                    "pod": name,
                    "container": "main",
                    "cpu_request_cores": float(cpu_cores(cpu)),
                    "cpu_usage_cores": 0.1,
                    "cpu_usage_max_cores": 0.1,
                    "memory_request_bytes": memory_bytes(memory),
                    "memory_usage_bytes": float(GIB),
                    "memory_peak_bytes": float(GIB),
                }
            )

    def charge(
        self,
        resource_id: str,
        cost: str,
        day: int,
        *,
        sku: str,
        pool: str,
        quantity: str = "24",
    ) -> None:
        start = START + dt.timedelta(days=day)
        self.bill.append(
            {
                "billing_account_id": "0123",
                "billing_period_start": dt.datetime(2026, 10, 1),
                "billing_period_end": dt.datetime(2026, 11, 1),
                "billing_currency": "EUR",
                "charge_period_start": start,
                "charge_period_end": start + dt.timedelta(days=1),
                "charge_category": "Usage",
                "billed_cost": Decimal(cost),
                "effective_cost": Decimal(cost),
                "list_cost": Decimal(cost),
                "pricing_quantity": Decimal(quantity),
                "pricing_unit": "Hours",
                "resource_id": resource_id,
                "resource_type": "Virtual Machine",
                "sku_id": sku,
                "service_category": "Compute",
                "service_subcategory": "Virtual Machines",
                "service_name": "Compute service",
                "tags": json.dumps({"kubernetes.io/cluster": self.name, "node-pool": pool}),
                "source_row": len(self.bill) + 1,
            }
        )

    def load(self, warehouse: Warehouse, catalog: Catalog) -> None:
        end = START + dt.timedelta(days=self.days)
        loads = [
            Load(
                "inventory_snapshots",
                "test",
                self.name,
                end,
                end,
                inventory_table(
                    self.objects, cluster=self.name, taken_at=end, labels=catalog.labels
                ),
            )
        ]
        for table, rows, source, period in (
            ("usage_samples", self.usage, "test", (START, end)),
            ("billing_lines", self.bill, "focus", (START, dt.datetime(2026, 11, 1))),
        ):
            if rows:
                schema = FACT_TABLES[table].schema.to_pyarrow()
                data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in rows[0]]))
                loads.append(Load(table, source, self.name, *period, data))
        warehouse.ingest(loads)
