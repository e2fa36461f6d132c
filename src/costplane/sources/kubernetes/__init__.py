"""The Kubernetes collector: a cluster's objects into `inventory_snapshots`.

`costplane.kubernetes_kinds` is the table of what is read (and what deploy/kubernetes/base/rbac.yaml
grants); `live` reads a cluster with the official client, `files` reads manifests, `collect`
turns either into one warehouse load per cluster.
"""

from costplane.sources.kubernetes.collect import collect_live, collect_manifests
from costplane.sources.kubernetes.live import connect, context_cluster

__all__ = [
    "collect_live",
    "collect_manifests",
    "connect",
    "context_cluster",
]
