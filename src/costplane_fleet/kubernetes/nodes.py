"""The cluster-wide objects: nodes (fixed for the whole window) and storage classes."""

from __future__ import annotations

import datetime as dt

from costplane_fleet.clusters import Node
from costplane_fleet.kubernetes.objects import (
    NODE_POOL_LABEL,
    Obj,
    cpu_quantity,
    meta,
    octet,
    ts,
)
from costplane_fleet.kubernetes.volumes import CSI
from costplane_fleet.offering import REGION
from costplane_fleet.spec import FleetSpec

STORAGE_CLASSES = (
    ("nimbus-files", CSI["nimbus-files"], "Immediate"),
    ("nimbus-ssd", CSI["nimbus-ssd"], "WaitForFirstConsumer"),
    ("nimbus-ssd-premium", CSI["nimbus-ssd"], "WaitForFirstConsumer"),
)
"""name, CSI driver, volume binding mode"""


def storage_class(cluster: str, name: str, driver: str, binding: str, spec: FleetSpec) -> Obj:
    return {
        "allowVolumeExpansion": True,
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta(cluster, "StorageClass", name, spec.start_at - dt.timedelta(days=900)),
        "parameters": {"type": name.removeprefix("nimbus-")},
        "provisioner": driver,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": binding,
    }


def node(n: Node) -> Obj:
    tenant_pool = n.pool.startswith(("tenant-", "dedicated-"))
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        NODE_POOL_LABEL: n.pool,
        "node.kubernetes.io/instance-type": n.instance.name,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": n.zone,
    }
    spec: Obj = {
        "podCIDR": f"10.{100 + octet(n.name) % 100}.{octet(n.name, 'c')}.0/24",
        "providerID": n.provider_id,
    }
    if tenant_pool:
        spec["taints"] = [
            {"effect": "NoSchedule", "key": "costplane.io/dedicated", "value": n.pool}
        ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            n.cluster,
            "Node",
            n.name,
            n.created,
            labels=labels,
            annotations={
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        ),
        "spec": spec,
        "status": {
            "addresses": [
                {
                    "address": f"10.0.{octet(n.name, 'ip')}.{octet(n.name, 'ip2') % 250 + 2}",
                    "type": "InternalIP",
                },
                {"address": n.name, "type": "Hostname"},
            ],
            "allocatable": {
                "cpu": cpu_quantity(n.allocatable_cpu_m),
                "ephemeral-storage": "95551679124",
                "memory": f"{n.allocatable_memory // 1024}Ki",
                "pods": "110",
            },
            "capacity": {
                "cpu": str(n.instance.vcpu),
                "ephemeral-storage": "103668148Ki",
                "memory": f"{n.capacity_memory // 1024}Ki",
                "pods": "110",
            },
            "conditions": [
                {
                    "lastHeartbeatTime": ts(n.created),
                    "lastTransitionTime": ts(n.created),
                    "message": "kubelet is posting ready status",
                    "reason": "KubeletReady",
                    "status": "True",
                    "type": "Ready",
                }
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.27",
                "kernelVersion": "6.1.0-35-cloud-amd64",
                "kubeProxyVersion": "v1.31.6",
                "kubeletVersion": "v1.31.6",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
            },
        },
    }
