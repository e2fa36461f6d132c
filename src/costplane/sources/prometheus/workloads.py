"""Each pod's controlling workload, from kube-state-metrics' owner series.

A pod names its controller in `kube_pod_owner` (`owner_is_controller="true"`): a
StatefulSet, DaemonSet or Job directly, a Deployment through its ReplicaSet, a
CronJob through its Job. The second hop is `kube_replicaset_owner` or
`kube_job_owner`, the same walk kube-prometheus' recording rule
`namespace_workload_pod:kube_pod_owner:relabel` and KRR make. Only the series
index is read (`/api/v1/series`, 200 namespaces a request): owners do not change
during a pod's life, so no sample is needed.

- A ReplicaSet or Job without a controlling owner is the workload itself
  (`ReplicaSet`, `Job`); any other controller kind (a StatefulSet, a DaemonSet, an
  Argo Rollout's ReplicaSet's `Rollout`) is taken as it is.
- A pod with owner series but no controller among them (a bare pod: kube-state-metrics
  writes its owner labels empty, `<none>` before v2.8) is its own workload, kind `Pod`.
- A pod without any owner series (kube-state-metrics not scraped, or a selector that
  leaves it out) has no workload: the columns are null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from costplane.errors import ExecutionError
from costplane.sources.prometheus.client import PrometheusClient, QueryFailedError
from costplane.sources.prometheus.promql import Selector, matcher_in
from costplane.sources.prometheus.window import Window

NAMESPACES_PER_LISTING = 200
POD_OWNER = Selector("kube_pod_owner")
REPLICASET_OWNER = Selector("kube_replicaset_owner", ('owner_is_controller="true"',))
JOB_OWNER = Selector("kube_job_owner", ('owner_is_controller="true"',))
SUBOWNERS = {"ReplicaSet": "replicaset", "Job": "job_name"}
"""The kinds whose controller is found one hop further, and the label naming them there."""


@dataclass(frozen=True)
class Workload:
    """A pod's controlling workload: its kind (`Deployment`, `StatefulSet`, `DaemonSet`,
    `CronJob`, `Job`, `ReplicaSet`, `Pod`, ...) and name, in the pod's namespace."""

    kind: str
    name: str


PodKey = tuple[str, str]
"""(namespace, pod)."""


def pod_workloads(
    client: PrometheusClient, window: Window, namespaces: Sequence[str], extra: Sequence[str]
) -> dict[PodKey, Workload]:
    """The workload of every pod of `namespaces` with an owner series in the window."""
    out: dict[PodKey, Workload] = {}
    for first in range(0, len(namespaces), NAMESPACES_PER_LISTING):
        batch = matcher_in("namespace", list(namespaces[first : first + NAMESPACES_PER_LISTING]))
        selectors = [s.where(*extra, batch) for s in (POD_OWNER, REPLICASET_OWNER, JOB_OWNER)]
        try:
            found = client.series([str(s) for s in selectors], window.start_epoch, window.end_epoch)
        except QueryFailedError as error:
            raise ExecutionError(f"{client.what}: listing pod owners: {error}") from None
        out.update(resolve(found))
    return out


def resolve(series: Sequence[dict[str, str]]) -> dict[PodKey, Workload]:
    """Pods to workloads from the label sets of the three owner metrics (any order)."""
    controllers: dict[tuple[str, str, str], Workload] = {}
    """(namespace, subowner kind, subowner name) -> its controller."""
    pods: dict[PodKey, set[Workload]] = defaultdict(set)
    bare: set[PodKey] = set()
    for labels in series:
        metric = labels.get("__name__", "")
        namespace = labels.get("namespace", "")
        controls = labels.get("owner_is_controller") == "true"
        owner = Workload(labels.get("owner_kind", ""), labels.get("owner_name", ""))
        if metric == POD_OWNER.metric:
            key = (namespace, labels.get("pod", ""))
            if controls and owner.kind and owner.name:
                pods[key].add(owner)
            else:
                bare.add(key)
        elif controls and owner.kind and owner.name:
            kind = "ReplicaSet" if metric == REPLICASET_OWNER.metric else "Job"
            controllers[(namespace, kind, labels.get(SUBOWNERS[kind], ""))] = owner
    out: dict[PodKey, Workload] = {}
    for key, owners in pods.items():
        owner = min(owners, key=lambda w: (w.kind, w.name))  # one, unless the name was reused
        if owner.kind in SUBOWNERS:
            owner = controllers.get((key[0], owner.kind, owner.name), owner)
        out[key] = owner
    for key in bare - out.keys():
        out[key] = Workload("Pod", key[1])
    return out
