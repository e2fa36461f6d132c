"""`cluster-idle-capacity`'s answers: the node pools the fleet sized with a node more than
their pods' requests need (docs/rightsizing.md, "Idle node capacity").

The fleet sizes a pool with a drawn target utilisation (72-86 %) and places replicas
worst-fit, so some pools end with a node more than first-fit decreasing at 20 % headroom
needs. They are not planted on purpose; this finds them from the fleet's own nodes and
usage rows, written apart from the product's code: per pool, each hour's pods (by their
summed container requests) packed largest dominant share first onto nodes of the pool's
type offering 80 % of allocatable, the most any hour needs, at least a node per zone the
pool spans; a pool with a node or more to spare is a finding worth its nodes' price.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from costplane_fleet.clusters import Node
from costplane_fleet.offering import CURRENCY

KIND = "cluster-idle-capacity"
USABLE = 0.8
HOURS_PER_MONTH = Decimal(730)


def _ffd(pods: list[tuple[str, float, float]], cpu: float, memory: float) -> int:
    order = sorted(pods, key=lambda p: (-max(p[1] / cpu, p[2] / memory), p[0]))
    free: list[list[float]] = []
    for _, c, m in order:
        for room in free:
            if c <= room[0] + 1e-9 and m <= room[1] + 1e-6:
                room[0] -= c
                room[1] -= m
                break
        else:
            free.append([cpu - c, memory - m])
    return len(free)


def idle_pool_records(nodes: list[Node], usage: pa.Table) -> list[dict[str, Any]]:
    pool_of = {(n.cluster, n.name): (n.cluster, n.pool) for n in nodes}
    members: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in nodes:
        members[node.cluster, node.pool].append(node)
    columns = {
        name: usage[name].to_numpy(zero_copy_only=False)
        for name in ("cluster", "node", "namespace", "pod", "hour")
    }
    cpu = usage["cpu_request_cores"].to_numpy(zero_copy_only=False)
    memory = usage["memory_request_bytes"].to_numpy(zero_copy_only=False).astype(np.float64)
    per_hour: dict[tuple[str, str, str, Any], list[float]] = defaultdict(lambda: [0.0, 0.0])
    where: dict[tuple[str, str, str], tuple[Any, tuple[str, str]]] = {}
    for i in range(len(cpu)):
        key = (columns["cluster"][i], columns["namespace"][i], columns["pod"][i])
        hour = columns["hour"][i]
        cell = per_hour[(*key, hour)]
        cell[0] += float(cpu[i])
        cell[1] += float(memory[i])
        home = pool_of.get((columns["cluster"][i], columns["node"][i]))
        if home is not None and (key not in where or hour >= where[key][0]):
            where[key] = (hour, home)
    peak: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    hours: dict[tuple[str, str, str], set[Any]] = defaultdict(set)
    for (cluster, namespace, pod, hour), (c, m) in per_hour.items():
        key = (cluster, namespace, pod)
        peak[key] = [max(peak[key][0], round(c, 6)), max(peak[key][1], m)]
        hours[key].add(hour)
    by_hour: dict[tuple[str, str], dict[Any, list[tuple[str, float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, (_, home) in where.items():
        for hour in hours[key]:
            by_hour[home][hour].append((f"{key[1]}/{key[2]}", peak[key][0], peak[key][1]))
    records = []
    for (cluster, pool), pool_nodes in sorted(members.items()):
        it = pool_nodes[0].instance
        cap_cpu = min(n.allocatable_cpu_m for n in pool_nodes) / 1000 * USABLE
        cap_memory = min(n.allocatable_memory for n in pool_nodes) * USABLE
        sets = {frozenset(p) for p in by_hour[cluster, pool].values()}
        need = max((_ffd(sorted(s), cap_cpu, cap_memory) for s in sets), default=0)
        if sets:
            need = max(need, len({n.zone for n in pool_nodes}), 1)
        spare = len(pool_nodes) - need
        if spare < 1:
            continue
        monthly = it.hourly * HOURS_PER_MONTH
        now = (monthly * len(pool_nodes)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        then = (monthly * need).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        records.append(
            {
                "currency": CURRENCY,
                "detail": {
                    "cluster": cluster,
                    "pool": pool,
                    "node_type": it.name,
                    "nodes_now": len(pool_nodes),
                    "nodes_recommended": need,
                },
                "environment": None,
                "kind": KIND,
                "monthly_waste": f"{now - then:.2f}",
                "resource": {"kind": "node-pool", "name": f"{cluster}/{pool}", "namespace": None},
                "tenant": None,
            }
        )
    return records
