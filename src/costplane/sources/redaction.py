"""What a Kubernetes object must not carry into the warehouse: literal secrets.

Costplane never reads Secrets, but workloads hold secrets too: a container's
`env[].value` is often a password or an access key written inline, and
`kubectl apply` keeps a whole copy of the object, env included, in the
`last-applied-configuration` annotation. Both are removed before an object is
stored; `valueFrom` references (to a Secret or ConfigMap) are kept: they name
where a secret lives, not what it is. No policy reads these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REDACTED = "***"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
POD_SPEC_PATHS = (
    ("spec",),  # Pod
    ("spec", "template", "spec"),  # Deployment, StatefulSet, DaemonSet, Job, ReplicaSet
    ("spec", "jobTemplate", "spec", "template", "spec"),  # CronJob
)


def redacted(obj: Mapping[str, Any]) -> dict[str, Any]:
    """`obj` with inline env values and the last-applied copy removed; `obj` is unchanged
    (only the parts on the way to what is removed are copied)."""
    result = dict(obj)
    metadata = result.get("metadata")
    if isinstance(metadata, Mapping):
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
            kept = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
            result["metadata"] = {**metadata, "annotations": kept}
    for path in POD_SPEC_PATHS:
        result = _with_pod_spec_redacted(result, path)
    return result


def _with_pod_spec_redacted(node: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    child = node.get(path[0])
    if not isinstance(child, Mapping):
        return node
    if len(path) == 1:
        return {**node, path[0]: _pod_spec(child)}
    return {**node, path[0]: _with_pod_spec_redacted(dict(child), path[1:])}


def _pod_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(spec)
    for key in CONTAINER_LISTS:
        containers = spec.get(key)
        if isinstance(containers, list):
            result[key] = [_container(c) if isinstance(c, Mapping) else c for c in containers]
    return result


def _container(container: Mapping[str, Any]) -> dict[str, Any]:
    env = container.get("env")
    if not isinstance(env, list):
        return dict(container)
    return {
        **container,
        "env": [
            {**item, "value": REDACTED} if isinstance(item, Mapping) and "value" in item else item
            for item in env
        ],
    }
