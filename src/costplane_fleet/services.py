"""Shared-service usage: Traefik requests per router, log bytes per namespace, egress, and
object storage per tenant prefix (table service_usage, and the hourly series behind it).

Router names are the ones Traefik's kubernetescrd provider gives a route:
`<namespace>-<ingressroute>-<first 10 bytes of sha256(match) in hex>@kubernetescrd`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from costplane.catalog import EnvironmentKind
from costplane.warehouse import FACT_TABLES
from costplane_fleet.offering import ATTACHMENT_BUCKET
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import Namespace

INGRESS_ROUTE = "odoo"
REQUESTS_PER_ORDER = 400
PROBES_PER_HOUR = 60
METHOD_SHARE = (("GET", 0.62), ("POST", 0.38))
_PLATFORM_LOG_BYTES_PER_HOUR = {
    "kube-system": 12e6,
    "monitoring": 25e6,
    "logging": 8e6,
    "cert-manager": 0.5e6,
    "kube-green": 0.3e6,
    "costplane": 0.2e6,
    "traefik": 0.0,
}
ACCESS_LOG_BYTES = 320.0
APP_LOG_BYTES_PER_REQUEST = 1800.0
APP_LOG_BYTES_PER_POD_HOUR = 40e3
EGRESS_BYTES_PER_REQUEST = 28e3
EDI_EGRESS_BYTES_PER_DAY = 180e6


def route_matches(host: str) -> tuple[str, str]:
    """The two routes of a tenant IngressRoute: the Odoo UI/RPC and its websocket."""
    return f"Host(`{host}`)", f"Host(`{host}`) && PathPrefix(`/websocket`)"


def router_name(namespace: str, ingress: str, match: str) -> str:
    digest = hashlib.sha256(match.encode()).hexdigest()[:20]
    return f"{namespace}-{ingress}-{digest}@kubernetescrd"


@dataclass(frozen=True)
class Router:
    cluster: str
    namespace: str
    name: str
    service: str
    websocket: bool


@dataclass(frozen=True)
class ServiceTraffic:
    routers: list[Router]
    requests: np.ndarray
    """(routers, hours) requests per hour; 0 where a router had none."""
    log_namespaces: list[tuple[str, str]]
    log_bytes: np.ndarray
    """(namespaces, hours) log bytes ingested per hour."""

    def namespace_requests(self) -> dict[tuple[str, str], np.ndarray]:
        """(cluster, namespace) -> requests per hour over its routers."""
        return _namespace_requests(self.routers, self.requests)


def _namespace_requests(
    routers: list[Router], requests: np.ndarray
) -> dict[tuple[str, str], np.ndarray]:
    """Per (cluster, namespace), in the order of its first router: the sum of its routers'."""
    out: dict[tuple[str, str], np.ndarray] = {}
    for k, ro in enumerate(routers):
        key = (ro.cluster, ro.namespace)
        out[key] = out[key] + requests[k] if key in out else requests[k].copy()
    return out


def generate_services(
    namespaces: list[Namespace],
    awake: dict[tuple[str, str], np.ndarray],
    pods_per_namespace: dict[tuple[str, str], int],
    tenants: tuple[TenantProfile, ...],
    activity: np.ndarray,
    spec: FleetSpec,
) -> ServiceTraffic:
    """Requests per Traefik router and log bytes per namespace, per hour."""
    n_hours = spec.hours
    trow = {t.id: i for i, t in enumerate(tenants)}
    r = rng(spec.seed, "services")
    hour_of_day = np.arange(n_hours) % 24
    office = ((hour_of_day >= 7) & (hour_of_day < 17)).astype(np.float64)
    routers: list[Router] = []
    req_rows: list[np.ndarray] = []
    for ns in namespaces:
        if ns.ingress_host is None or ns.tenant is None:
            continue
        i = trow[ns.tenant.id]
        mask = awake[(ns.cluster, ns.name)]
        if ns.idle:
            base = np.zeros(n_hours)
        elif ns.environment is EnvironmentKind.PRODUCTION:
            base = REQUESTS_PER_ORDER * ns.tenant.orders_per_day / 24 * activity[i]
        elif ns.environment is EnvironmentKind.DR:
            base = np.full(n_hours, float(PROBES_PER_HOUR))
        else:
            base = PROBES_PER_HOUR + 150.0 * office * (r.random(n_hours) < 0.5)
        for websocket, match in zip((False, True), route_matches(ns.ingress_host), strict=True):
            share = 0.12 if websocket else 1.0
            if websocket and ns.environment is not EnvironmentKind.PRODUCTION:
                share = 0.0
            load = np.rint(base * share * r.lognormal(0, 0.1, n_hours)) * mask
            routers.append(
                Router(
                    ns.cluster,
                    ns.name,
                    router_name(ns.name, INGRESS_ROUTE, match),
                    f"{ns.name}-odoo-web-{8072 if websocket else 8069}@kubernetescrd",
                    websocket,
                )
            )
            req_rows.append(load)
    requests = np.vstack(req_rows) if req_rows else np.zeros((0, n_hours))

    # logs per namespace per hour
    cluster_requests = {
        c: requests[[k for k, ro in enumerate(routers) if ro.cluster == c]].sum(axis=0)
        for c in sorted({ns.cluster for ns in namespaces})
    }
    ns_requests = _namespace_requests(routers, requests)
    log_keys: list[tuple[str, str]] = []
    log_rows: list[np.ndarray] = []
    for ns in namespaces:
        key = (ns.cluster, ns.name)
        mask = awake[key]
        if ns.shared:
            if ns.name == "traefik":
                b = ACCESS_LOG_BYTES * cluster_requests[ns.cluster]
            else:
                b = np.full(n_hours, _PLATFORM_LOG_BYTES_PER_HOUR.get(ns.name, 1e6))
        else:
            pods = pods_per_namespace.get(key, 0)
            b = (
                APP_LOG_BYTES_PER_POD_HOUR * pods
                + APP_LOG_BYTES_PER_REQUEST * ns_requests.get(key, np.zeros(n_hours))
            ) * mask
        log_keys.append(key)
        log_rows.append(np.rint(b * r.lognormal(0, 0.08, n_hours) * mask))
    return ServiceTraffic(routers, requests, log_keys, np.vstack(log_rows))


def _daily(x: np.ndarray) -> np.ndarray:
    return np.asarray(x.reshape(x.shape[0], -1, 24).sum(axis=2))


@dataclass(frozen=True)
class _Block:
    """service_usage rows of one kind: a daily quantity per series, rows where it is > 0."""

    cluster: list[str]
    namespace: list[str]
    service: str
    resource: list[str]
    metric: str
    daily: np.ndarray

    def table(self, spec: FleetSpec, schema: pa.Schema) -> pa.Table:
        series, day = np.nonzero(self.daily > 0)
        first = (spec.start - dt.date(1970, 1, 1)).days

        def strings(values: list[str]) -> pa.Array:
            return pa.array(values, pa.string()).take(pa.array(series))

        def constant(value: str) -> pa.Array:
            return pa.array([value], pa.string()).take(pa.array(np.zeros(len(series), np.int32)))

        columns = {
            "day": pa.array((first + day).astype(np.int32), pa.date32()),
            "cluster": strings(self.cluster),
            "namespace": strings(self.namespace),
            "service": constant(self.service),
            "resource": strings(self.resource),
            "metric": constant(self.metric),
            "quantity": pa.array(self.daily[series, day].astype(np.float64)),
        }
        return pa.table(columns, schema=schema)


def service_usage_table(
    traffic: ServiceTraffic,
    namespaces: list[Namespace],
    tenants: tuple[TenantProfile, ...],
    stored_bytes: np.ndarray,
    spec: FleetSpec,
) -> pa.Table:
    """Table service_usage: rows per kind (Traefik requests, log bytes, egress, object storage
    per tenant prefix), then series, then day; a row only where the day's quantity is > 0."""
    routers, log_keys = traffic.routers, traffic.log_namespaces
    ns_requests = traffic.namespace_requests()
    by_key = {(ns.cluster, ns.name): ns for ns in namespaces}
    egress_keys = list(ns_requests)
    egress = np.zeros((len(egress_keys), spec.days))
    for k, key in enumerate(egress_keys):
        ns = by_key[key]
        egress[k] = _daily(ns_requests[key][None, :])[0] * EGRESS_BYTES_PER_REQUEST
        if (
            ns.tenant is not None
            and ns.environment is EnvironmentKind.PRODUCTION
            and "edi" in ns.tenant.integrations
        ):
            egress[k] += EDI_EGRESS_BYTES_PER_DAY
    blocks = [
        _Block(
            [ro.cluster for ro in routers],
            [ro.namespace for ro in routers],
            "traefik",
            [ro.name for ro in routers],
            "requests",
            _daily(traffic.requests),
        ),
        _Block(
            [c for c, _ in log_keys],
            [ns for _, ns in log_keys],
            "logs",
            [ns for _, ns in log_keys],
            "ingested_bytes",
            _daily(traffic.log_bytes),
        ),
        _Block(
            [c for c, _ in egress_keys],
            [ns for _, ns in egress_keys],
            "egress",
            [ns for _, ns in egress_keys],
            "egress_bytes",
            np.rint(egress),
        ),
        _Block(
            [t.cluster for t in tenants],
            [f"{t.id}-prod" for t in tenants],
            "object-storage",
            [f"s3://{ATTACHMENT_BUCKET}/{t.id}/" for t in tenants],
            "stored_bytes",
            stored_bytes.astype(np.float64),
        ),
    ]
    schema = FACT_TABLES["service_usage"].schema.to_pyarrow()
    return pa.concat_tables([b.table(spec, schema) for b in blocks]).combine_chunks()
