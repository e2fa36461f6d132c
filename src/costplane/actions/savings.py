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
from typing import Any

from costplane.actions.target import Target
from costplane.catalog import HOURS_PER_MONTH, PriceSheet
from costplane.money import cents
from costplane.quantity import GIB, parse_quantity


def pod_requests(pod_spec: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """(CPU cores, memory bytes) the pod's containers request; what cannot be read adds 0."""
    cores = memory = Decimal(0)
    containers = pod_spec.get("containers")
    for container in containers if isinstance(containers, list) else ():
        resources = container.get("resources") if isinstance(container, Mapping) else None
        requests = resources.get("requests") if isinstance(resources, Mapping) else None
        if not isinstance(requests, Mapping):
            continue
        cores += _quantity(requests.get("cpu"))
        memory += _quantity(requests.get("memory"))
    return cores, memory


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
    return _quantity(size) / GIB * prices.snapshot.canonical * HOURS_PER_MONTH


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


def _quantity(value: object) -> Decimal:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return Decimal(0)
    try:
        return parse_quantity(value)
    except ValueError:
        return Decimal(0)
