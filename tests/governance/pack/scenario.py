"""A small platform built by hand for the pack's fixtures: a catalog, Kubernetes objects,
and warehouse rows, each stated so its expected money can be computed by hand.

Tenants: `acme` (class `standard`: shared, sleeps on weekday nights) with acme-prod and
acme-dev, `bolt` (class `premium`: dedicated, never sleeps) with bolt-prod and
bolt-staging, and `cobalt` (standard), production only. The instant judged is END.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from costplane.catalog import Catalog, parse_catalog
from costplane.governance.findings import Finding
from costplane.governance.govern import Review
from costplane.sources.inventory import inventory_loads
from costplane.warehouse import FACT_TABLES, Load, Warehouse

END = dt.datetime(2026, 10, 31)
"""The instant every scenario is judged at (naive UTC, as the warehouse stores it)."""
AT = END.replace(tzinfo=dt.UTC)
GIB = 2**30
CLUSTER = "c1"

CATALOG = """
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {cpu: "2", memory: 4Gi}
      development: {cpu: "1", memory: 2Gi}
    database_band_gib: {min_gib: 0, max_gib: 20}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    sleep_schedule:
      weekdays: [mon, tue, wed, thu, fri]
      sleep_at: "19:00"
      wake_at: "07:00"
      time_zone: Europe/Berlin
    support_level: business-hours
    monthly_fee: 500
  premium:
    tenancy: dedicated
    quota:
      production: {cpu: "8", memory: 32Gi}
      staging: {cpu: "2", memory: 8Gi}
    database_band_gib: {min_gib: 10, max_gib: 200}
    snapshot_retention_days: 30
    log_retention_days: 90
    backup: {rpo_minutes: 240, rto_minutes: 120, restore_test_interval_days: 14}
    ha_replicas: 2
    support_level: 24x7
    monthly_fee: 4000
price_sheet:
  cpu: {amount: "0.03", unit: core-hour}
  memory: {amount: "0.004", unit: GiB-hour}
  storage: {standard: {amount: "0.10", unit: GiB-month}, fast: {amount: "0.20", unit: GiB-month}}
  database_storage: {amount: "0.20", unit: GiB-month}
  snapshot: {amount: "0.05", unit: GiB-month}
  object_storage: {amount: "0.02", unit: GiB-month}
  log_ingest: {amount: "0.50", unit: GiB}
  log_retention: {amount: "0.03", unit: GiB-month}
  backup: {amount: "0.02", unit: GiB-month}
  load_balancer: {amount: "0.025", unit: hour}
  egress: {amount: "0.09", unit: GiB}
tenants:
  - id: acme
    name: Acme Wholesale
    service_class: standard
    region: eu-central-1
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [acme-prod], databases: [acme_prod]}
      development: {namespaces: [acme-dev], databases: [acme_dev]}
  - id: bolt
    name: Bolt Trading
    service_class: premium
    region: eu-central-1
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [bolt-prod], databases: [bolt_prod]}
      staging: {namespaces: [bolt-staging], databases: [bolt_staging]}
  - id: cobalt
    name: Cobalt Parts
    service_class: standard
    region: eu-central-1
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [cobalt-prod], databases: [cobalt_prod]}
"""

CPU_HOUR = Decimal("0.03")
GIB_HOUR = Decimal("0.004")
MONTH = Decimal(730)


def catalog() -> Catalog:
    return parse_catalog(CATALOG, "scenario-catalog.yaml")


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float) -> str:
    return stamp(END - dt.timedelta(days=days))


def metadata(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "creationTimestamp": extra.pop("created", ago(100))}
    if namespace is not None:
        found["namespace"] = namespace
    found.update({k: v for k, v in extra.items() if v is not None})
    return found


def namespace(
    name: str,
    tenant: str | None = None,
    environment: str | None = None,
    *,
    shared: bool = False,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    labels = {"kubernetes.io/metadata.name": name}
    if tenant:
        labels["costplane.io/tenant"] = tenant
    if environment:
        labels["costplane.io/environment"] = environment
    if shared:
        labels["costplane.io/shared"] = "true"
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": metadata(name, labels=labels, annotations=annotations),
    }


def container(
    cpu: str | None = "500m",
    memory: str | None = "1Gi",
    *,
    image: str = "registry.example.com/odoo:18.0",
    limits: bool = True,
    name: str = "odoo",
) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    resources: dict[str, Any] = {"requests": requests}
    if limits:
        resources["limits"] = dict(requests)
    return {"name": name, "image": image, "resources": resources}


def pod_spec(containers: Sequence[dict[str, Any]], claims: Sequence[str] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers)}
    if claims:
        spec["volumes"] = [
            {"name": claim, "persistentVolumeClaim": {"claimName": claim}} for claim in claims
        ]
    return spec


def deployment(
    ns: str,
    name: str,
    *containers: dict[str, Any],
    replicas: int = 1,
    claims: Sequence[str] = (),
    kind: str = "Deployment",
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": metadata(name, ns),
        "spec": {
            "replicas": replicas,
            "template": {"spec": pod_spec(containers or (container(),), claims)},
        },
    }


def statefulset(ns: str, name: str, claim_template: str, replicas: int = 1) -> dict[str, Any]:
    found = deployment(ns, name, container(), replicas=replicas, kind="StatefulSet")
    found["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": claim_template}}]
    return found


def cronjob(ns: str, name: str, *containers: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": pod_spec(containers or (container(),))}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(name, ns),
        "spec": {"schedule": "5 * * * *", "jobTemplate": {"spec": {"template": template}}},
    }


def pod(ns: str, name: str, claims: Sequence[str] = (), phase: str = "Running") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(name, ns),
        "spec": pod_spec([container()], claims),
        "status": {"phase": phase},
    }


def pvc(
    ns: str,
    name: str,
    size: str = "20Gi",
    *,
    storage_class: str = "standard",
    phase: str = "Bound",
    created: str | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(name, ns, created=created or ago(100)),
        "spec": {"resources": {"requests": {"storage": size}}, "storageClassName": storage_class},
        "status": {"phase": phase, "capacity": {"storage": size}},
    }


def pv(
    name: str, size: str, phase: str, claim: tuple[str, str], storage_class: str = "standard"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": metadata(name),
        "spec": {
            "capacity": {"storage": size},
            "claimRef": {"namespace": claim[0], "name": claim[1]},
            "storageClassName": storage_class,
            "csi": {"volumeHandle": f"vol-{name}"},
        },
        "status": {"phase": phase},
    }


def snapshot(ns: str, name: str, days_old: float, size: str = "10Gi") -> dict[str, Any]:
    return {
        "apiVersion": "snapshot.storage.k8s.io/v1",
        "kind": "VolumeSnapshot",
        "metadata": metadata(name, ns, created=ago(days_old)),
        "spec": {"source": {"persistentVolumeClaimName": "data"}},
        "status": {"readyToUse": True, "restoreSize": size},
    }


def quota(ns: str, cpu: str, memory: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": metadata("tenant-quota", ns),
        "spec": {"hard": {"requests.cpu": cpu, "requests.memory": memory, "pods": "30"}},
    }


def limit_range(ns: str, cpu: str = "500m", memory: str = "1Gi") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": metadata("tenant-limits", ns),
        "spec": {"limits": [{"type": "Container", "default": {"cpu": cpu, "memory": memory}}]},
    }


def sleep_info(ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "kube-green.com/v1alpha1",
        "kind": "SleepInfo",
        "metadata": metadata("working-hours", ns),
        "spec": {"weekdays": "1-5", "sleepAt": "19:00", "wakeUpAt": "07:00"},
    }


def hpa(ns: str, name: str, target: str, max_replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(name, ns),
        "spec": {
            "minReplicas": 1,
            "maxReplicas": max_replicas,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
        },
    }


def ingress_route(
    ns: str,
    name: str,
    *,
    entry_points: Sequence[str] = ("websecure",),
    tls: bool = True,
    middlewares: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "entryPoints": list(entry_points),
        "routes": [
            {
                "kind": "Rule",
                "match": f"Host(`{ns}.example.net`)",
                "middlewares": list(middlewares),
                "services": [{"name": "odoo-web", "port": 8069}],
            }
        ],
    }
    if tls:
        spec["tls"] = {"secretName": f"{ns}-tls"}
    return {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": metadata(name, ns),
        "spec": spec,
    }


def middleware(ns: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "Middleware",
        "metadata": metadata(name, ns),
        "spec": spec,
    }


def write_manifests(directory: Path, objects: Iterable[dict[str, Any]]) -> Path:
    """The objects as one JSON file per object, as a GitOps repository keeps them."""
    directory.mkdir(parents=True, exist_ok=True)
    for index, obj in enumerate(objects):
        (directory / f"{index:03d}-{obj['kind'].lower()}.json").write_text(json.dumps(obj))
    return directory


def rows_load(table: str, rows: list[dict[str, Any]], start: dt.datetime, end: dt.datetime) -> Load:
    schema = FACT_TABLES[table].schema.to_pyarrow()
    keys = dict.fromkeys(key for row in rows for key in row)
    data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in keys]))
    return Load(table, "test", f"{CLUSTER}-{table}", start, end, data)


def load_objects(
    warehouse: Warehouse, objects: list[dict[str, Any]], labels_from: Catalog, *, columns: bool
) -> None:
    """The snapshot as `costplane collect` writes it (with columns per kind), or as a
    release before columns did (texts only)."""
    loads = inventory_loads(
        objects, source="test", cluster=CLUSTER, taken_at=END, labels=labels_from.labels
    )
    warehouse.ingest(loads if columns else loads[:1])


def found(review: Review, policy: str) -> dict[tuple[str, str | None, str], Finding]:
    """The policy's findings by (kind, namespace, name)."""
    return {
        (f.resource.kind, f.resource.namespace, f.resource.name): f
        for f in review.findings
        if f.policy == policy
    }


def skipped(review: Review) -> dict[str, str]:
    return {r.policy.id: r.skipped for r in review.results if r.skipped is not None}
