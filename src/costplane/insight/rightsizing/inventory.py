"""What the inventory tells rightsizing: which workloads exist (to tie pods to them), the
tenant of each namespace, the HPAs (which workloads they scale, at what target) and the
Odoo web containers' worker options.

Read from `inventory_snapshots`, each cluster's newest snapshot, in one query; only the
objects of HPAs leave the database and are parsed (names, namespaces and tenants are
columns). The Deployments' command lines are read from the snapshot's columns
(`deployments`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from costplane.insight.rightsizing.deployments import (
    DEPLOYMENT,
    deployment_containers,
    newest_of,
)
from costplane.insight.rightsizing.odoo import OdooWeb, odoo_web
from costplane.insight.rightsizing.owners import POD_NAMES, WorkloadKey
from costplane.warehouse import Warehouse

HPA = "HorizontalPodAutoscaler"


@dataclass(frozen=True)
class Workloads:
    """The inventory's workloads, namespaces' tenants and HPA targets."""

    known: frozenset[WorkloadKey] | None
    """None without an inventory (pods are then tied to workloads by name alone)."""
    tenants: Mapping[tuple[str, str], str | None] = field(default_factory=dict)
    """(cluster, namespace) -> tenant."""
    hpa: Mapping[WorkloadKey, int | None] = field(default_factory=dict)
    """Scaled workload -> its HPA's target average CPU utilisation (percent), or None."""
    odoo: OdooWeb = field(default_factory=dict)
    """Odoo web containers' worker options (`odoo.odoo_web`)."""
    cron: frozenset[tuple[str, str]] = frozenset()
    """(cluster, namespace)s whose crons run in a container of their own."""


def inventory_workloads(warehouse: Warehouse, at: dt.datetime | None = None) -> Workloads:
    """The newest snapshot of each cluster taken at or before `at` (naive UTC)."""
    snapshots = warehouse.table("inventory_snapshots")
    if at is not None:
        snapshots = snapshots.filter(snapshots.taken_at <= at)
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    wanted = newest_of(snapshots, newest, [*POD_NAMES, "Namespace"])
    rows = _tuples(wanted.select("cluster", "kind", "namespace", "name", "tenant").to_pyarrow())
    # The HPAs' objects on their own: selected beside the other rows (a CASE on the
    # kind), every workload's object would be read too.
    autoscalers = newest_of(snapshots, newest, [HPA]).select("cluster", "namespace", "object")
    scalers = _tuples(autoscalers.to_pyarrow())
    if not rows and not scalers:
        return Workloads(None)
    known: set[WorkloadKey] = set()
    tenants: dict[tuple[str, str], str | None] = {}
    deployments: dict[str, int] = {}
    for cluster, kind, namespace, name, tenant in rows:
        cluster, namespace = cluster or "", namespace or ""
        if kind == "Namespace":
            tenants[(cluster, name)] = tenant
        else:
            known.add((cluster, namespace, kind, name))
            if kind == DEPLOYMENT:
                deployments[cluster] = deployments.get(cluster, 0) + 1
    hpa: dict[WorkloadKey, int | None] = {}
    for cluster, namespace, text in scalers:
        scaled = _scaled(text)
        if scaled is not None:
            target_kind, target_name, target = scaled
            hpa[(cluster or "", namespace or "", target_kind, target_name)] = target
    web, cron = odoo_web(deployment_containers(warehouse, snapshots, newest, deployments))
    return Workloads(frozenset(known), tenants, hpa, web, frozenset(cron))


def _tuples(table: pa.Table) -> list[tuple[Any, ...]]:
    """The table's rows as tuples (a column at a time: much faster than `to_pylist`)."""
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def _scaled(text: str | None) -> tuple[str, str, int | None] | None:
    """An HPA's target (kind, name) and its CPU utilisation target, if it has one."""
    try:
        obj: Any = json.loads(text or "")
        spec = obj["spec"]
        ref = spec["scaleTargetRef"]
        kind, name = str(ref["kind"]), str(ref["name"])
    except (ValueError, KeyError, TypeError):
        return None
    target = None
    if isinstance(spec.get("targetCPUUtilizationPercentage"), int):  # autoscaling/v1
        target = spec["targetCPUUtilizationPercentage"]
    for metric in spec.get("metrics") or []:
        resource = metric.get("resource") if isinstance(metric, dict) else None
        if isinstance(resource, dict) and resource.get("name") == "cpu":
            utilisation = (resource.get("target") or {}).get("averageUtilization")
            if isinstance(utilisation, int) and utilisation > 0:
                target = utilisation
    return kind, name, target


def workload_objects(
    warehouse: Warehouse, keys: set[WorkloadKey], at: dt.datetime | None = None
) -> dict[WorkloadKey, dict[str, Any]]:
    """The newest snapshot's objects of these workloads (for patches against them)."""
    if not keys:
        return {}
    snapshots = warehouse.table("inventory_snapshots")
    if at is not None:
        snapshots = snapshots.filter(snapshots.taken_at <= at)
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    names = sorted({key[3] for key in keys})
    named = snapshots.filter(snapshots.name.isin(names))
    wanted = newest_of(named, newest, list(POD_NAMES))
    rows = wanted.select("cluster", "kind", "namespace", "name", "object").to_pyarrow()
    found: dict[WorkloadKey, dict[str, Any]] = {}
    for row in rows.to_pylist():
        key = (row["cluster"] or "", row["namespace"] or "", row["kind"], row["name"])
        if key in keys:
            try:
                found[key] = json.loads(row["object"])
            except ValueError:
                continue
    return found
