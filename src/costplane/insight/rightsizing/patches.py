"""The change that applies a workload's recommendations: its pod template's containers with
new requests (and a memory limit equal to the memory request, no CPU limit: KRR's rule).

Returned as a JSON merge patch on the workload object; the actions stage writes it as a
Kustomize patch (a merge patch replaces lists whole, so the patch carries every
container of the template, each unchanged but for its resources).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from costplane.insight.rightsizing.recommend import ContainerRecommendation

TEMPLATE_PATHS: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def resources_patch(
    workload: Mapping[str, Any], recommended: Sequence[ContainerRecommendation]
) -> dict[str, Any] | None:
    """A merge patch setting the recommended resources; None when nothing changes."""
    path = TEMPLATE_PATHS.get(str(workload.get("kind")))
    pod_spec: Any = workload
    for key in path or ():
        pod_spec = pod_spec.get(key) if isinstance(pod_spec, Mapping) else None
    containers = pod_spec.get("containers") if isinstance(pod_spec, Mapping) else None
    if path is None or not isinstance(containers, list):
        return None
    by_name = {r.container: r for r in recommended}
    changed = False
    patched = []
    for container in containers:
        new = copy.deepcopy(container)
        found = by_name.get(str(new.get("name"))) if isinstance(new, dict) else None
        if found is not None:
            changed |= _resize(new, found)
        patched.append(new)
    if not changed:
        return None
    patch: dict[str, Any] = {"containers": patched}
    for key in reversed(path):
        patch = {key: patch}
    return patch


def _resize(container: dict[str, Any], found: ContainerRecommendation) -> bool:
    resources = container.setdefault("resources", {})
    before = copy.deepcopy(resources)
    requests = resources.setdefault("requests", {})
    limits = resources.setdefault("limits", {})
    if found.cpu_recommended is not None:
        requests["cpu"] = found.cpu_recommended
        limits.pop("cpu", None)
    if found.memory_recommended is not None:
        requests["memory"] = found.memory_recommended
        limits["memory"] = found.memory_recommended
    if not limits:
        resources.pop("limits")
    return bool(resources != before)
