"""Node pools as the inventory shows them, and what each node costs by the bill.

A node's price is what the bill charged for its ResourceId (the Node's `spec.providerID`,
as the allocation matches it) over the window, per hour it was billed: cost / (last
charge end - first charge start). A node type's price is the same over every node of
that type in the cluster. A node the bill does not show is priced from the price sheet,
`cores x CPU price + GiB x memory price` per hour, as the allocation prices a cluster
without a bill.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.catalog import PriceSheet
from costplane.insight.capacity.demand import Taint
from costplane.insight.capacity.inventory import Objects, instance_type, node_pool
from costplane.quantity import GIB, cpu_cores, memory_bytes
from costplane.warehouse import Warehouse

BILL, PRICE_SHEET = "bill", "price-sheet"
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")


@dataclass(frozen=True)
class Node:
    cluster: str
    name: str
    pool: str
    node_type: str
    provider_id: str | None
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    allocatable_cpu: Decimal
    allocatable_memory: Decimal
    capacity_cpu: Decimal
    capacity_memory: Decimal
    zone: str | None = None


@dataclass(frozen=True)
class NodeType:
    """A node shape a pool may use, with its hourly price and where the price comes from."""

    name: str
    allocatable_cpu: Decimal
    allocatable_memory: Decimal
    hourly_price: Decimal
    priced_by: str


@dataclass(frozen=True)
class NodePool:
    """The nodes of one pool: the labels and taints they all carry, their cost now."""

    cluster: str
    pool: str
    nodes: tuple[Node, ...]
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    hourly_cost: Decimal

    @property
    def zones(self) -> int:
        """How many availability zones its nodes span (nodes without a zone label: none)."""
        return len({n.zone for n in self.nodes if n.zone})

    @property
    def node_type(self) -> str:
        """The pool's most common node type (the first by name among equals)."""
        counts = Counter(n.node_type for n in self.nodes)
        return min(counts, key=lambda t: (-counts[t], t))


def read_nodes(objects: Objects) -> list[Node]:
    nodes = []
    for cluster, obj in objects:
        if obj.get("kind") != "Node":
            continue
        metadata, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
        labels = metadata.get("labels") or {}
        capacity = status.get("capacity") or {}
        allocatable = status.get("allocatable") or capacity
        nodes.append(
            Node(
                cluster=cluster,
                name=metadata["name"],
                pool=node_pool(labels),
                node_type=instance_type(labels, capacity.get("cpu"), capacity.get("memory")),
                provider_id=spec.get("providerID"),
                labels=labels,
                taints=tuple(
                    Taint(t["key"], t.get("value"), t.get("effect", "NoSchedule"))
                    for t in spec.get("taints") or []
                ),
                allocatable_cpu=cpu_cores(allocatable.get("cpu", 0)),
                allocatable_memory=Decimal(memory_bytes(allocatable.get("memory", 0))),
                capacity_cpu=cpu_cores(capacity.get("cpu", 0)),
                capacity_memory=Decimal(memory_bytes(capacity.get("memory", 0))),
                zone=next((labels[k] for k in ZONE_LABELS if labels.get(k)), None),
            )
        )
    return nodes


@dataclass(frozen=True)
class Billed:
    cost: Decimal
    hours: Decimal


def billed_nodes(
    warehouse: Warehouse, provider_ids: Sequence[str], start: dt.datetime, end: dt.datetime
) -> dict[str, Billed]:
    """Per ResourceId: its billed cost in [start, end) and the hours its charges span."""
    if not provider_ids:
        return {}
    lines = warehouse.table("billing_lines")
    inside = lines.filter(
        lines.resource_id.isin(list(provider_ids))
        & (lines.charge_period_start >= start)
        & (lines.charge_period_start < end)
    )
    rows = (
        inside.group_by("resource_id")
        .aggregate(
            cost=inside.billed_cost.sum(),
            first=inside.charge_period_start.min(),
            last=inside.charge_period_end.max(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    billed = {}
    for row in rows:
        seconds = (min(row["last"], end) - row["first"]).total_seconds()
        if seconds > 0 and row["cost"] is not None:
            billed[row["resource_id"]] = Billed(Decimal(row["cost"]), Decimal(seconds) / 3600)
    return billed


def sheet_hourly(node: Node, prices: PriceSheet) -> Decimal:
    gib = node.capacity_memory / GIB
    return node.capacity_cpu * prices.cpu.canonical + gib * prices.memory.canonical


def node_hourly(node: Node, billed: Mapping[str, Billed], prices: PriceSheet) -> Decimal:
    found = billed.get(node.provider_id or "")
    return found.cost / found.hours if found else sheet_hourly(node, prices)


def node_pools(
    nodes: Sequence[Node], billed: Mapping[str, Billed], prices: PriceSheet
) -> list[NodePool]:
    grouped: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in nodes:
        grouped[node.cluster, node.pool].append(node)
    pools = []
    for (cluster, pool), members in sorted(grouped.items()):
        shared_labels = dict(members[0].labels)
        for node in members[1:]:
            shared_labels = {k: v for k, v in shared_labels.items() if node.labels.get(k) == v}
        taints = {t for node in members for t in node.taints}
        pools.append(
            NodePool(
                cluster=cluster,
                pool=pool,
                nodes=tuple(members),
                labels=shared_labels,
                taints=tuple(sorted(taints, key=lambda t: (t.key, t.value or "", t.effect))),
                hourly_cost=sum((node_hourly(n, billed, prices) for n in members), Decimal(0)),
            )
        )
    return pools


def node_types(
    nodes: Sequence[Node], billed: Mapping[str, Billed], prices: PriceSheet
) -> dict[str, list[NodeType]]:
    """Per cluster, each node type it runs: the least allocatable of its nodes (what a new
    node of the type surely offers) and its price (billed, over its billed nodes, else the
    price sheet's)."""
    by_type: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in nodes:
        by_type[node.cluster, node.node_type].append(node)
    types: dict[str, list[NodeType]] = defaultdict(list)
    for (cluster, name), members in sorted(by_type.items()):
        seen = [billed[n.provider_id] for n in members if n.provider_id and n.provider_id in billed]
        if seen:
            hourly = sum((b.cost for b in seen), Decimal(0)) / sum(
                (b.hours for b in seen), Decimal(0)
            )
            priced_by = BILL
        else:
            hourly, priced_by = min(sheet_hourly(n, prices) for n in members), PRICE_SHEET
        types[cluster].append(
            NodeType(
                name=name,
                allocatable_cpu=min(n.allocatable_cpu for n in members),
                allocatable_memory=min(n.allocatable_memory for n in members),
                hourly_price=hourly,
                priced_by=priced_by,
            )
        )
    return dict(types)


def pool_of_node(nodes: Sequence[Node]) -> dict[tuple[str, str], str]:
    return {(n.cluster, n.name): n.pool for n in nodes}


def node_name(pod: Mapping[str, Any]) -> str | None:
    return (pod.get("spec") or {}).get("nodeName")
