"""What each tenant environment used in a period, read from the warehouse facts.

- CPU and memory (`usage_samples`): per environment, the sum over its namespaces of
  each hour's requests and measured use, then the 95th percentile (linear, as SQL
  `percentile_cont`) over the hours the environment ran (hours with samples: an
  environment asleep is neither using nor requesting).
- database size (`database_stats`): the newest snapshot taken by the period's end,
  summed over the environment's databases.
- file store: the same snapshot's Odoo attachments kept outside the database
  (`size_bytes - db_bytes` of the `attachments` rows).
- object storage (`service_usage`, service `object-storage`): bytes stored under the
  environment's namespaces on the last day of the period that has a figure.
- log retention: the `costplane.io/log-retention-days` annotation of the environment's
  Namespace in the newest inventory snapshot (the log pipeline keeps logs that long;
  the `log-retention-exceeds-class` policy reads the same), and the log bytes
  ingested per day (service `logs`), averaged over the days with a figure.
- HA: each production Deployment and StatefulSet with its replicas (an HPA's
  `minReplicas` when one scales it) and its pod's requests, from the same snapshot.

A namespace belongs to the tenant environment the catalog lists it under.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from costplane.catalog import Catalog, Tenant
from costplane.quantity import parse_quantity
from costplane.warehouse import Warehouse, temporary_table

LOG_RETENTION_ANNOTATION = "costplane.io/log-retention-days"
WORKLOAD_KINDS = ("Deployment", "StatefulSet")
INVENTORY_KINDS = (*WORKLOAD_KINDS, "Namespace", "HorizontalPodAutoscaler")

Place = tuple[str, str]
"""(tenant, environment)."""


@dataclass(frozen=True)
class Workload:
    """A production workload: its replicas and what one of its pods requests."""

    kind: str
    name: str
    namespace: str
    replicas: int
    cpu_cores: Decimal
    memory_bytes: Decimal


@dataclass
class Observed:
    """What one tenant environment used; None where no fact says."""

    hours: int = 0
    cpu_requests: Decimal | None = None
    cpu_usage: Decimal | None = None
    memory_requests: Decimal | None = None
    memory_usage: Decimal | None = None
    database_bytes: Decimal | None = None
    file_store_bytes: Decimal | None = None
    object_storage_bytes: Decimal | None = None
    log_retention_days: Decimal | None = None
    log_bytes_per_day: Decimal | None = None
    workloads: list[Workload] = field(default_factory=list)


def observe(
    warehouse: Warehouse,
    catalog: Catalog,
    tenants: Iterable[Tenant],
    start: dt.datetime,
    end: dt.datetime,
) -> dict[Place, Observed]:
    """Per (tenant, environment) of `tenants`, what it used in [start, end)."""
    namespaces: dict[str, Place] = {}
    databases: dict[str, Place] = {}
    for tenant in tenants:
        for kind, environment in tenant.environments.items():
            place = (tenant.id, kind.value)
            namespaces.update(dict.fromkeys(environment.namespaces, place))
            databases.update(dict.fromkeys(environment.databases, place))
    found: dict[Place, Observed] = defaultdict(Observed)
    if not namespaces:
        return found
    placed = temporary_table(
        warehouse,
        "entitlement_namespaces",
        pa.table(
            {
                "namespace": list(namespaces),
                "tenant": [p[0] for p in namespaces.values()],
                "environment": [p[1] for p in namespaces.values()],
            }
        ),
    )
    _usage(warehouse, placed, start, end, found)
    _databases(warehouse, databases, end, found)
    _service_usage(warehouse, placed, start, end, found)
    _inventory(warehouse, placed, namespaces, end, found)
    return found


def _usage(
    warehouse: Warehouse,
    placed: ir.Table,
    start: dt.datetime,
    end: dt.datetime,
    found: dict[Place, Observed],
) -> None:
    samples = warehouse.table("usage_samples")
    samples = samples.filter(samples.hour >= start, samples.hour < end)
    joined = samples.join(placed, "namespace")
    hourly = joined.group_by(["tenant", "environment", "hour"]).aggregate(
        cpu_requests=joined.cpu_request_cores.sum(),
        cpu_usage=joined.cpu_usage_cores.sum(),
        memory_requests=joined.memory_request_bytes.cast("float64").sum(),
        memory_usage=joined.memory_usage_bytes.sum(),
    )
    measures = ("cpu_requests", "cpu_usage", "memory_requests", "memory_usage")
    p95 = hourly.group_by(["tenant", "environment"]).aggregate(
        hours=hourly.hour.count(),
        **{m: hourly[m].fill_null(0).quantile(0.95) for m in measures},
    )
    for row in p95.to_pyarrow().to_pylist():
        observed = found[(row["tenant"], row["environment"])]
        observed.hours = int(row["hours"])
        for measure in measures:
            setattr(observed, measure, _exact(row[measure]))


def _databases(
    warehouse: Warehouse,
    databases: Mapping[str, Place],
    end: dt.datetime,
    found: dict[Place, Observed],
) -> None:
    if not databases:
        return
    stats = warehouse.table("database_stats")
    # Names in a table, not a list: compiling `isin` over thousands of them took seconds.
    named = temporary_table(
        warehouse, "entitlement_databases", pa.table({"database": list(databases)})
    )
    stats = stats.filter(stats.taken_at < end, stats.database.isin(named.database))
    newest = stats.group_by(["server", "database"]).aggregate(newest=stats.taken_at.max())
    latest = stats.join(
        newest,
        [
            stats.server == newest.server,
            stats.database == newest.database,
            stats.taken_at == newest.newest,
        ],
    )
    kind = latest.relation_kind
    sizes = latest.group_by(latest.database).aggregate(
        database_bytes=latest.size_bytes.max(where=kind == "database"),
        file_store_bytes=(latest.size_bytes - latest.db_bytes.fill_null(0)).sum(
            where=kind == "attachments"
        ),
        attachments=kind.count(where=kind == "attachments"),
    )
    for row in sizes.to_pyarrow().to_pylist():
        observed = found[databases[row["database"]]]
        observed.database_bytes = _add(observed.database_bytes, row["database_bytes"])
        if row["attachments"]:
            observed.file_store_bytes = _add(observed.file_store_bytes, row["file_store_bytes"])


def _service_usage(
    warehouse: Warehouse,
    placed: ir.Table,
    start: dt.datetime,
    end: dt.datetime,
    found: dict[Place, Observed],
) -> None:
    usage = warehouse.table("service_usage")
    usage = usage.filter(
        usage.day >= start.date(),
        usage.day < end.date(),
        usage.service.isin(["object-storage", "logs"]),
    )
    joined = usage.join(placed, "namespace")
    daily = joined.group_by(["tenant", "environment", "service", "day"]).aggregate(
        quantity=joined.quantity.sum()
    )
    last = ibis.row_number().over(
        group_by=[daily.tenant, daily.environment, daily.service], order_by=ibis.desc(daily.day)
    )
    ranked = daily.mutate(rank=last)
    figures = ranked.group_by(["tenant", "environment", "service"]).aggregate(
        last=ranked.quantity.max(where=ranked["rank"] == 0),
        mean=ranked.quantity.mean(),
    )
    for row in figures.to_pyarrow().to_pylist():
        observed = found[(row["tenant"], row["environment"])]
        if row["service"] == "object-storage":
            observed.object_storage_bytes = _exact(row["last"])
        else:
            observed.log_bytes_per_day = _exact(row["mean"])


def _inventory(
    warehouse: Warehouse,
    placed: ir.Table,
    namespaces: Mapping[str, Place],
    end: dt.datetime,
    found: dict[Place, Observed],
) -> None:
    snapshots = warehouse.table("inventory_snapshots")
    taken = snapshots.filter(snapshots.taken_at < end)
    newest = taken.group_by("cluster").aggregate(newest=taken.taken_at.max())
    latest = taken.join(newest, [taken.cluster == newest.cluster, taken.taken_at == newest.newest])
    wanted = latest.filter(
        latest.kind.isin(list(INVENTORY_KINDS)),
        latest.namespace.isin(placed.namespace) | latest.name.isin(placed.namespace),
    ).select("kind", "namespace", "name", "object")
    objects = [
        {**row, "object": json.loads(row["object"])} for row in wanted.to_pyarrow().to_pylist()
    ]
    scaled: dict[tuple[str, str, str], int] = {}
    for row in objects:
        if row["kind"] == "HorizontalPodAutoscaler":
            spec = row["object"].get("spec", {})
            target = spec.get("scaleTargetRef", {})
            key = (row["namespace"], target.get("kind", ""), target.get("name", ""))
            scaled[key] = int(spec.get("minReplicas", 1))
    for row in objects:
        if row["kind"] == "Namespace" and row["name"] in namespaces:
            annotations = row["object"].get("metadata", {}).get("annotations") or {}
            days = str(annotations.get(LOG_RETENTION_ANNOTATION, "")).strip()
            if days.isascii() and days.isdigit():  # isdigit alone takes '²', no number
                observed = found[namespaces[row["name"]]]
                observed.log_retention_days = max(
                    observed.log_retention_days or Decimal(0), Decimal(days)
                )
        elif row["kind"] in WORKLOAD_KINDS and row["namespace"] in namespaces:
            found[namespaces[row["namespace"]]].workloads.append(_workload(row, scaled))


def _workload(row: dict[str, Any], scaled: Mapping[tuple[str, str, str], int]) -> Workload:
    spec = row["object"].get("spec", {})
    replicas = scaled.get(
        (row["namespace"], row["kind"], row["name"]), int(spec.get("replicas", 1))
    )
    containers = spec.get("template", {}).get("spec", {}).get("containers", [])
    cpu, memory = Decimal(0), Decimal(0)
    for container in containers:
        requests = (container.get("resources") or {}).get("requests") or {}
        cpu += parse_quantity(str(requests["cpu"])) if "cpu" in requests else Decimal(0)
        memory += parse_quantity(str(requests["memory"])) if "memory" in requests else Decimal(0)
    return Workload(row["kind"], row["name"], row["namespace"], replicas, cpu, memory)


def _exact(value: float | int | None) -> Decimal | None:
    """A measured figure as a Decimal (its shortest text: no binary tail)."""
    return None if value is None else Decimal(repr(float(value)))


def _add(total: Decimal | None, value: float | int | None) -> Decimal | None:
    if value is None:
        return total
    return (total or Decimal(0)) + Decimal(int(value))
