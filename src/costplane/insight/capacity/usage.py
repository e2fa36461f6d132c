"""The pods that ran in the window, hour by hour, with their requests, from `usage_samples`.

The inventory shows one instant: a development environment asleep at midnight has no pod
in it, yet its pool must hold its pods by day. The usage samples show every hour: which
pods ran, on which node, asking for what (the sum of their containers' requests).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
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
    found: dict[tuple[str, str, str], dict[str, object]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: r["hour"]):
        key = (row["cluster"], row["namespace"], row["pod"])
        entry = found[key]
        cpu = Decimal(repr(row["cpu"] or 0.0)).quantize(MICRO)
        memory = Decimal(int(row["memory"] or 0))
        entry["node"] = row["node"]
        entry["cpu"] = max(cpu, entry.get("cpu", Decimal(0)))  # type: ignore[type-var]
        entry["memory"] = max(memory, entry.get("memory", Decimal(0)))  # type: ignore[type-var]
        offset = int((row["hour"] - start).total_seconds() // 3600)
        entry.setdefault("hours", set()).add(offset)  # type: ignore[attr-defined]
    return [
        RanPod(
            cluster,
            namespace,
            pod,
            str(entry["node"]),
            entry["cpu"],  # type: ignore[arg-type]
            entry["memory"],  # type: ignore[arg-type]
            frozenset(entry["hours"]),  # type: ignore[arg-type]
        )
        for (cluster, namespace, pod), entry in sorted(found.items())
    ]
