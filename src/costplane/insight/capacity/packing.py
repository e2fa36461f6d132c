"""How many nodes of one shape hold a set of pods: first-fit decreasing on the dominant
resource.

Bin packing is NP-hard; first-fit decreasing (FFD) is the heuristic schedulers and
cluster-sizing tools use because it is simple and provably close: for one resource it
never uses more than 11/9 of the optimum plus 6/9 of a bin (Dósa 2007). With two
resources (CPU and memory) the pods are sorted by their *dominant share*, the larger of
their CPU and memory fractions of one node (as in Dominant Resource Fairness, Ghodsi et
al. 2011), largest first; each goes to the first open node with room for both, or opens a
new one. Every amount is an exact Decimal, so the same input gives the same count on every
machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Capacity:
    """What one node offers the pods: CPU cores and memory bytes."""

    cpu_cores: Decimal
    memory_bytes: Decimal

    def holds(self, cpu: Decimal, memory: Decimal) -> bool:
        return cpu <= self.cpu_cores and memory <= self.memory_bytes


@dataclass(frozen=True)
class Item:
    """One pod's requests, named so ties sort the same way every time."""

    name: str
    cpu_cores: Decimal
    memory_bytes: Decimal


def dominant_share(item: Item, node: Capacity) -> Decimal:
    cpu = item.cpu_cores / node.cpu_cores if node.cpu_cores else Decimal(0)
    memory = item.memory_bytes / node.memory_bytes if node.memory_bytes else Decimal(0)
    return max(cpu, memory)


def first_fit_decreasing(items: Sequence[Item], node: Capacity) -> list[list[Item]]:
    """The items packed onto nodes of capacity `node`, a list per node, or ValueError
    naming an item that no empty node can hold."""
    for item in items:
        if not node.holds(item.cpu_cores, item.memory_bytes):
            raise ValueError(f"{item.name} does not fit on an empty node")
    ordered = sorted(items, key=lambda i: (-dominant_share(i, node), i.name))
    nodes: list[list[Item]] = []
    free: list[tuple[Decimal, Decimal]] = []
    for item in ordered:
        for index, (cpu, memory) in enumerate(free):
            if item.cpu_cores <= cpu and item.memory_bytes <= memory:
                nodes[index].append(item)
                free[index] = (cpu - item.cpu_cores, memory - item.memory_bytes)
                break
        else:
            nodes.append([item])
            free.append((node.cpu_cores - item.cpu_cores, node.memory_bytes - item.memory_bytes))
    return nodes


def nodes_needed(items: Sequence[Item], node: Capacity) -> int | None:
    """How many nodes FFD uses; None when some item fits on no node of this shape."""
    try:
        return len(first_fit_decreasing(items, node))
    except ValueError:
        return None
