"""A small shared cluster as its API server holds it, for the live collector's tests.

Two tenants' namespaces (labelled as the catalog says), a shared ingress namespace,
nodes with their provider fields, Odoo Deployments and their Pods, storage, a
load balancer and a ClusterIP Service, Traefik routes, and a Velero backup with the
storage location it was written to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import LabelKeys
from tests.kubeapi import kube_api, write_kubeconfig  # noqa: F401

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CATALOG = EXAMPLES / "distribution-saas" / "costplane.yaml"
ODOO_TENANT = EXAMPLES / "manifests" / "odoo-tenant"
LABELS = LabelKeys()


def namespace(name: str, tenant: str | None, environment: str, service_class: str) -> Any:
    labels = {"kubernetes.io/metadata.name": name}
    if tenant:
        labels |= {
            LABELS.tenant: tenant,
            LABELS.environment: environment,
            LABELS.service_class: service_class,
        }
    else:
        labels[LABELS.shared] = "true"
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(name: str, zone: str, instance_type: str, pool: str) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "node.kubernetes.io/instance-type": instance_type,
                "topology.kubernetes.io/zone": zone,
                "karpenter.sh/nodepool": pool,
            },
        },
        "spec": {"providerID": f"aws:///{zone}/i-0{abs(hash(name)) % 10**16:016x}"},
        "status": {
            "capacity": {"cpu": "4", "memory": "16092448Ki", "pods": "58"},
            "allocatable": {"cpu": "3920m", "memory": "15073568Ki", "pods": "58"},
            "nodeInfo": {"kubeletVersion": "v1.31.4", "architecture": "amd64"},
        },
    }


def deployment(ns: str, name: str, replicas: int) -> Any:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": ns}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "odoo",
                            "image": "odoo:18.0",
                            "args": ["--workers=4", "--max-cron-threads=1"],
                            "resources": {
                                "requests": {"cpu": "1", "memory": "2Gi"},
                                "limits": {"cpu": "2", "memory": "3328Mi"},
                            },
                        }
                    ]
                },
            },
        },
        "status": {"replicas": replicas, "readyReplicas": replicas},
    }


def pod(ns: str, name: str, node_name: str, *, owner: str = "odoo-7c9f8d6b5") -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app.kubernetes.io/name": "odoo"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": owner,
                    "uid": "3f1c2b1e-0000-4000-8000-000000000001",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "nodeName": node_name,
            "containers": [
                {
                    "name": "odoo",
                    "image": "odoo:18.0",
                    "resources": {
                        "requests": {"cpu": "1", "memory": "2Gi"},
                        "limits": {"cpu": "2", "memory": "3328Mi"},
                    },
                }
            ],
        },
        "status": {"phase": "Running", "qosClass": "Burstable"},
    }


def service(ns: str, name: str, kind: str) -> Any:
    spec: dict[str, Any] = {"type": kind, "ports": [{"port": 22, "targetPort": 2022}]}
    status: dict[str, Any] = {}
    if kind == "LoadBalancer":
        status = {"loadBalancer": {"ingress": [{"hostname": f"{name}.elb.example.com"}]}}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
        "status": status,
    }


def custom(api_version: str, kind: str, ns: str, name: str, spec: Any) -> Any:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def cluster_objects(pods_per_tenant: int = 3) -> list[Any]:
    """A shared cluster: two tenants, a shared ingress namespace, three nodes."""
    nodes = [
        node("ip-10-0-1-11", "eu-central-1a", "m7i.xlarge", "shared"),
        node("ip-10-0-2-12", "eu-central-1b", "m7i.xlarge", "shared"),
        node("ip-10-0-3-13", "eu-central-1c", "r7i.2xlarge", "dedicated-nordhafen"),
    ]
    objects: list[Any] = [
        namespace("baltic-foods-prod", "baltic-foods", "production", "shared-plus"),
        namespace("kontor-buero-prod", "kontor-buero", "production", "shared-standard"),
        namespace("traefik", None, "", ""),
        *nodes,
    ]
    for ns in ("baltic-foods-prod", "kontor-buero-prod"):
        objects.append(deployment(ns, "odoo", 2))
        objects += [
            pod(ns, f"odoo-7c9f8d6b5-{i:05d}", nodes[i % 2]["metadata"]["name"])
            for i in range(pods_per_tenant)
        ]
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "odoo-filestore", "namespace": ns},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "standard-rwo",
                    "resources": {"requests": {"storage": "40Gi"}},
                },
                "status": {"phase": "Bound", "capacity": {"storage": "40Gi"}},
            }
        )
        objects.append(
            custom(
                "traefik.io/v1alpha1",
                "Middleware",
                ns,
                "odoo-ratelimit",
                {"rateLimit": {"average": 50, "burst": 150, "period": "1s"}},
            )
        )
        objects.append(
            custom(
                "traefik.io/v1alpha1",
                "IngressRoute",
                ns,
                "odoo",
                {
                    "entryPoints": ["websecure"],
                    "routes": [
                        {
                            "kind": "Rule",
                            "match": f"Host(`{ns}.erp.example.com`)",
                            "services": [{"name": "odoo", "port": 8069}],
                            "middlewares": [{"name": "odoo-ratelimit"}],
                        }
                    ],
                },
            )
        )
    objects += [
        service("baltic-foods-prod", "edi-sftp", "LoadBalancer"),
        service("baltic-foods-prod", "odoo", "ClusterIP"),
        service("traefik", "traefik", "LoadBalancer"),
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "standard-rwo"},
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3"},
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True,
        },
        {
            "apiVersion": "velero.io/v1",
            "kind": "Backup",
            "metadata": {
                "name": "baltic-foods-prod-20250105",
                "namespace": "velero",
                "labels": {"velero.io/schedule-name": "baltic-foods-prod"},
            },
            "spec": {"includedNamespaces": ["baltic-foods-prod"], "ttl": "720h0m0s"},
            "status": {
                "phase": "Completed",
                "startTimestamp": "2025-01-05T02:00:03Z",
                "completionTimestamp": "2025-01-05T02:04:41Z",
                "expiration": "2025-02-04T02:00:03Z",
            },
        },
        backup_storage_location(),
    ]
    return objects


def backup_storage_location() -> Any:
    """Velero's default location, as `velero install --provider aws` creates it."""
    return {
        "apiVersion": "velero.io/v1",
        "kind": "BackupStorageLocation",
        "metadata": {
            "name": "default",
            "namespace": "velero",
            "labels": {"component": "velero"},
        },
        "spec": {
            "provider": "aws",
            "default": True,
            "accessMode": "ReadWrite",
            "objectStorage": {"bucket": "velero-shared-eu-1", "prefix": "shared-eu-1"},
            "config": {"region": "eu-central-1"},
            "credential": {"name": "cloud-credentials", "key": "cloud"},
        },
        "status": {
            "phase": "Available",
            "lastValidationTime": "2025-01-05T02:10:11Z",
            "lastSyncedTime": "2025-01-05T02:10:41Z",
        },
    }


CUSTOM_KINDS = [
    ("snapshot.storage.k8s.io/v1", "VolumeSnapshot"),
    ("traefik.io/v1alpha1", "IngressRoute"),
    ("traefik.io/v1alpha1", "Middleware"),
    ("velero.io/v1", "Backup"),
    ("velero.io/v1", "BackupStorageLocation"),
]


@pytest.fixture
def kubeconfig_for(tmp_path: Path) -> Any:
    """`kubeconfig_for(server, token=None)`: a kubeconfig file pointing at a test server."""

    def write(server: Any, *, token: str | None = None, cluster: str = "shared-eu-1") -> Path:
        return write_kubeconfig(tmp_path / "kubeconfig", server, token=token, cluster=cluster)

    return write
