"""A tiny platform built by hand: nodes, namespaces, usage and a bill, loaded into a warehouse.

Each test states exactly the facts it needs, so its expected costs can be
computed by hand; `Platform.load` writes them through the real ingest API.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from costplane.catalog import Catalog, parse_catalog
from costplane.sources import inventory_table
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse
from tests.price_sheet import PRICE_SHEET

START = dt.datetime(2026, 10, 1)
GIB = 2**30

CATALOG = (
    """
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {cpu: "8", memory: 32Gi}
      development: {cpu: "8", memory: 32Gi}
    database_band_gib: {min_gib: 0, max_gib: 100}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: 500
"""
    + PRICE_SHEET
    + """tenants:
  - id: acme
    name: Acme Wholesale
    service_class: standard
    region: eu-central
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [acme-prod], databases: [acme_prod]}
      development: {namespaces: [acme-dev]}
  - id: bolt
    name: Bolt Trading
    service_class: standard
    region: eu-central
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [bolt-prod], databases: [bolt_prod]}
"""
)


def catalog(extra: str = "") -> Catalog:
    return parse_catalog(CATALOG + extra, "test-catalog.yaml")


@dataclass
class Platform:
    """Facts about one cluster, added by tests, loaded with `load`."""

    cluster: str = "c1"
    objects: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    bill: list[dict[str, Any]] = field(default_factory=list)
    service_usage: list[dict[str, Any]] = field(default_factory=list)

    def node(self, name: str, cpu: int, memory_gib: int, provider_id: str | None = None) -> None:
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": {"karpenter.sh/nodepool": "pool-a"}},
                "spec": {"providerID": provider_id or f"cloud://{name}"},
                "status": {"capacity": {"cpu": str(cpu), "memory": f"{memory_gib}Gi"}},
            }
        )

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": labels or {}},
            }
        )

    def tenant_namespace(self, name: str, tenant: str, environment: str = "production") -> None:
        self.namespace(
            name,
            {
                "costplane.io/tenant": tenant,
                "costplane.io/environment": environment,
                "costplane.io/service-class": "standard",
            },
        )

    def volume(self, handle: str, namespace: str, gib: int = 10) -> None:
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"pv-{handle}"},
                "spec": {
                    "capacity": {"storage": f"{gib}Gi"},
                    "claimRef": {"namespace": namespace, "name": "data"},
                    "csi": {"volumeHandle": handle},
                    "storageClassName": "standard",
                },
            }
        )

    def run(
        self,
        node: str,
        namespace: str,
        hours: range,
        cpu_request: float,
        cpu_usage: float,
        memory_request_gib: float,
        memory_usage_gib: float,
        day: int = 0,
    ) -> None:
        for hour in hours:
            self.usage.append(
                {
                    "hour": START + dt.timedelta(days=day, hours=hour),
                    "cluster": self.cluster,
                    "node": node,
                    "namespace": namespace,
                    "pod": f"{namespace}-pod",
                    "container": "odoo",
                    "cpu_request_cores": cpu_request,
                    "cpu_usage_cores": cpu_usage,
                    "cpu_usage_max_cores": cpu_usage,
                    "memory_request_bytes": int(memory_request_gib * GIB),
                    "memory_usage_bytes": memory_usage_gib * GIB,
                    "memory_peak_bytes": memory_usage_gib * GIB,
                }
            )

    def charge(
        self,
        resource_id: str | None,
        cost: str,
        day: int = 0,
        days: int = 1,
        category: str = "Compute",
        subcategory: str = "Virtual Machines",
        tags: dict[str, str] | None = None,
    ) -> None:
        start = START + dt.timedelta(days=day)
        self.bill.append(
            {
                "billing_account_id": "0123",
                "billing_period_start": dt.datetime(2026, 10, 1),
                "billing_period_end": dt.datetime(2026, 11, 1),
                "billing_currency": "EUR",
                "charge_period_start": start,
                "charge_period_end": start + dt.timedelta(days=days),
                "charge_category": "Usage",
                "billed_cost": Decimal(cost),
                "effective_cost": Decimal(cost),
                "resource_id": resource_id,
                "service_category": category,
                "service_subcategory": subcategory,
                "service_name": f"{category} service",
                "tags": json.dumps(tags or {}),
                "source_row": len(self.bill) + 1,
            }
        )

    def meter(
        self,
        namespace: str,
        service: str,
        metric: str,
        quantity: float,
        day: int = 0,
        resource: str | None = None,
    ) -> None:
        self.service_usage.append(
            {
                "day": (START + dt.timedelta(days=day)).date(),
                "cluster": self.cluster,
                "namespace": namespace,
                "service": service,
                "resource": resource or namespace,
                "metric": metric,
                "quantity": quantity,
            }
        )

    def loads(self, labels_catalog: Catalog, days: int = 31) -> list[Load]:
        end = START + dt.timedelta(days=days)
        loads = [
            Load(
                "inventory_snapshots",
                "test",
                self.cluster,
                end,
                end,
                inventory_table(
                    self.objects, cluster=self.cluster, taken_at=end, labels=labels_catalog.labels
                ),
            )
        ]
        for table, rows, source in (
            ("usage_samples", self.usage, "test"),
            ("billing_lines", self.bill, "focus"),
            ("service_usage", self.service_usage, "test"),
        ):
            if rows:
                schema = FACT_TABLES[table].schema.to_pyarrow()
                data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in rows[0]]))
                period = (
                    (dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1))
                    if table == "billing_lines"
                    else (START, end)
                )
                loads.append(Load(table, source, self.cluster, *period, data))
        return loads

    def load(self, warehouse: Warehouse, labels_catalog: Catalog) -> None:
        warehouse.ingest(self.loads(labels_catalog))


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as opened:
        opened.ensure_schema()
        yield opened
