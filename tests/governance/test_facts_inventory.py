"""Facts read from the inventory itself and from the catalog: who owns what, what mounts a
volume, what an autoscaler would request, which middlewares limit a route, the sleep
schedule's share of the week."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.price_sheet import PRICE_SHEET

from costplane.catalog import SleepSchedule, parse_catalog
from costplane.governance.facts.fact import FactRequest
from costplane.governance.facts.inventory import InventoryFacts
from costplane.governance.facts.ownership import OwnershipFacts, asleep_share
from costplane.governance.inventory.resources import Inventory, ResourceRef
from costplane.governance.inventory_sources import objects_inventory
from costplane.governance.ownership import Ownership

AT = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)

CATALOG = parse_catalog(
    """
currency: EUR
allocation: {shared_namespaces: [monitoring]}
service_classes:
  standard:
    tenancy: shared
    quota: {production: {cpu: "2", memory: 4Gi}, development: {cpu: "1", memory: 2Gi}}
    database_band_gib: {min_gib: 0, max_gib: 20}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    sleep_schedule: {weekdays: [mon, tue, wed, thu, fri], sleep_at: "19:00", wake_at: "07:00",
                     time_zone: Europe/Berlin}
    support_level: business-hours
    monthly_fee: 500
"""
    + PRICE_SHEET
    + """tenants:
  - {id: acme, name: Acme, service_class: standard, region: eu-central-1,
     contracts: [{start: 2026-01-01}],
     environments: {production: {namespaces: [acme-prod]}, development: {namespaces: [acme-dev]}}}
  - {id: acme-east, name: Acme East, service_class: standard, region: eu-central-1,
     contracts: [{start: 2026-01-01}], environments: {production: {namespaces: [acme-east-prod]}}}
""",
    "catalog.yaml",
)


def obj(kind: str, name: str, namespace: str | None = None, **body: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **body.pop("metadata", {})}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata, **body}


def workload(
    kind: str,
    name: str,
    namespace: str,
    *,
    claims: tuple[str, ...] = (),
    cpu: str = "500m",
    replicas: int = 1,
) -> dict[str, Any]:
    spec = {
        "containers": [
            {"name": "a", "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "100m"}}},
        ],
        "volumes": [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims],
    }
    return obj(kind, name, namespace, spec={"replicas": replicas, "template": {"spec": spec}})


OBJECTS = [
    obj("Namespace", "acme-prod", metadata={"labels": {"costplane.io/tenant": "acme"}}),
    obj("Namespace", "acme-dev"),  # only the catalog says whose
    obj("Namespace", "acme-east-sandbox"),
    obj("Namespace", "monitoring"),
    obj("Namespace", "traefik"),  # a platform namespace by the catalog's defaults
    workload("Deployment", "web", "acme-prod", claims=("files",), replicas=3),
    workload("Deployment", "idle", "acme-prod", replicas=0),
    obj(
        "StatefulSet",
        "pg",
        "acme-prod",
        spec={"replicas": 2, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]},
    ),
    obj("PersistentVolumeClaim", "files", "acme-prod"),
    obj("PersistentVolumeClaim", "data-pg-1", "acme-prod"),
    obj("PersistentVolumeClaim", "data-pg-extra", "acme-prod"),
    obj("PersistentVolume", "pv-1", spec={"claimRef": {"namespace": "acme-dev", "name": "x"}}),
    obj(
        "HorizontalPodAutoscaler",
        "web",
        "acme-prod",
        spec={"maxReplicas": 4, "scaleTargetRef": {"kind": "Deployment", "name": "web"}},
    ),
    obj(
        "HorizontalPodAutoscaler",
        "lost",
        "acme-prod",
        spec={"maxReplicas": 4, "scaleTargetRef": {"kind": "Deployment", "name": "gone"}},
    ),
    obj(
        "LimitRange",
        "a",
        "acme-prod",
        spec={"limits": [{"type": "Container", "default": {"cpu": "1", "memory": "2Gi"}}]},
    ),
    obj(
        "LimitRange",
        "b",
        "acme-prod",
        spec={"limits": [{"type": "Container", "default": {"cpu": "250m"}}]},
    ),
    obj("Middleware", "limit", "traefik", spec={"rateLimit": {"average": 10}}),
    obj("Middleware", "chain", "acme-prod", spec={"chain": {"middlewares": [{"name": "inner"}]}}),
    obj(
        "Middleware",
        "inner",
        "acme-prod",
        spec={"chain": {"middlewares": [{"name": "chain"}, {"name": "limit2"}]}},
    ),
    obj("Middleware", "limit2", "acme-prod", spec={"rateLimit": {"average": 5}}),
    obj(
        "IngressRoute",
        "a",
        "acme-prod",
        spec={
            "routes": [
                {"middlewares": [{"name": "chain"}]},
                {"middlewares": [{"name": "limit@kubernetescrd", "namespace": "traefik"}]},
            ]
        },
    ),
    obj(
        "IngressRoute", "b", "acme-prod", spec={"routes": [{"middlewares": [{"name": "missing"}]}]}
    ),
    obj("Pod", "done", "acme-dev", status={"phase": "Succeeded"}),
    obj("Pod", "run", "acme-dev", status={"phase": "Running"}),
]


def inventory() -> tuple[Inventory, Ownership]:
    ownership = Ownership(CATALOG)
    return objects_inventory([("c1", o) for o in OBJECTS], ownership), ownership


def refs(built: Inventory, kind: str) -> dict[str, ResourceRef]:
    batch = built.batch(kind)
    assert batch is not None
    return {batch.ref(row).name: batch.ref(row) for row in range(len(batch))}


def ask(source: Any, name: str, subjects: list[ResourceRef]) -> list[object]:
    return list(source.values(FactRequest(name, None, AT), subjects))


def test_owners_come_from_labels_then_the_catalog_then_the_claim() -> None:
    built, ownership = inventory()
    namespaces = refs(built, "Namespace")
    assert (namespaces["acme-prod"].tenant, namespaces["acme-prod"].service_class) == (
        "acme",
        "standard",
    )
    assert namespaces["acme-prod"].environment == "production"  # the catalog fills the label in
    assert (namespaces["acme-dev"].tenant, namespaces["acme-dev"].environment) == (
        "acme",
        "development",
    )
    assert namespaces["acme-east-sandbox"].tenant is None
    assert refs(built, "PersistentVolume")["pv-1"].tenant == "acme"
    roles = ask(OwnershipFacts(ownership, CATALOG), "namespace_role", list(namespaces.values()))
    assert dict(zip(namespaces, roles, strict=True)) == {
        "acme-prod": "tenant",
        "acme-dev": "tenant",
        "acme-east-sandbox": "unknown",
        "monitoring": "shared",
        "traefik": "platform",
    }
    assert ownership.likely_tenant("acme-east-sandbox") == "acme-east"  # the longest id
    assert ownership.likely_tenant("zeta-sandbox") is None


def test_the_inventory_holds_real_kinds_only() -> None:
    built, _ = inventory()
    assert "Workload" not in built.kinds
    assert "Volume" not in built.kinds
    assert {"Deployment", "StatefulSet", "PersistentVolumeClaim", "PersistentVolume"} <= set(
        built.kinds
    )


def test_mounts_count_pods_templates_and_claim_templates() -> None:
    built, _ = inventory()
    claims = refs(built, "PersistentVolumeClaim")
    answers = ask(
        InventoryFacts(built),
        "mounted_by",
        [claims["files"], claims["data-pg-1"], claims["data-pg-extra"]],
    )
    assert answers == [Decimal(1), Decimal(1), Decimal(0)]


def test_autoscalers_at_their_maximum() -> None:
    built, _ = inventory()
    facts = InventoryFacts(built)
    scalers = refs(built, "HorizontalPodAutoscaler")
    assert ask(facts, "hpa_max_cpu_cores", [scalers["web"], scalers["lost"]]) == [
        Decimal("2.4"),
        None,
    ]
    assert ask(facts, "hpa_max_memory_bytes", [scalers["web"]]) == [4 * 2**30]
    deployments = refs(built, "Deployment")
    assert ask(facts, "hpa_max_replicas", [deployments["web"], deployments["idle"]]) == [
        Decimal(4),
        None,
    ]


def test_namespace_relations() -> None:
    built, _ = inventory()
    facts = InventoryFacts(built)
    namespaces = refs(built, "Namespace")
    prod, dev = namespaces["acme-prod"], namespaces["acme-dev"]
    assert ask(facts, "limit_range_default_cpu", [prod, dev]) == [Decimal("0.25"), None]
    assert ask(facts, "limit_range_default_memory", [prod]) == [2 * 2**30]
    assert ask(facts, "running_workloads", [prod, dev]) == [Decimal(2), Decimal(1)]
    assert ask(facts, "namespace_cpu_requests", [prod]) == [Decimal("1.8")]  # 3 x 600m
    assert ask(facts, "resource_quotas", [prod]) == [Decimal(0)]


def test_rate_limits_through_chains_and_namespaces() -> None:
    built, _ = inventory()
    routes = refs(built, "IngressRoute")
    answers = ask(InventoryFacts(built), "rate_limit_middlewares", [routes["a"], routes["b"]])
    assert answers == [Decimal(2), Decimal(0)]


def test_sleep_share_of_the_class() -> None:
    built, ownership = inventory()
    dev = refs(built, "Namespace")["acme-dev"]
    facts = OwnershipFacts(ownership, CATALOG)
    [share] = ask(facts, "entitled_sleep_share", [dev])
    assert share == Decimal(108) * 100 / 168  # awake 5 x 12 of 168 hours
    assert not OwnershipFacts(ownership, None).provides("entitled_sleep_share")
    overnight = SleepSchedule(
        weekdays=["sat"], sleep_at=dt.time(2), wake_at=dt.time(22), time_zone="UTC"
    )
    assert asleep_share(overnight) == Decimal(168 - 4) * 100 / 168
