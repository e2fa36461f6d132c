"""What a change saves a month at the price sheet's prices, for targets no finding priced.

A finding carries its own money (what governance found wasted), and a plan shows it.
Objects taken from `--namespace`, or from a namespace finding spread over its
workloads, carry none: for those the plan states what the change stops paying for at
the catalog's list prices. A workload put to sleep frees its pods' requests (replicas
x each container's CPU and memory requests), a deleted snapshot its size. What cannot
be priced (a CronJob that runs when it runs, a size a manifest does not state) stays 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from costplane.actions.target import Target
from costplane.catalog import HOURS_PER_MONTH, PriceSheet
from costplane.money import cents
from costplane.quantity import GIB, pod_requests, quantity_or_zero


def workload_reservation(target: Target, prices: PriceSheet) -> Decimal | None:
    """A Deployment's or StatefulSet's requests a month: replicas x pod requests x prices."""
    spec = target.spec
    replicas = spec.get("replicas", 1)
    template = spec.get("template")
    pod = template.get("spec") if isinstance(template, Mapping) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool) or not isinstance(pod, Mapping):
        return None
    cores, memory = pod_requests(pod)
    hourly = cores * prices.cpu.canonical + memory / GIB * prices.memory.canonical
    return replicas * hourly * HOURS_PER_MONTH


def snapshot_storage(target: Target, prices: PriceSheet) -> Decimal | None:
    """A VolumeSnapshot's size a month at the snapshot price (the size is in its status)."""
    status = target.object.get("status")
    size = status.get("restoreSize") if isinstance(status, Mapping) else None
    if size is None:
        return None
    return quantity_or_zero(size) / GIB * prices.snapshot.canonical * HOURS_PER_MONTH


def priced(
    targets: Sequence[Target],
    saving: Iterable[Decimal | None],
    currency: str,
) -> list[Target]:
    """The targets with no money of their own given what their change saves, to the cent."""
    out = []
    for target, amount in zip(targets, saving, strict=True):
        if target.priced or amount is None:
            out.append(target)
            continue
        out.append(
            dataclasses.replace(
                target, monthly_amount=cents(amount), currency=currency, priced=True
            )
        )
    return out
