"""The Kubernetes kinds Costplane reads: one table for the collector, its RBAC, and the
actions that change those objects (which kinds are cluster-scoped, their API versions and
resources).

Each kind names its API group, version and resource (plural), and how the
official client lists it across all namespaces: a typed method for the
built-in kinds, the custom-objects API for kinds served from CRDs (which a
cluster may not have). `deploy/kubernetes/base/rbac.yaml` grants get, list and watch on
exactly these resources; a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

VERBS = ("get", "list", "watch")
"""All the collector needs: it never writes."""


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str  # "" for the core group
    version: str
    plural: str
    namespaced: bool
    client_api: str | None = None  # e.g. "CoreV1Api"; None: a custom resource
    list_method: str | None = None  # e.g. "list_pod_for_all_namespaces"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """`pods`, `deployments.apps`, `ingressroutes.traefik.io`: as kubectl and errors say."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def custom(self) -> bool:
        return self.client_api is None

    def keeps(self, obj: Mapping[str, Any]) -> bool:
        """Services are kept only when they are load balancers (the ones that cost money)."""
        if self.kind != "Service":
            return True
        spec = obj.get("spec")
        return isinstance(spec, dict) and spec.get("type") == "LoadBalancer"


def _builtin(kind: str, api_version: str, plural: str, api: str, method: str) -> Kind:
    group, _, version = api_version.rpartition("/")
    namespaced = method.endswith("_for_all_namespaces")
    return Kind(kind, group, version, plural, namespaced, api, method)


def _custom(kind: str, api_version: str, plural: str, *, namespaced: bool = True) -> Kind:
    group, _, version = api_version.rpartition("/")
    return Kind(kind, group, version, plural, namespaced)


KINDS: tuple[Kind, ...] = (
    # Namespaces first: their labels tie everything inside them to a tenant.
    _builtin("Namespace", "v1", "namespaces", "CoreV1Api", "list_namespace"),
    _builtin("Node", "v1", "nodes", "CoreV1Api", "list_node"),
    _builtin("Pod", "v1", "pods", "CoreV1Api", "list_pod_for_all_namespaces"),
    _builtin(
        "PersistentVolumeClaim",
        "v1",
        "persistentvolumeclaims",
        "CoreV1Api",
        "list_persistent_volume_claim_for_all_namespaces",
    ),
    _builtin("PersistentVolume", "v1", "persistentvolumes", "CoreV1Api", "list_persistent_volume"),
    _builtin(
        "ResourceQuota",
        "v1",
        "resourcequotas",
        "CoreV1Api",
        "list_resource_quota_for_all_namespaces",
    ),
    _builtin("LimitRange", "v1", "limitranges", "CoreV1Api", "list_limit_range_for_all_namespaces"),
    _builtin("Service", "v1", "services", "CoreV1Api", "list_service_for_all_namespaces"),
    _builtin(
        "Deployment", "apps/v1", "deployments", "AppsV1Api", "list_deployment_for_all_namespaces"
    ),
    _builtin(
        "StatefulSet",
        "apps/v1",
        "statefulsets",
        "AppsV1Api",
        "list_stateful_set_for_all_namespaces",
    ),
    _builtin(
        "DaemonSet", "apps/v1", "daemonsets", "AppsV1Api", "list_daemon_set_for_all_namespaces"
    ),
    _builtin("CronJob", "batch/v1", "cronjobs", "BatchV1Api", "list_cron_job_for_all_namespaces"),
    _builtin("Job", "batch/v1", "jobs", "BatchV1Api", "list_job_for_all_namespaces"),
    _builtin(
        "HorizontalPodAutoscaler",
        "autoscaling/v2",
        "horizontalpodautoscalers",
        "AutoscalingV2Api",
        "list_horizontal_pod_autoscaler_for_all_namespaces",
    ),
    _builtin(
        "StorageClass", "storage.k8s.io/v1", "storageclasses", "StorageV1Api", "list_storage_class"
    ),
    _builtin(
        "Ingress",
        "networking.k8s.io/v1",
        "ingresses",
        "NetworkingV1Api",
        "list_ingress_for_all_namespaces",
    ),
    _custom("VolumeSnapshot", "snapshot.storage.k8s.io/v1", "volumesnapshots"),
    _custom("IngressRoute", "traefik.io/v1alpha1", "ingressroutes"),
    _custom("Middleware", "traefik.io/v1alpha1", "middlewares"),
    _custom("Backup", "velero.io/v1", "backups"),
    # Where Velero writes: gives a Backup its bucket and region (sources/backups/velero.py).
    _custom("BackupStorageLocation", "velero.io/v1", "backupstoragelocations"),
)

_BY_GROUP_KIND = {(k.group, k.kind): k for k in KINDS}


def kind_of(obj: Mapping[str, Any]) -> Kind | None:
    """The table's entry for an object (by API group and kind; any version), or None."""
    group, _, _version = str(obj.get("apiVersion") or "").rpartition("/")
    return _BY_GROUP_KIND.get((group, str(obj.get("kind") or "")))


def rbac_rules() -> list[dict[str, list[str]]]:
    """ClusterRole rules granting exactly `VERBS` on `KINDS`, one rule per API group."""
    groups: dict[str, list[str]] = {}
    for kind in KINDS:
        groups.setdefault(kind.group, []).append(kind.plural)
    return [
        {"apiGroups": [group], "resources": sorted(plurals), "verbs": list(VERBS)}
        for group, plurals in groups.items()
    ]
