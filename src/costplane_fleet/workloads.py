"""Namespaces and the workloads in them, sized from the tenant's service class.

A tenant environment gets a labelled namespace with quota and limits, the Odoo
web and cron Deployments (a queue worker for EDI tenants), a filestore PVC and
an IngressRoute. Each cluster also runs shared platform services in namespaces
labelled `costplane.io/shared: "true"`. Usage targets (`cpu_fill`,
`memory_fill`) are set here so requests stay close to use: the KRR
recommendation of every ordinary workload is 70-100 % of its request.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from costplane.catalog import EnvironmentKind
from costplane_fleet.offering import ODOO_IMAGE, SERVICE_CLASSES, sleeps
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import CLUSTERS, SHARED_CLUSTER, TenantProfile

MI = 2**20
GI = 2**30
ENV_SUFFIX = {
    EnvironmentKind.PRODUCTION: "prod",
    EnvironmentKind.STAGING: "staging",
    EnvironmentKind.DEVELOPMENT: "dev",
    EnvironmentKind.DR: "dr",
}
P, S, D, R = (
    EnvironmentKind.PRODUCTION,
    EnvironmentKind.STAGING,
    EnvironmentKind.DEVELOPMENT,
    EnvironmentKind.DR,
)

# (millicores, MiB) requests per class, environment and role
_SIZES: dict[tuple[str, EnvironmentKind], dict[str, tuple[int, int]]] = {
    ("shared-standard", P): {"web": (500, 1536), "cron": (250, 768)},
    ("shared-standard", D): {"web": (250, 768), "cron": (100, 512)},
    ("shared-plus", P): {"web": (600, 2048), "cron": (300, 1024), "queue": (250, 768)},
    ("shared-plus", S): {"web": (400, 1024), "cron": (150, 512)},
    ("shared-plus", D): {"web": (250, 768), "cron": (100, 512)},
    ("dedicated", P): {"web": (1000, 3072), "cron": (500, 1536), "queue": (500, 1536)},
    ("dedicated", S): {"web": (600, 2048), "cron": (250, 1024)},
    ("dedicated", D): {"web": (300, 1024), "cron": (150, 512)},
    ("dedicated-regulated", P): {"web": (1200, 4096), "cron": (600, 2048), "queue": (600, 2048)},
    ("dedicated-regulated", S): {"web": (800, 2560), "cron": (300, 1024)},
    ("dedicated-regulated", D): {"web": (300, 1024), "cron": (150, 512)},
    ("dedicated-regulated", R): {"web": (500, 2048)},
}
HPA_MAX = {"shared-plus": 4, "dedicated": 5, "dedicated-regulated": 6}
FILESTORE_GIB = {
    "shared-standard": 5,
    "shared-plus": 10,
    "dedicated": 20,
    "dedicated-regulated": 30,
}
WORKERS = {"web": 4, "cron": 0, "queue": 0}
CPU_LIMIT_FACTOR = 2
MEMORY_LIMIT_FACTOR = 1.5
ORPHAN_PVC = "odoo-filestore-old"


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    cpu_request_m: int
    memory_request: int
    cpu_limit_m: int
    memory_limit: int
    args: tuple[str, ...] = ()
    port: int | None = None


@dataclass(frozen=True)
class Workload:
    """A Deployment or StatefulSet and how its containers use what they request."""

    namespace: str
    name: str
    kind: str
    replicas: int
    containers: tuple[Container, ...]
    role: str
    node_pool: str
    cpu_fill: float
    """p95 of hourly CPU use over the KRR window as a fraction of the (natural) request."""
    memory_fill: float
    """max memory peak x 1.15 as a fraction of the request."""
    natural_cpu_m: tuple[int, ...]
    """The request usage was generated for (differs only where requests-oversized or
    requests-under is planted)."""
    pvc: str | None = None
    hpa_max: int | None = None
    created: dt.datetime = dt.datetime(2024, 1, 1)
    natural_memory: tuple[int, ...] = ()
    """The memory request (bytes) usage was generated for; empty: the containers' requests
    (differs only where requests-under is planted)."""


@dataclass(frozen=True)
class Namespace:
    """One namespace: tenant environment, forgotten leftover, or shared platform."""

    name: str
    cluster: str
    tenant: TenantProfile | None
    environment: EnvironmentKind | None
    shared: bool
    labelled: bool
    sleeps: bool
    idle: bool
    created: dt.datetime
    workloads: tuple[Workload, ...]
    log_retention_days: int | None = None
    ingress_host: str | None = None
    ingress_tls: bool = True
    ingress_rate_limit: bool = True
    filestore_gib: int = 0
    storage_class: str = "nimbus-files"
    cronjobs: tuple[str, ...] = field(default=())

    @property
    def service_class(self) -> str | None:
        return self.tenant.service_class if self.tenant else None


def namespace_name(tenant: str, environment: EnvironmentKind) -> str:
    return f"{tenant}-{ENV_SUFFIX[environment]}"


def _container(role: str, cpu_m: int, mem_mib: int, image: str) -> Container:
    args = {
        "web": ("--workers=4", "--max-cron-threads=0", "--proxy-mode"),
        "cron": ("--workers=0", "--max-cron-threads=2", "--no-http"),
        "queue": ("--workers=0", "--max-cron-threads=0", "--load=base,web,queue_job"),
    }.get(role, ())
    return Container(
        name="odoo",
        image=image,
        cpu_request_m=cpu_m,
        memory_request=mem_mib * MI,
        cpu_limit_m=cpu_m * CPU_LIMIT_FACTOR,
        memory_limit=int(mem_mib * MEMORY_LIMIT_FACTOR) * MI,
        args=args,
        port=8069 if role == "web" else None,
    )


def _fills(seed: int, *key: object) -> tuple[float, float]:
    r = rng(seed, "fill", *key)
    return float(r.uniform(0.78, 0.93)), float(r.uniform(0.78, 0.94))


def tenant_namespaces(t: TenantProfile, plants: Plants, spec: FleetSpec) -> list[Namespace]:
    """Every namespace of one tenant, with the tenant's planted problems applied."""
    sc = SERVICE_CLASSES[t.service_class]
    out: list[Namespace] = []
    for env in t.environments:
        ns = namespace_name(t.id, env)
        created = dt.datetime.combine(t.contract_start, dt.time(9)) + dt.timedelta(
            days=0 if env is P else 3
        )
        pool = t.prod_pool if env is P else t.nonprod_pool
        sizes = dict(_SIZES[(t.service_class, env)])
        if env is not P or not t.queue_worker:
            sizes.pop("queue", None)
        quota_cpu_m = int(sc.quota[env].cpu * 1000)
        hpa_max = HPA_MAX.get(t.service_class) if (env is P and t.hpa) else None
        idle = plants.has("nonprod-idle", t.id, env)
        workloads: list[Workload] = []
        rollout = spec.start_at - dt.timedelta(
            days=int(rng(spec.seed, "rollout", ns).integers(2, 40))
        )
        for role, (cpu_m, mem_mib) in sizes.items():
            if env is P and role in ("web", "queue"):
                cpu_m = int(round(cpu_m * t.size / 10) * 10)
                mem_mib = int(round(mem_mib * t.size / 64) * 64)
            replicas = sc.ha_replicas if (env is P and role == "web") else 1
            image = ODOO_IMAGE
            if role == "web" and plants.has("image-tag-mutable", t.id, env):
                image = "registry.example.com/odoo:latest"
            cpu_fill, memory_fill = _fills(spec.seed, ns, role)
            request_m = cpu_m
            if role == "cron" and plants.has("requests-oversized", t.id, env):
                others = sum(
                    (
                        HPA_MAX[t.service_class]
                        if (r == "web" and hpa_max)
                        else (sc.ha_replicas if r == "web" else 1)
                    )
                    * _scaled(t, env, r, c)
                    for r, (c, _) in sizes.items()
                    if r != "cron"
                )
                rec = cpu_fill * cpu_m
                ratio = plant_factor(spec, "requests-oversized", t.id, 3.5, 7.0)
                ratio = min(ratio, (quota_cpu_m - others) / rec)
                request_m = int(ratio * rec // 10 * 10)
            container = _container(role, request_m, mem_mib, image)
            natural_memory: tuple[int, ...] = ()
            if (
                role == "cron"
                and plants.has("requests-under", t.id, env)
                and not plants.has("requests-oversized", t.id, env)
            ):
                container, natural_memory = _under_requested(container, t, spec)
            if role == "web" and env is P:
                container = _odoo_workers_planted(container, t, plants, env, spec)
            workloads.append(
                Workload(
                    namespace=ns,
                    name=f"odoo-{role}",
                    kind="Deployment",
                    replicas=replicas,
                    containers=(container,),
                    role="idle" if idle else role,
                    node_pool=pool,
                    cpu_fill=cpu_fill,
                    memory_fill=memory_fill,
                    natural_cpu_m=(cpu_m,),
                    pvc="odoo-filestore",
                    hpa_max=hpa_max if role == "web" else None,
                    created=rollout,
                    natural_memory=natural_memory,
                )
            )
        retention = sc.log_retention_days
        if plants.has("log-retention-exceeds-class", t.id, env):
            retention = int(retention * plant_factor(spec, "log-retention", t.id, 2.0, 6.0))
        host_prefix = t.id if env is P else f"{t.id}-{ENV_SUFFIX[env]}"
        out.append(
            Namespace(
                name=ns,
                cluster=t.cluster,
                tenant=t,
                environment=env,
                shared=False,
                labelled=True,
                sleeps=sleeps(t.service_class, env),
                idle=idle,
                created=created,
                workloads=tuple(workloads),
                log_retention_days=retention,
                ingress_host=f"{host_prefix}.odoo.example.net",
                ingress_tls=not plants.has("ingress-no-tls", t.id, env),
                ingress_rate_limit=not plants.has("ingress-no-rate-limit", t.id, env),
                filestore_gib=FILESTORE_GIB[t.service_class],
                storage_class="nimbus-files",
            )
        )
    if plants.has("labels-missing", t.id):
        ns = f"{t.id}-migration"
        cpu_fill, memory_fill = _fills(spec.seed, ns, "migration")
        created = spec.end_at - dt.timedelta(
            days=int(rng(spec.seed, "migr", t.id).integers(20, 90))
        )
        out.append(
            Namespace(
                name=ns,
                cluster=t.cluster,
                tenant=t,
                environment=None,
                shared=False,
                labelled=False,
                sleeps=False,
                idle=False,
                created=created,
                workloads=(
                    Workload(
                        namespace=ns,
                        name="odoo-migration",
                        kind="Deployment",
                        replicas=1,
                        containers=(_container("web", 400, 1536, ODOO_IMAGE),),
                        role="migration",
                        node_pool=t.nonprod_pool,
                        cpu_fill=cpu_fill,
                        memory_fill=memory_fill,
                        natural_cpu_m=(400,),
                        created=created,
                    ),
                ),
            )
        )
    return out


UNDER_RATIO = (2.8, 4.0)
"""requests-under: use is this many times the request (drawn per tenant)."""


def _under_requested(
    natural: Container, t: TenantProfile, spec: FleetSpec
) -> tuple[Container, tuple[int, ...]]:
    """requests-under: the container asks for a fraction of what it uses; its limits stay
    where the usage was sized (a low request under a roomy limit is how such containers
    look: they run, throttled and first in line for eviction). Usage is generated for the
    natural request, so it is the same as without the plant; only the request drops."""
    ratio = plant_factor(spec, "requests-under", t.id, *UNDER_RATIO)
    cpu_m = max(10, int(natural.cpu_request_m / ratio // 10 * 10))
    memory = max(64, int(natural.memory_request / MI / ratio // 16 * 16)) * MI
    return (
        replace(natural, cpu_request_m=cpu_m, memory_request=memory),
        (natural.memory_request,),
    )


def odoo_workers_planted(cpu_request_m: int, excess: float) -> int:
    """odoo-workers-excess: `excess` (3-4) times Odoo's ceiling for the requested CPU."""
    return int(excess * (2 * math.ceil(cpu_request_m / 1000) + 1))


def _odoo_workers_planted(
    web: Container, t: TenantProfile, plants: Plants, env: EnvironmentKind, spec: FleetSpec
) -> Container:
    """odoo-workers-excess: far more workers than the cores can run (each a process with
    its own memory); odoo-workers-short: a single worker, so one slow request blocks
    every user. Only the command line changes: usage is the tenant's as without it."""
    if plants.has("odoo-workers-excess", t.id, env):
        excess = plant_factor(spec, "odoo-workers-excess", t.id, 3.0, 4.0)
        workers = odoo_workers_planted(web.cpu_request_m, excess)
    elif plants.has("odoo-workers-short", t.id, env):
        workers = 1
    else:
        return web
    args = tuple(f"--workers={workers}" if a.startswith("--workers=") else a for a in web.args)
    return replace(web, args=args)


def _scaled(t: TenantProfile, env: EnvironmentKind, role: str, cpu_m: int) -> int:
    if env is P and role in ("web", "queue"):
        return int(round(cpu_m * t.size / 10) * 10)
    return cpu_m


# name, kind, replicas, (cpu m, MiB) at 0 tenants, (extra cpu m, extra MiB) per 100 tenants
_PLATFORM = {
    "kube-system": (
        (
            "coredns",
            "Deployment",
            2,
            (100, 128),
            (10, 16),
            "registry.k8s.io/coredns/coredns:v1.11.3",
        ),
        (
            "metrics-server",
            "Deployment",
            1,
            (100, 200),
            (5, 16),
            "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
        ),
    ),
    "traefik": (("traefik", "Deployment", 3, (300, 256), (40, 32), "docker.io/traefik:v3.3.6"),),
    "cert-manager": (
        (
            "cert-manager",
            "Deployment",
            1,
            (50, 128),
            (2, 8),
            "quay.io/jetstack/cert-manager-controller:v1.17.2",
        ),
        (
            "cert-manager-webhook",
            "Deployment",
            1,
            (20, 64),
            (0, 0),
            "quay.io/jetstack/cert-manager-webhook:v1.17.2",
        ),
        (
            "cert-manager-cainjector",
            "Deployment",
            1,
            (50, 128),
            (1, 4),
            "quay.io/jetstack/cert-manager-cainjector:v1.17.2",
        ),
    ),
    "monitoring": (
        (
            "prometheus-k8s",
            "StatefulSet",
            2,
            (500, 2048),
            (60, 600),
            "quay.io/prometheus/prometheus:v3.3.1",
        ),
        (
            "alertmanager-main",
            "StatefulSet",
            2,
            (50, 128),
            (0, 4),
            "quay.io/prometheus/alertmanager:v0.28.1",
        ),
        (
            "kube-state-metrics",
            "Deployment",
            1,
            (100, 256),
            (8, 32),
            "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0",
        ),
        ("grafana", "Deployment", 1, (100, 256), (2, 8), "docker.io/grafana/grafana:11.6.1"),
    ),
    "logging": (
        ("loki", "StatefulSet", 2, (500, 2048), (40, 300), "docker.io/grafana/loki:3.5.0"),
        (
            "vector-aggregator",
            "Deployment",
            2,
            (200, 512),
            (25, 48),
            "docker.io/timberio/vector:0.46.1-distroless-libc",
        ),
    ),
    "kube-green": (
        (
            "kube-green-controller-manager",
            "Deployment",
            1,
            (50, 128),
            (2, 8),
            "docker.io/kubegreen/kube-green:0.7.0",
        ),
    ),
    "costplane": (),
}


def platform_namespaces(cluster: str, tenants_here: int, spec: FleetSpec) -> list[Namespace]:
    """The shared platform services of one cluster, sized by how many tenants it serves."""
    out: list[Namespace] = []
    per100 = tenants_here / 100
    created = spec.start_at - dt.timedelta(days=900)
    for ns, items in _PLATFORM.items():
        workloads = []
        for name, kind, replicas, (cpu0, mem0), (cpu_k, mem_k), image in items:
            if name == "traefik":
                replicas = min(12, 3 + tenants_here // 500)
            cpu_m = int(
                round((cpu0 + cpu_k * per100 / (replicas if name == "traefik" else 1)) / 10) * 10
            )
            mem = int(round((mem0 + mem_k * per100) / 16) * 16)
            cpu_fill, memory_fill = _fills(spec.seed, cluster, ns, name)
            c = Container(
                name=name.split("-")[0] if kind == "StatefulSet" else name,
                image=image,
                cpu_request_m=cpu_m,
                memory_request=mem * MI,
                cpu_limit_m=cpu_m * CPU_LIMIT_FACTOR,
                memory_limit=int(mem * MEMORY_LIMIT_FACTOR) * MI,
            )
            workloads.append(
                Workload(
                    namespace=ns,
                    name=name,
                    kind=kind,
                    replicas=replicas,
                    containers=(c,),
                    role="platform",
                    node_pool="system",
                    cpu_fill=cpu_fill,
                    memory_fill=memory_fill,
                    natural_cpu_m=(cpu_m,),
                    created=spec.start_at - dt.timedelta(days=30 + len(name)),
                )
            )
        out.append(
            Namespace(
                name=ns,
                cluster=cluster,
                tenant=None,
                environment=None,
                shared=True,
                labelled=True,
                sleeps=False,
                idle=False,
                created=created,
                workloads=tuple(workloads),
                cronjobs=("costplane-collect",) if ns == "costplane" else (),
            )
        )
    return out


def fleet_namespaces(
    tenants: tuple[TenantProfile, ...], plants: Plants, spec: FleetSpec
) -> list[Namespace]:
    """All namespaces of both clusters, platform first, then tenants in population order."""
    out: list[Namespace] = []
    for cluster in CLUSTERS:
        here = sum(1 for t in tenants if t.cluster == cluster)
        out.extend(platform_namespaces(cluster, here, spec))
    for t in tenants:
        out.extend(tenant_namespaces(t, plants, spec))
    return out


__all__ = ["SHARED_CLUSTER", "Container", "Namespace", "Workload", "fleet_namespaces"]
