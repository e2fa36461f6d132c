"""Per cluster and node pool: the node type and count that hold every pod's requests with
headroom, and what that saves a month at the bill's node prices (docs/rightsizing.md,
"Idle node capacity").

1. Each pod goes to a pool: the one it runs in now if that pool's labels and taints admit
   it, else the first pool of its cluster (by name) whose labels match its nodeSelector and
   required node affinity and whose NoSchedule/NoExecute taints it tolerates; a pod no pool
   admits is reported, not packed.
2. A node of a type offers `allocatable x (1 - headroom)` minus the requests of the pool's
   per-node pods (DaemonSets, static pods) on its busiest node.
3. For every node type the pool runs (or, with `any_type`, every type its cluster runs),
   first-fit decreasing gives the node count; a pool
   holding pods keeps at least `min_nodes`, and, with `spread_zones`, a node in each
   availability zone its nodes span now (a pool spread for availability stays spread). The
   cheapest (count x the type's hourly price x
   730) wins; on a tie the pool's own type, then fewer nodes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from costplane.catalog import HOURS_PER_MONTH, Catalog
from costplane.errors import InputError
from costplane.insight.capacity.demand import (
    PodDemand,
    is_daemon,
    is_finished,
    pod_demand,
    pod_requests,
)
from costplane.insight.capacity.inventory import INSTANCE_TYPE_LABELS, latest_objects
from costplane.insight.capacity.packing import Capacity, Item, nodes_needed
from costplane.insight.capacity.pools import (
    NodePool,
    NodeType,
    billed_nodes,
    node_name,
    node_pools,
    node_types,
    pool_of_node,
    read_nodes,
)
from costplane.insight.capacity.usage import ran_pods
from costplane.warehouse import Warehouse

CENT = Decimal("0.01")
DEFAULT_HEADROOM = Decimal("0.20")


@dataclass(frozen=True)
class ClusterState:
    """What the packing starts from: pools, node types with prices, per-node overhead and
    the pods' demands (their current requests)."""

    pools: tuple[NodePool, ...]
    node_types: Mapping[str, tuple[NodeType, ...]]
    daemon_overhead: Mapping[tuple[str, str], tuple[Decimal, Decimal]]
    demands: tuple[PodDemand, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class PoolRecommendation:
    cluster: str
    pool: str
    node_type: str
    nodes_now: int
    nodes_recommended: int
    monthly_cost_now: Decimal
    monthly_cost_recommended: Decimal
    saving: Decimal
    node_type_now: str
    nodes_spare: Decimal
    """The saving in nodes of the pool's current price (exact prices, to 0.01): 1.00 when
    one node can go, 0.50 when a change of type saves half a node."""
    peak_pods: int
    """The most pods that ran in one hour; and (below) the most they requested in one hour."""
    peak_cpu_requested_cores: Decimal
    peak_memory_requested_bytes: Decimal
    priced_by: str


@dataclass(frozen=True)
class UnplacedPod:
    cluster: str
    namespace: str
    name: str
    reason: str


@dataclass(frozen=True)
class NodeRecommendations:
    currency: str
    clusters: tuple[PoolRecommendation, ...]
    start: dt.date
    end: dt.date
    headroom: Decimal
    unplaced: tuple[UnplacedPod, ...] = ()

    @property
    def saving(self) -> Decimal:
        return sum((p.saving for p in self.clusters if p.saving > 0), Decimal(0))


def read_cluster_state(
    warehouse: Warehouse, catalog: Catalog, window_days: int, end: dt.datetime | None = None
) -> ClusterState:
    """The pools, node types and pods as of `end` (default: the newest inventory
    snapshot), nodes priced by the bill over the `window_days` before it."""
    if end is None:
        end = newest_snapshot(warehouse)
    start = end - dt.timedelta(days=window_days)
    objects = latest_objects(warehouse, ("Node", "Pod"), end + dt.timedelta(microseconds=1))
    nodes = read_nodes(objects)
    ids = sorted({n.provider_id for n in nodes if n.provider_id})
    billed = billed_nodes(warehouse, ids, start, end)
    prices = catalog.price_sheet
    pools = node_pools(nodes, billed, prices)
    types = {c: tuple(t) for c, t in node_types(nodes, billed, prices).items()}
    where = pool_of_node(nodes)
    overhead: dict[tuple[str, str, str], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0)]
    )
    daemons: set[tuple[str, str, str]] = set()
    now: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cluster, pod in objects:
        if pod.get("kind") != "Pod" or is_finished(pod):
            continue
        metadata = pod.get("metadata") or {}
        key = (cluster, metadata.get("namespace") or "", metadata.get("name") or "")
        on = node_name(pod)
        pool = where.get((cluster, on)) if on else None
        if is_daemon(pod):
            daemons.add(key)
            if pool is not None and on is not None:
                cpu, memory = pod_requests(pod)
                per_node = overhead[cluster, pool, on]
                per_node[0] += cpu
                per_node[1] += memory
            continue
        now[key] = pod
    demands = []
    for ran in ran_pods(warehouse, start, end):
        key = (ran.cluster, ran.namespace, ran.pod)
        if key in daemons:
            continue
        seen = now.pop(key, None)
        pool = where.get((ran.cluster, ran.node))
        if seen is not None:
            demand = pod_demand(ran.cluster, seen, pool)
        else:  # gone by now: it ran in its pool, so that pool admits it
            demand = PodDemand(
                ran.cluster, ran.namespace, ran.pod, Decimal(0), Decimal(0), node_pool=pool
            )
            demand = dataclasses.replace(demand, pinned=pool is not None)
        demands.append(
            dataclasses.replace(
                demand,
                cpu_cores=max(ran.cpu_cores, demand.cpu_cores),
                memory_bytes=max(ran.memory_bytes, demand.memory_bytes),
                hours=ran.hours,
            )
        )
    for (cluster, _, _), pod in sorted(now.items()):  # pending, or not sampled: always
        on = node_name(pod)
        demands.append(pod_demand(cluster, pod, where.get((cluster, on)) if on else None))
    busiest: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for (cluster, pool, _), (cpu, memory) in overhead.items():
        known = busiest.get((cluster, pool), (Decimal(0), Decimal(0)))
        busiest[cluster, pool] = (max(known[0], cpu), max(known[1], memory))
    return ClusterState(tuple(pools), types, busiest, tuple(demands), start, end)


def newest_snapshot(warehouse: Warehouse) -> dt.datetime:
    inventory = warehouse.table("inventory_snapshots")
    newest = inventory.filter(inventory.kind == "Node").taken_at.max().to_pyarrow().as_py()
    if not isinstance(newest, dt.datetime):
        raise InputError(
            "the warehouse holds no Node in its inventory: ingest a fleet or run "
            "`costplane collect kubernetes` first"
        )
    return newest


def recommend_nodes(
    state: ClusterState,
    currency: str,
    *,
    headroom: Decimal = DEFAULT_HEADROOM,
    demands: Sequence[PodDemand] | None = None,
    min_nodes: int = 1,
    spread_zones: bool = True,
    any_type: bool = False,
) -> NodeRecommendations:
    """Every pool's recommendation; `demands` replaces the pods' current requests (e.g.
    with a rightsizing's recommended ones)."""
    if not Decimal(0) <= headroom < 1:
        raise InputError(f"headroom {headroom} must be at least 0 and below 1 (0.2 is 20 %)")
    placed, unplaced = place(state.pools, state.demands if demands is None else demands)
    plans = []
    for pool in state.pools:
        plans.append(
            plan_pool(
                pool,
                [
                    t
                    for t in state.node_types.get(pool.cluster, ())
                    if any_type or t.name in {n.node_type for n in pool.nodes}
                ],
                placed.get((pool.cluster, pool.pool), []),
                state.daemon_overhead.get((pool.cluster, pool.pool), (Decimal(0), Decimal(0))),
                headroom,
                max(min_nodes, pool.zones if spread_zones else 0),
            )
        )
    plans.sort(key=lambda p: (-p.saving, p.cluster, p.pool))
    return NodeRecommendations(
        currency=currency,
        clusters=tuple(plans),
        start=state.start.date(),
        end=state.end.date(),
        headroom=headroom,
        unplaced=tuple(unplaced),
    )


def place(
    pools: Sequence[NodePool], demands: Sequence[PodDemand]
) -> tuple[dict[tuple[str, str], list[PodDemand]], list[UnplacedPod]]:
    by_cluster: dict[str, list[NodePool]] = defaultdict(list)
    for pool in pools:
        by_cluster[pool.cluster].append(pool)
    placed: dict[tuple[str, str], list[PodDemand]] = defaultdict(list)
    unplaced: list[UnplacedPod] = []
    for demand in demands:
        candidates = sorted(by_cluster.get(demand.cluster, []), key=lambda p: p.pool)
        admitting = [
            p
            for p in candidates
            if (demand.pinned and p.pool == demand.node_pool) or _admits(p, demand)
        ]
        own = [p for p in admitting if p.pool == demand.node_pool]
        if not admitting:
            reason = (
                "its cluster has no node"
                if not candidates
                else "no pool's labels and taints admit it"
            )
            unplaced.append(UnplacedPod(demand.cluster, demand.namespace, demand.name, reason))
        else:
            chosen = (own or admitting)[0]
            placed[chosen.cluster, chosen.pool].append(demand)
    return placed, unplaced


def _admits(pool: NodePool, demand: PodDemand, labels: Mapping[str, str] | None = None) -> bool:
    if demand.pinned:
        return True
    return demand.fits_labels(pool.labels if labels is None else labels) and demand.tolerates(
        pool.taints
    )


def plan_pool(
    pool: NodePool,
    types: Sequence[NodeType],
    demands: Sequence[PodDemand],
    overhead: tuple[Decimal, Decimal],
    headroom: Decimal,
    min_nodes: int,
) -> PoolRecommendation:
    ordered = sorted(demands, key=lambda d: (d.namespace, d.name))
    items = [Item(f"{d.namespace}/{d.name}", d.cpu_cores, d.memory_bytes) for d in ordered]
    hours = hourly_sets(ordered)
    now_type = pool.node_type
    monthly_now = money(pool.hourly_cost * HOURS_PER_MONTH)
    best: tuple[tuple[Decimal, int, int, str], NodeType, int] | None = None
    for node_type in types:
        if not all(_admits(pool, d, _labels_as(pool, node_type)) for d in demands):
            continue  # a pod selects the instance type: this pool cannot change it
        usable = Capacity(
            node_type.allocatable_cpu * (1 - headroom) - overhead[0],
            node_type.allocatable_memory * (1 - headroom) - overhead[1],
        )
        if usable.cpu_cores <= 0 or usable.memory_bytes <= 0:
            continue
        count = peak_nodes(items, hours, usable)
        if count is None:
            continue
        if items:
            count = max(count, min_nodes)
        cost = money(count * node_type.hourly_price * HOURS_PER_MONTH)
        rank = (cost, 0 if node_type.name == now_type else 1, count, node_type.name)
        if best is None or rank < best[0]:
            best = (rank, node_type, count)
    pods, pods_cpu, pods_memory = 0, Decimal(0), Decimal(0)
    for members in hours:  # the busiest hour, by each measure
        pods = max(pods, len(members))
        pods_cpu = max(pods_cpu, sum((items[i].cpu_cores for i in members), Decimal(0)))
        pods_memory = max(pods_memory, sum((items[i].memory_bytes for i in members), Decimal(0)))
    if best is None:  # nothing holds its biggest pod: keep what runs
        chosen_name, count, monthly, priced_by = now_type, len(pool.nodes), monthly_now, "current"
        hourly_then = pool.hourly_cost
    else:
        _, chosen, count = best
        chosen_name, priced_by = chosen.name, chosen.priced_by
        hourly_then = count * chosen.hourly_price
        monthly = money(hourly_then * HOURS_PER_MONTH)
    per_node = pool.hourly_cost / len(pool.nodes) if pool.nodes else Decimal(0)
    spare = (pool.hourly_cost - hourly_then) / per_node if per_node else Decimal(0)
    return PoolRecommendation(
        cluster=pool.cluster,
        pool=pool.pool,
        node_type=chosen_name,
        nodes_now=len(pool.nodes),
        nodes_recommended=count,
        monthly_cost_now=monthly_now,
        monthly_cost_recommended=monthly,
        saving=monthly_now - monthly,
        node_type_now=now_type,
        nodes_spare=spare.quantize(CENT, rounding=ROUND_HALF_EVEN),
        peak_pods=pods,
        peak_cpu_requested_cores=pods_cpu,
        peak_memory_requested_bytes=pods_memory,
        priced_by=priced_by,
    )


def hourly_sets(demands: Sequence[PodDemand]) -> list[frozenset[int]]:
    """The distinct sets of pods (by index) that ran together in some hour; a pod with no
    hours is in every set."""
    always = frozenset(i for i, d in enumerate(demands) if not d.hours)
    by_hour: dict[int, set[int]] = defaultdict(set)
    for index, demand in enumerate(demands):
        for hour in demand.hours:
            by_hour[hour].add(index)
    sets = {always | frozenset(members) for members in by_hour.values()}
    return sorted(sets or {always}, key=lambda s: (len(s), sorted(s)))


def peak_nodes(
    items: Sequence[Item], hours: Sequence[frozenset[int]], node: Capacity
) -> int | None:
    """The most nodes any hour needs; None when a pod fits on no node of this shape."""
    if any(not node.holds(i.cpu_cores, i.memory_bytes) for i in items):
        return None
    peak = 0
    for members in hours:
        count = nodes_needed([items[i] for i in sorted(members)], node)
        peak = max(peak, count or 0)
    return peak


def _labels_as(pool: NodePool, node_type: NodeType) -> Mapping[str, str]:
    """The pool's labels as a node of `node_type` would carry them."""
    return {
        **pool.labels,
        **{key: node_type.name for key in INSTANCE_TYPE_LABELS if key in pool.labels},
    }


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
