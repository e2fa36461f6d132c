"""Facts that relate Kubernetes objects to each other: what else is in a namespace, who
mounts a volume, which autoscaler drives a workload, which middlewares an IngressRoute
uses. They are read from the same inventory the policies judge, so they work on a
directory of manifests (the pull-request check) as well as on the warehouse's snapshot.

Pod specs are read where each kind keeps them: `spec` (Pod), `spec.template.spec`
(Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), `spec.jobTemplate.spec.template.spec`
(CronJob).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import FactProvider
from costplane.governance.facts.window import namespace_of
from costplane.governance.inventory.resources import Inventory, ResourceRef
from costplane.quantity import parse_quantity

Document = Mapping[str, Any]
Place = tuple[str | None, str | None]
"""(cluster, namespace)."""

TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
FINISHED_PHASES = ("Succeeded", "Failed")


class InventoryFacts(FactProvider):
    """Relation facts over one inventory; each index is built once, on first use."""

    FACTS = (
        FactDefinition(
            "resource_quotas", FactType.NUMBER, "ResourceQuotas in the resource's namespace"
        ),
        FactDefinition("sleep_infos", FactType.NUMBER, "kube-green SleepInfos in the namespace"),
        FactDefinition(
            "limit_range_default_cpu",
            FactType.QUANTITY,
            "the CPU limit a LimitRange in the namespace gives containers that set none",
        ),
        FactDefinition(
            "limit_range_default_memory",
            FactType.BYTES,
            "the memory limit a LimitRange in the namespace gives containers that set none",
        ),
        FactDefinition(
            "running_workloads",
            FactType.NUMBER,
            "workloads running in the namespace: pods not finished, and Deployments, StatefulSets "
            "and DaemonSets with replicas",
        ),
        FactDefinition(
            "mounted_by",
            FactType.NUMBER,
            "pods and pod templates (Deployment, StatefulSet, DaemonSet, Job, CronJob) that mount "
            "the PersistentVolumeClaim, counting StatefulSets' volume claim templates",
        ),
        FactDefinition(
            "hpa_max_replicas",
            FactType.NUMBER,
            "maxReplicas of the HorizontalPodAutoscaler that scales the workload "
            "(none: not scaled)",
        ),
        FactDefinition(
            "hpa_max_cpu_cores",
            FactType.QUANTITY,
            "for a HorizontalPodAutoscaler: maxReplicas x the CPU its target's pods request",
        ),
        FactDefinition(
            "hpa_max_memory_bytes",
            FactType.BYTES,
            "for a HorizontalPodAutoscaler: maxReplicas x the memory its target's pods request",
        ),
        FactDefinition(
            "namespace_cpu_requests",
            FactType.QUANTITY,
            "CPU the namespace's Deployments and StatefulSets request: replicas x pod requests",
        ),
        FactDefinition(
            "namespace_memory_requests",
            FactType.BYTES,
            "memory the namespace's Deployments and StatefulSets request: replicas x pod requests",
        ),
        FactDefinition(
            "rate_limit_middlewares",
            FactType.NUMBER,
            "middlewares with a rateLimit that the IngressRoute's routes use (through chains too)",
        ),
    )

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._by_namespace: dict[str, dict[Place, list[Document]]] = {}

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        answer: Callable[[ResourceRef], object] = getattr(self, f"_{request.name}")
        return [answer(ref) for ref in subjects]

    # --- the facts ----------------------------------------------------------------------------

    def _resource_quotas(self, ref: ResourceRef) -> Decimal:
        return Decimal(len(self._in_namespace("ResourceQuota").get(_place(ref), [])))

    def _sleep_infos(self, ref: ResourceRef) -> Decimal:
        return Decimal(len(self._in_namespace("SleepInfo").get(_place(ref), [])))

    def _limit_range_default_cpu(self, ref: ResourceRef) -> Decimal | None:
        return self._limit_default(ref, "cpu")

    def _limit_range_default_memory(self, ref: ResourceRef) -> Decimal | None:
        return self._limit_default(ref, "memory")

    def _running_workloads(self, ref: ResourceRef) -> Decimal:
        place = _place(ref)
        pods = [
            p
            for p in self._in_namespace("Pod").get(place, [])
            if _get(p, "status", "phase") not in FINISHED_PHASES
        ]
        scaled = [
            d
            for kind in ("Deployment", "StatefulSet")
            for d in self._in_namespace(kind).get(place, [])
            if _replicas(d) > 0
        ]
        daemons = self._in_namespace("DaemonSet").get(place, [])
        return Decimal(len(pods) + len(scaled) + len(daemons))

    def _namespace_cpu_requests(self, ref: ResourceRef) -> Decimal:
        return self._namespace_requests(ref, "cpu")

    def _namespace_memory_requests(self, ref: ResourceRef) -> Decimal:
        return self._namespace_requests(ref, "memory")

    def _namespace_requests(self, ref: ResourceRef, resource: str) -> Decimal:
        total = Decimal(0)
        for kind in ("Deployment", "StatefulSet"):
            for workload in self._in_namespace(kind).get(_place(ref), []):
                per_pod = pod_requests(pod_spec(kind, workload), resource)
                total += (per_pod or Decimal(0)) * _replicas(workload)
        return total

    def _mounted_by(self, ref: ResourceRef) -> Decimal | None:
        if ref.kind != "PersistentVolumeClaim":
            return None
        claims, patterns = self._mounts
        place = _place(ref)
        count = claims.get((*place, ref.name), 0)
        count += sum(1 for pattern in patterns.get(place, []) if pattern.fullmatch(ref.name))
        return Decimal(count)

    def _hpa_max_replicas(self, ref: ResourceRef) -> Decimal | None:
        return self._autoscaled.get((ref.cluster, ref.namespace, ref.kind, ref.name))

    def _hpa_max_cpu_cores(self, ref: ResourceRef) -> Decimal | None:
        return self._hpa_at_max(ref, "cpu")

    def _hpa_max_memory_bytes(self, ref: ResourceRef) -> Decimal | None:
        return self._hpa_at_max(ref, "memory")

    def _rate_limit_middlewares(self, ref: ResourceRef) -> Decimal | None:
        route = self._routes.get(ref.key)
        if route is None:
            return None
        known = self._middlewares
        used: set[tuple[Place, str]] = set()
        for entry in _each(_get(route, "spec", "routes")):
            for middleware in _each(_get(entry, "middlewares")):
                used |= _resolved(middleware, ref, known)
        return Decimal(sum(1 for key in used if _get(known[key], "spec", "rateLimit") is not None))

    # --- indexes ------------------------------------------------------------------------------

    def _in_namespace(self, kind: str) -> dict[Place, list[Document]]:
        """Objects of `kind` by (cluster, namespace), indexed on first use."""
        found = self._by_namespace.get(kind)
        if found is None:
            found = defaultdict(list)
            for ref, document in self._objects(kind):
                found[(ref.cluster, ref.namespace)].append(document)
            self._by_namespace[kind] = found
        return found

    def _objects(self, kind: str) -> Iterator[tuple[ResourceRef, Document]]:
        batch = self.inventory.batch(kind)
        if batch is None:
            return
        for row, document in enumerate(batch.documents):
            yield batch.ref(row), document

    @cached_property
    def _routes(self) -> dict[tuple[Any, ...], Document]:
        return {ref.key: document for ref, document in self._objects("IngressRoute")}

    @cached_property
    def _middlewares(self) -> dict[tuple[Place, Any], Document]:
        return {
            ((ref.cluster, ref.namespace), ref.name): document
            for ref, document in self._objects("Middleware")
        }

    @cached_property
    def _documents(self) -> dict[tuple[Any, ...], Document]:
        """Scalable objects (and autoscalers) by key, for autoscalers' targets."""
        kinds = ("HorizontalPodAutoscaler", *TEMPLATE_KINDS)
        return {ref.key: document for kind in kinds for ref, document in self._objects(kind)}

    def _limit_default(self, ref: ResourceRef, resource: str) -> Decimal | None:
        found = []
        for limit_range in self._in_namespace("LimitRange").get(_place(ref), []):
            for limit in _each(_get(limit_range, "spec", "limits")):
                if _get(limit, "type") == "Container":
                    amount = _quantity(_get(limit, "default", resource))
                    if amount is not None:
                        found.append(amount)
        return min(found) if found else None

    @cached_property
    def _mounts(self) -> tuple[dict[tuple[Any, ...], int], dict[Place, list[re.Pattern[str]]]]:
        claims: dict[tuple[Any, ...], int] = defaultdict(int)
        patterns: dict[Place, list[re.Pattern[str]]] = defaultdict(list)
        for kind in ("Pod", *TEMPLATE_KINDS):
            for ref, document in self._objects(kind):
                if kind == "Pod" and _get(document, "status", "phase") in FINISHED_PHASES:
                    continue
                for volume in _each(_get(pod_spec(kind, document), "volumes")):
                    claim = _get(volume, "persistentVolumeClaim", "claimName")
                    if isinstance(claim, str):
                        claims[(ref.cluster, ref.namespace, claim)] += 1
                if kind == "StatefulSet":
                    for template in _each(_get(document, "spec", "volumeClaimTemplates")):
                        name = _get(template, "metadata", "name")
                        if isinstance(name, str):
                            pattern = re.compile(rf"{re.escape(name)}-{re.escape(ref.name)}-\d+")
                            patterns[(ref.cluster, ref.namespace)].append(pattern)
        return claims, patterns

    @cached_property
    def _autoscaled(self) -> dict[tuple[Any, ...], Decimal]:
        targets: dict[tuple[Any, ...], Decimal] = {}
        for ref, hpa in self._objects("HorizontalPodAutoscaler"):
            kind, name = _target(hpa)
            most = _number(_get(hpa, "spec", "maxReplicas"))
            if kind is not None and name is not None and most is not None:
                targets[(ref.cluster, ref.namespace, kind, name)] = most
        return targets

    def _hpa_at_max(self, ref: ResourceRef, resource: str) -> Decimal | None:
        if ref.kind != "HorizontalPodAutoscaler":
            return None
        hpa = self._documents.get(ref.key)
        kind, name = _target(hpa)
        most = _number(_get(hpa, "spec", "maxReplicas"))
        if kind is None or name is None or most is None:
            return None
        workload = self._documents.get((ref.cluster, kind, ref.namespace, name))
        if workload is None:
            return None
        per_pod = pod_requests(pod_spec(kind, workload), resource)
        return most * per_pod if per_pod is not None else None


def _target(hpa: Any) -> tuple[str | None, str | None]:
    """The kind and name an autoscaler scales, where both are text."""
    kind = _get(hpa, "spec", "scaleTargetRef", "kind")
    name = _get(hpa, "spec", "scaleTargetRef", "name")
    return (kind if isinstance(kind, str) else None, name if isinstance(name, str) else None)


def pod_spec(kind: str, document: Document) -> Any:
    """Where a kind keeps the spec of the pods it runs."""
    if kind == "Pod":
        return _get(document, "spec")
    if kind == "CronJob":
        return _get(document, "spec", "jobTemplate", "spec", "template", "spec")
    return _get(document, "spec", "template", "spec")


def pod_requests(spec: Any, resource: str) -> Decimal | None:
    """What one pod requests of `resource` (its containers summed); None if any is unreadable."""
    total = Decimal(0)
    for container in _each(_get(spec, "containers")):
        amount = _get(container, "resources", "requests", resource)
        if amount is None:
            continue
        read = _quantity(amount)
        if read is None:
            return None
        total += read
    return total


def _resolved(
    middleware: Any, ref: ResourceRef, known: Mapping[tuple[Place, Any], Document]
) -> set[tuple[Place, str]]:
    """The middleware a route names, and those its chain names, as keys of `known`."""
    found: set[tuple[Place, str]] = set()
    pending = [(middleware, ref.namespace)]
    while pending:
        item, namespace = pending.pop()
        name = _get(item, "name")
        if not isinstance(name, str):
            continue
        name = name.split("@", 1)[0]
        own = _get(item, "namespace")
        key = ((ref.cluster, own if isinstance(own, str) else namespace), name)
        if key in found or key not in known:
            continue
        found.add(key)
        chain = _get(known[key], "spec", "chain", "middlewares")
        pending += [(link, key[0][1]) for link in _each(chain)]
    return found


def _place(ref: ResourceRef) -> Place:
    return (ref.cluster, namespace_of(ref))


def _replicas(document: Document) -> int:
    value = _get(document, "spec", "replicas")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _get(document: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(document, Mapping):
            return None
        document = document.get(key)
    return document


def _each(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _quantity(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        return parse_quantity(value if not isinstance(value, float) else repr(value))
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(value)
