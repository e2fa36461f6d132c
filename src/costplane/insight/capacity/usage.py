"""The pods that ran in the window, hour by hour, with their requests, from `usage_samples`.

The inventory shows one instant: a development environment asleep at midnight has no pod
in it, yet its pool must hold its pods by day. The usage samples show every hour: which
pods ran, on which node, asking for what (the sum of their containers' requests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

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
    table = per_hour.order_by("hour").to_pyarrow()
    micros = pc.cast(pc.subtract(table["hour"], pa.scalar(start, table["hour"].type)), pa.int64())
    table = table.append_column("offset", pc.divide(micros, 3_600_000_000))
    grouped = table.group_by(["cluster", "namespace", "pod"], use_threads=False).aggregate(
        [("node", "last"), ("cpu", "max"), ("memory", "max"), ("offset", "list")]
    )
    ran = [
        RanPod(
            cluster,
            namespace,
            pod,
            node,
            Decimal(repr(cpu or 0.0)).quantize(MICRO),
            Decimal(int(memory or 0)),
            frozenset(hours),
        )
        for cluster, namespace, pod, node, cpu, memory, hours in zip(
            *(
                grouped[name].to_pylist()
                for name in (
                    "cluster",
                    "namespace",
                    "pod",
                    "node_last",
                    "cpu_max",
                    "memory_max",
                    "offset_list",
                )
            ),
            strict=True,
        )
    ]
    return sorted(ran, key=lambda r: (r.cluster, r.namespace, r.pod))
