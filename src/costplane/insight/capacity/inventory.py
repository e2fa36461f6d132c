"""The nodes and pods as the inventory last saw them, per cluster.

Each cluster's latest snapshot of a kind is the state of that kind: a pod absent from it
is gone (a per-object "latest" would keep every pod that ever ran).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import ibis

from costplane.warehouse import Warehouse

Objects = list[tuple[str, dict[str, Any]]]


def latest_objects(warehouse: Warehouse, kinds: tuple[str, ...], end: dt.datetime) -> Objects:
    """(cluster, object) of each cluster's latest snapshot of `kinds` taken before `end`."""
    inventory = warehouse.table("inventory_snapshots")
    wanted = inventory.filter(inventory.kind.isin(kinds) & (inventory.taken_at < end))
    newest = wanted.taken_at.max().over(group_by=[wanted.cluster, wanted.kind])
    latest = wanted.mutate(newest=newest).filter(ibis._.taken_at == ibis._.newest)
    rows = latest.select("cluster", "kind", "namespace", "name", "object").to_pyarrow()
    found = sorted(
        zip(
            rows["cluster"].to_pylist(),
            rows["kind"].to_pylist(),
            rows["namespace"].to_pylist(),
            rows["name"].to_pylist(),
            rows["object"].to_pylist(),
            strict=True,
        ),
        key=lambda r: (r[0], r[1], r[2] or "", r[3] or ""),
    )
    return [(cluster, json.loads(text)) for cluster, _, _, _, text in found]


NODE_POOL_LABEL_SUFFIXES = ("node-pool", "nodepool", "nodegroup", "agentpool")
"""Node labels naming the pool (EKS nodegroup, GKE nodepool, AKS agentpool, Karpenter...):
the same labels the allocation reads (docs/allocation.md), so a pool here is a pool there."""

INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")

UNPOOLED = "(no pool)"
"""The pool of nodes without a pool label: one per cluster, as the allocation has it."""


def node_pool(labels: Mapping[str, str]) -> str:
    for key, value in sorted(labels.items()):
        if key.rsplit("/", 1)[-1].endswith(NODE_POOL_LABEL_SUFFIXES):
            return value
    return UNPOOLED


def instance_type(labels: Mapping[str, str], cpu: object, memory: object) -> str:
    for key in INSTANCE_TYPE_LABELS:
        if labels.get(key):
            return labels[key]
    return f"{cpu} cores, {memory} memory"
