"""Nodes and pod placement: node pools sized to their pods, leaving realistic headroom.

Each pool picks the cheapest instance type that holds its pods at a drawn
target utilisation (72-86 % of allocatable), then places pods the way the
default scheduler's least-allocated scoring does. The node set is fixed for
the whole window (no autoscaler is modelled), so the bill has every node every day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from costplane_fleet.offering import INSTANCE_TYPES, ZONES, InstanceType
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex, name_suffix, rng
from costplane_fleet.workloads import GI, Namespace, Workload

KI = 1024


@dataclass(frozen=True)
class Node:
    name: str
    cluster: str
    pool: str
    instance: InstanceType
    zone: str
    provider_id: str
    created: dt.datetime
    capacity_memory: int
    allocatable_cpu_m: int
    allocatable_memory: int

    @property
    def capacity_cpu_m(self) -> int:
        return self.instance.vcpu * 1000


@dataclass(frozen=True)
class PodSlot:
    """One replica of a workload, on one node, for the whole window."""

    workload: Workload
    replica: int
    node: Node
    template_hash: str

    @property
    def stable_name(self) -> str:
        """The pod's name when it is not recreated by a sleep schedule."""
        return pod_name(self, "stable")


def pod_name(slot: PodSlot, generation: object) -> str:
    w = slot.workload
    if w.kind == "StatefulSet":
        return f"{w.name}-{slot.replica}"
    suffix = name_suffix(5, slot.node.cluster, w.namespace, w.name, slot.replica, generation)
    return f"{w.name}-{slot.template_hash}-{suffix}"


def _reserved_cpu_m(vcpu: int) -> int:
    """GKE's kube-reserved CPU: 6 % of the first core, 1 % of the second, 0.5 % of the next two,
    0.25 % above four."""
    tiers = ((1, 60), (1, 10), (2, 5), (10_000, 2.5))
    left, total = vcpu, 0.0
    for cores, per_core in tiers:
        take = min(left, cores)
        total += take * per_core
        left -= take
    return int(total)


def _reserved_memory(capacity_gib: float) -> int:
    """GKE's kube-reserved memory tiers plus the 100Mi hard eviction threshold."""
    tiers = ((4, 0.25), (4, 0.20), (8, 0.10), (112, 0.06), (10_000, 0.02))
    left, total = capacity_gib, 0.0
    for gib, share in tiers:
        take = min(left, gib)
        total += take * share
        left -= take
    return int(total * GI) + 100 * 2**20


def _node(cluster: str, pool: str, it: InstanceType, index: int, spec: FleetSpec) -> Node:
    capacity = (int(it.memory_gib * GI * 0.985) // KI) * KI
    zone = ZONES[index % len(ZONES)]
    r = rng(spec.seed, "node", cluster, pool, index)
    return Node(
        name=f"{cluster}-{pool}-{name_suffix(5, cluster, pool, index)}",
        cluster=cluster,
        pool=pool,
        instance=it,
        zone=zone,
        provider_id=f"nimbus://{zone}/vm-{digest_hex('vm', cluster, pool, index, length=17)}",
        created=spec.start_at
        - dt.timedelta(days=int(r.integers(10, 200)), minutes=int(r.integers(0, 1440))),
        capacity_memory=capacity,
        allocatable_cpu_m=it.vcpu * 1000 - _reserved_cpu_m(it.vcpu),
        allocatable_memory=(capacity - _reserved_memory(it.memory_gib) * 1) // KI * KI,
    )


_CANDIDATES = {
    "system": ("m7n.2xlarge", "m7n.4xlarge"),
    "prod": ("m7n.2xlarge", "m7n.4xlarge"),
    "nonprod": ("m7n.2xlarge", "m7n.4xlarge"),
}
_SMALL = ("m7n.xlarge", "m7n.2xlarge", "r7n.xlarge", "r7n.2xlarge")


def _min_nodes(pool: str) -> int:
    return {"system": 3, "prod": 3, "nonprod": 1}.get(pool, 2)


def _size_pool(
    pool: str, cpu_m: int, mem: int, biggest: tuple[int, int], u: float
) -> tuple[InstanceType, int]:
    best: tuple[float, InstanceType, int] | None = None
    for name in _CANDIDATES.get(pool, _SMALL):
        it = INSTANCE_TYPES[name]
        probe = _node("x", "x", it, 0, FleetSpec(1, 1, 0, dt.date(2000, 1, 1)))
        if (
            biggest[0] > probe.allocatable_cpu_m * 0.9
            or biggest[1] > probe.allocatable_memory * 0.9
        ):
            continue
        n = max(
            _min_nodes(pool),
            math.ceil(cpu_m / (probe.allocatable_cpu_m * u)),
            math.ceil(mem / (probe.allocatable_memory * u)),
        )
        cost = float(it.hourly) * n
        if best is None or cost < best[0]:
            best = (cost, it, n)
    if best is None:
        raise ValueError(f"no instance type holds the biggest pod of pool {pool}")
    return best[1], best[2]


def place(namespaces: list[Namespace], spec: FleetSpec) -> tuple[list[Node], list[PodSlot]]:
    """Size every pool and put every replica on a node; deterministic for the seed."""
    pools: dict[tuple[str, str], list[tuple[Workload, int]]] = {}
    for ns in namespaces:
        for w in ns.workloads:
            for replica in range(w.replicas):
                pools.setdefault((ns.cluster, w.node_pool), []).append((w, replica))
    nodes: list[Node] = []
    slots: list[PodSlot] = []
    for (cluster, pool), members in sorted(pools.items()):

        def demand(m: tuple[Workload, int]) -> tuple[int, int]:
            c = m[0].containers
            return sum(x.cpu_request_m for x in c), sum(x.memory_request for x in c)

        members.sort(key=lambda m: (-demand(m)[0], -demand(m)[1], m[0].namespace, m[0].name, m[1]))
        cpu = sum(demand(m)[0] for m in members)
        mem = sum(demand(m)[1] for m in members)
        biggest = (max(demand(m)[0] for m in members), max(demand(m)[1] for m in members))
        u = float(rng(spec.seed, "pool", cluster, pool).uniform(0.72, 0.86))
        it, count = _size_pool(pool, cpu, mem, biggest, u)
        pool_nodes = [_node(cluster, pool, it, i, spec) for i in range(count)]
        free_cpu = np.array([n.allocatable_cpu_m for n in pool_nodes], dtype=np.float64)
        free_mem = np.array([n.allocatable_memory for n in pool_nodes], dtype=np.float64)
        alloc_cpu, alloc_mem = float(free_cpu[0]), float(free_mem[0])
        for w, replica in members:
            c, m = demand((w, replica))
            fits = (free_cpu >= c) & (free_mem >= m)
            if not fits.any():
                pool_nodes.append(_node(cluster, pool, it, len(pool_nodes), spec))
                free_cpu = np.append(free_cpu, alloc_cpu)
                free_mem = np.append(free_mem, alloc_mem)
                fits = np.append(fits, True)
            score = np.where(fits, np.minimum(free_cpu / alloc_cpu, free_mem / alloc_mem), -1.0)
            i = int(np.argmax(score))
            free_cpu[i] -= c
            free_mem[i] -= m
            slots.append(PodSlot(w, replica, pool_nodes[i], _template_hash(cluster, w)))
        nodes.extend(pool_nodes)
    order = {id(w): k for k, w in enumerate(w for ns in namespaces for w in ns.workloads)}
    # workloads are per namespace object, so identity is unique even for same-named namespaces
    slots.sort(key=lambda s: (order[id(s.workload)], s.replica))
    return nodes, slots


def _template_hash(cluster: str, w: Workload) -> str:
    return name_suffix(
        10,
        "template",
        cluster,
        w.namespace,
        w.name,
        *(c.image for c in w.containers),
        *(c.cpu_request_m for c in w.containers),
    )
