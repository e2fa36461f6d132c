"""A small platform for rightsizing: pods with known hourly samples, their workloads in
the inventory, loaded through the real ingest API on DuckDB or PostgreSQL.

- acme-prod/web: Deployment, 2 containers (odoo, proxy), three pods over 14 days, one of
  which churned (lived 30 hours, busy): KRR's per-pod maximum differs from the pool;
  requests 2 cores / 4Gi for odoo: oversized.
- acme-prod/api: Deployment scaled by an HPA at 60 % CPU.
- acme-prod/db: StatefulSet, pod db-0, under-requested (recommendation above request).
- acme-prod/new: 50 samples only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa

from costplane.catalog import Catalog, parse_catalog
from costplane.sources.inventory import inventory_loads
from costplane.warehouse import FACT_TABLES, Load, Warehouse

END = dt.datetime(2026, 10, 31)
DAYS = 14
START = END - dt.timedelta(days=DAYS)
HOURS = [START + dt.timedelta(hours=h) for h in range(DAYS * 24)]
GIB = 2**30
MIB = 2**20
CLUSTER = "c1"
CPU_HOUR = "0.03"
GIB_HOUR = "0.004"

CATALOG = f"""
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {{cpu: "16", memory: 32Gi}}
    database_band_gib: {{min_gib: 0, max_gib: 20}}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {{rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: 500
price_sheet:
  cpu: {{amount: "{CPU_HOUR}", unit: core-hour}}
  memory: {{amount: "{GIB_HOUR}", unit: GiB-hour}}
  storage: {{standard: {{amount: "0.10", unit: GiB-month}}}}
  database_storage: {{amount: "0.20", unit: GiB-month}}
  snapshot: {{amount: "0.05", unit: GiB-month}}
  object_storage: {{amount: "0.02", unit: GiB-month}}
  log_ingest: {{amount: "0.50", unit: GiB}}
  log_retention: {{amount: "0.03", unit: GiB-month}}
  backup: {{amount: "0.02", unit: GiB-month}}
  load_balancer: {{amount: "0.025", unit: hour}}
  egress: {{amount: "0.09", unit: GiB}}
tenants:
  - id: acme
    name: Acme Wholesale
    service_class: standard
    region: eu-central-1
    contracts: [{{start: 2026-01-01}}]
    environments:
      production: {{namespaces: [acme-prod], databases: [acme_prod]}}
"""


def catalog() -> Catalog:
    return parse_catalog(CATALOG, "rightsizing-catalog.yaml")


def _container(name: str, cpu: str, memory: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": "registry.example.com/odoo:18.0",
        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
    }


def _workload(kind: str, name: str, replicas: int, *containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "acme-prod",
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": list(containers)}},
        },
    }


OBJECTS: list[dict[str, Any]] = [
    {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "acme-prod",
            "labels": {"costplane.io/tenant": "acme", "costplane.io/environment": "production"},
        },
    },
    _workload(
        "Deployment", "web", 2, _container("odoo", "2", "4Gi"), _container("proxy", "100m", "256Mi")
    ),
    _workload("Deployment", "api", 1, _container("odoo", "1", "1Gi")),
    _workload("StatefulSet", "db", 1, _container("postgres", "100m", "256Mi")),
    _workload("Deployment", "new", 1, _container("odoo", "1", "1Gi")),
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "api", "namespace": "acme-prod"},
        "spec": {
            "minReplicas": 1,
            "maxReplicas": 4,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 60},
                    },
                }
            ],
        },
    },
]

REQUESTS = {  # (pod prefix, container) -> (cpu cores, memory bytes)
    ("web", "odoo"): (2.0, 4 * GIB),
    ("web", "proxy"): (0.1, 256 * MIB),
    ("api", "odoo"): (1.0, GIB),
    ("db", "postgres"): (0.1, 256 * MIB),
    ("new", "odoo"): (1.0, GIB),
}

PODS = {  # pod -> (workload prefix, first hour, last hour + 1, CPU scale)
    "web-5c4b3a2d1-aaaaa": ("web", 0, 336, 0.30),
    "web-5c4b3a2d1-bbbbb": ("web", 0, 300, 0.25),
    "web-5c4b3a2d1-ccccc": ("web", 306, 336, 0.55),  # churned: lived 30 busy hours
    "api-6b5a4c3d2-fghij": ("api", 0, 336, 0.40),
    "db-0": ("db", 0, 336, 0.20),
    "new-8a7b6c5d4-klmno": ("new", 286, 336, 0.10),
}
CONTAINERS = {"web": ("odoo", "proxy"), "api": ("odoo",), "db": ("postgres",), "new": ("odoo",)}


def samples() -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Per (pod, container): its hours' CPU use, CPU max and peak memory (seeded)."""
    rng = np.random.default_rng(14)
    out = {}
    for pod, (prefix, first, last, scale) in PODS.items():
        for name in CONTAINERS[prefix]:
            n = last - first
            factor = 0.2 if name == "proxy" else 1.0
            cpu = scale * factor * rng.lognormal(0.0, 0.3, n)
            memory = (0.9 if prefix == "db" else 0.3) * REQUESTS[(prefix, name)][1]
            peak = memory * rng.uniform(0.8, 1.2, n)
            out[(pod, name)] = {
                "hours": np.arange(first, last),
                "cpu": cpu,
                "cpu_max": cpu * rng.uniform(1.1, 1.8, n),
                "peak": peak,
            }
    return out


def usage_rows() -> list[dict[str, Any]]:
    rows = []
    for (pod, name), series in samples().items():
        prefix = PODS[pod][0]
        cpu_request, memory_request = REQUESTS[(prefix, name)]
        for k, h in enumerate(series["hours"]):
            rows.append(
                {
                    "hour": HOURS[int(h)],
                    "cluster": CLUSTER,
                    "node": "n1",
                    "namespace": "acme-prod",
                    "pod": pod,
                    "container": name,
                    "cpu_request_cores": cpu_request,
                    "cpu_limit_cores": None,
                    "cpu_usage_cores": float(series["cpu"][k]),
                    "cpu_usage_max_cores": float(series["cpu_max"][k]),
                    "memory_request_bytes": memory_request,
                    "memory_limit_bytes": memory_request,
                    "memory_usage_bytes": float(series["peak"][k]) * 0.9,
                    "memory_peak_bytes": float(series["peak"][k]),
                }
            )
    return rows


def load_platform(warehouse: Warehouse) -> None:
    schema = FACT_TABLES["usage_samples"].schema.to_pyarrow()
    rows = usage_rows()
    data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in rows[0]]))
    warehouse.ingest([Load("usage_samples", "test", f"{CLUSTER}-usage", START, END, data)])
    warehouse.ingest(
        inventory_loads(
            OBJECTS, source="test", cluster=CLUSTER, taken_at=END, labels=catalog().labels
        )
    )
