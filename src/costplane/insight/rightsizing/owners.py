"""Which workload a pod belongs to, from its name, as Kubernetes names pods.

`usage_samples` rows carry the pod's name only. A controller names its pods
`<deployment>-<pod-template-hash>-<id>`, `<statefulset>-<ordinal>`,
`<daemonset>-<id>` and `<cronjob>-<scheduled-minute>-<id>`, so a name gives the
candidate owners; the inventory (the workloads that exist) picks among them. Without
an inventory the most specific pattern wins (a CronJob's pod name also fits a
Deployment's), which is what `kubectl` users read off a pod name too.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Final

POD_NAMES: Final[dict[str, str]] = {
    "CronJob": r"^(.+)-[0-9]{6,}-[a-z0-9]{5}$",
    "Deployment": r"^(.+)-[a-z0-9]{1,10}-[a-z0-9]{5}$",
    "StatefulSet": r"^(.+)-[0-9]+$",
    "DaemonSet": r"^(.+)-[a-z0-9]{5}$",
}
"""How a pod's name gives its workload's, per workload kind, most specific first."""

_PATTERNS = {kind: re.compile(pattern) for kind, pattern in POD_NAMES.items()}

WorkloadKey = tuple[str, str, str, str]
"""(cluster, namespace, kind, workload)."""


def candidates(pod: str) -> list[tuple[str, str]]:
    """Every (kind, workload) the pod's name could belong to, most specific first."""
    found = []
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(pod)
        if match is not None and match.group(1):
            found.append((kind, match.group(1)))
    return found


def owner(
    cluster: str, namespace: str, pod: str, known: Container[WorkloadKey] | None
) -> tuple[str, str] | None:
    """The pod's (kind, workload): the first candidate the inventory has (`known`), or
    the most specific one when there is no inventory; None when nothing fits."""
    for kind, name in candidates(pod):
        if known is None or (cluster, namespace, kind, name) in known:
            return kind, name
    return None
