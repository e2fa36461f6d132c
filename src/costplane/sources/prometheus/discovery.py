"""What there is to read, found before any range query: the units the plan splits.

Namespaces and their container series come from the series index
(`/api/v1/series`, a few hundred namespaces a request): the series a namespace
has over the window bound what any query for it returns. Routers, Traefik
services, log namespaces and nodes give one series each per query
(`/api/v1/label/<name>/values`); a namespace's volume claims, one each (from the
series index of kubelet's volume statistics). Nothing here loads samples. Every failure
here is fatal: without the listing there is nothing to plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from costplane.errors import ExecutionError
from costplane.sources.prometheus.client import PrometheusClient, QueryFailedError
from costplane.sources.prometheus.plan import Unit
from costplane.sources.prometheus.promql import (
    CAPACITY,
    CPU,
    CPU_SECONDS,
    NAMESPACES,
    REQUESTS,
    ROUTER_REQUESTS,
    SERVICE_REQUESTS,
    VOLUME_LABELS,
    VOLUME_USED,
    WORKING_SET,
    Selector,
    matcher_in,
)
from costplane.sources.prometheus.window import Window

NAMESPACES_PER_LISTING = 200


@dataclass(frozen=True)
class Discovery:
    namespaces: list[str]
    """Every namespace the server knows in the window (routers are attributed to these)."""
    containers: list[Unit]
    """Per namespace with containers: the most series a container query returns."""
    traefik: Selector | None
    traefik_label: str
    traefik_units: list[Unit]
    logs: list[Unit]
    nodes: list[Unit]
    volumes: list[Unit]
    """Per namespace with volume statistics: its claims."""


def discover(
    client: PrometheusClient, window: Window, extra: Sequence[str], log_bytes: Selector
) -> Discovery:
    start, end = window.start_epoch, window.end_epoch

    def values(label: str, *selectors: Selector, what: str) -> list[str]:
        try:
            return sorted(client.label_values(label, [str(s) for s in selectors], start, end))
        except QueryFailedError as error:
            raise ExecutionError(f"{client.what}: listing {what}: {error}") from None

    namespaces = values(
        "namespace",
        WORKING_SET.where(*extra),
        REQUESTS.where(*extra),
        NAMESPACES.where(*extra),
        log_bytes.where(*extra),
        what="namespaces",
    )
    containers = _container_units(client, window, namespaces, extra)
    traefik, label = ROUTER_REQUESTS.where(*extra), "router"
    units = values("router", traefik, what="Traefik routers")
    if not units:
        traefik, label = SERVICE_REQUESTS.where(*extra), "service"
        units = values("service", traefik, what="Traefik services")
    logs = values("namespace", log_bytes.where(*extra), what=f"namespaces of {log_bytes.metric}")
    nodes = values("node", CAPACITY.where(*extra), what="nodes")
    volumes = _volume_units(client, window, extra)
    return Discovery(
        namespaces=namespaces,
        containers=containers,
        traefik=traefik if units else None,
        traefik_label=label,
        traefik_units=[Unit(u, 1) for u in units],
        logs=[Unit(n, 1) for n in logs],
        nodes=[Unit(n, 2) for n in nodes],
        volumes=volumes,
    )


def _volume_units(client: PrometheusClient, window: Window, extra: Sequence[str]) -> list[Unit]:
    """Per namespace, its distinct claims in kubelet's volume statistics (one series each
    once the kubelets reporting the same claim are folded together)."""
    try:
        found = client.series(
            [str(VOLUME_USED.where(*extra))], window.start_epoch, window.end_epoch
        )
    except QueryFailedError as error:
        raise ExecutionError(f"{client.what}: listing volume claims: {error}") from None
    claims: dict[str, set[str]] = defaultdict(set)
    for labels in found:
        namespace, claim = (labels.get(label, "") for label in VOLUME_LABELS)
        claims[namespace].add(claim)
    return [Unit(namespace, len(names)) for namespace, names in sorted(claims.items())]


def _container_units(
    client: PrometheusClient, window: Window, namespaces: list[str], extra: Sequence[str]
) -> list[Unit]:
    """Per namespace, the most output series of the container queries: the distinct (pod,
    container, node) of cAdvisor's or kube-state-metrics' series, whichever has more."""
    series: dict[tuple[str, str], set[tuple[str, ...]]] = defaultdict(set)
    for first in range(0, len(namespaces), NAMESPACES_PER_LISTING):
        batch = matcher_in("namespace", namespaces[first : first + NAMESPACES_PER_LISTING])
        selectors = [
            CPU_SECONDS.where(*extra, batch),
            WORKING_SET.where(*extra, batch),
            REQUESTS.where(*extra, CPU, batch),
        ]
        try:
            found = client.series([str(s) for s in selectors], window.start_epoch, window.end_epoch)
        except QueryFailedError as error:
            raise ExecutionError(f"{client.what}: listing container series: {error}") from None
        for labels in found:
            key = (labels.get("pod", ""), labels.get("container", ""), labels.get("node", ""))
            series[(labels.get("__name__", ""), labels.get("namespace", ""))].add(key)
    counts: dict[str, int] = {}
    for (_, namespace), keys in series.items():
        counts[namespace] = max(counts.get(namespace, 0), len(keys))
    return [Unit(namespace, count) for namespace, count in sorted(counts.items())]
