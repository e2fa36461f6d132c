"""The pods that ran in the window, hour by hour, with their requests, from `usage_samples`.

The inventory shows one instant: a development environment asleep at midnight has no pod
in it, yet its pool must hold its pods by day. The usage samples show every hour: which
pods ran, on which node, asking for what (the sum of their containers' requests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from costplane.warehouse import Warehouse

MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class RanPod:
    cluster: str
    namespace: str
    pod: str
    node: str
    """The node it ran on last."""
    cpu_cores: Decimal
    """The most it requested in any hour (a micro-core grid: the samples are floats)."""
    memory_bytes: Decimal
    hours: frozenset[int]


def ran_pods(warehouse: Warehouse, start: dt.datetime, end: dt.datetime) -> list[RanPod]:
    usage = warehouse.table("usage_samples")
    inside = usage.filter((usage.hour >= start) & (usage.hour < end))
    per_hour = inside.group_by(["cluster", "namespace", "pod", "node", "hour"]).aggregate(
        cpu=inside.cpu_request_cores.sum(), memory=inside.memory_request_bytes.sum()
    )
    rows = per_hour.to_pyarrow().to_pylist()
    found: dict[tuple[str, str, str], _Seen] = {}
    for row in sorted(rows, key=lambda r: r["hour"]):
        key = (row["cluster"], row["namespace"], row["pod"])
        seen = found.setdefault(key, _Seen())
        seen.node = row["node"]
        seen.cpu = max(seen.cpu, Decimal(repr(row["cpu"] or 0.0)).quantize(MICRO))
        seen.memory = max(seen.memory, Decimal(int(row["memory"] or 0)))
        seen.hours.add(int((row["hour"] - start).total_seconds() // 3600))
    return [
        RanPod(cluster, namespace, pod, seen.node, seen.cpu, seen.memory, frozenset(seen.hours))
        for (cluster, namespace, pod), seen in sorted(found.items())
    ]


@dataclass
class _Seen:
    node: str = ""
    cpu: Decimal = Decimal(0)
    memory: Decimal = Decimal(0)
    hours: set[int] = field(default_factory=set)
