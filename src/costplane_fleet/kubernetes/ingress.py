"""Traefik: the load balancer Service of each cluster, and each tenant namespace's Odoo
Service, Middlewares and IngressRoute (the router names of the kubernetescrd provider)."""

from __future__ import annotations

import datetime as dt

from costplane_fleet.kubernetes.objects import Inventory, Obj, meta, octet
from costplane_fleet.offering import REGION
from costplane_fleet.services import INGRESS_ROUTE, route_matches
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex
from costplane_fleet.workloads import Namespace


def traefik_load_balancer(cluster: str) -> str:
    return f"lb-{digest_hex('lb', cluster, length=12)}.{REGION}.lb.nimbus.example"


def traefik_service(cluster: str, spec: FleetSpec) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(
            cluster,
            "Service",
            "traefik",
            spec.start_at - dt.timedelta(days=400),
            "traefik",
            {"app.kubernetes.io/name": "traefik"},
        ),
        "spec": {
            "allocateLoadBalancerNodePorts": True,
            "externalTrafficPolicy": "Local",
            "ports": [
                {"name": "web", "port": 80, "protocol": "TCP", "targetPort": "web"},
                {"name": "websecure", "port": 443, "protocol": "TCP", "targetPort": "websecure"},
            ],
            "selector": {"app.kubernetes.io/name": "traefik"},
            "type": "LoadBalancer",
        },
        "status": {
            "loadBalancer": {
                "ingress": [{"hostname": traefik_load_balancer(cluster), "ipMode": "Proxy"}]
            }
        },
    }


def tenant_ingress(inv: Inventory, ns: Namespace) -> None:
    """The Odoo Service, the rate-limit and header Middlewares and the IngressRoute."""
    assert ns.tenant is not None
    c, t = ns.cluster, ns.tenant
    inv.add(
        c,
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(
                c, "Service", "odoo-web", ns.created, ns.name, {"app.kubernetes.io/name": "odoo"}
            ),
            "spec": {
                "clusterIP": f"10.96.{octet(c, ns.name)}.{octet(ns.name) % 250 + 2}",
                "ports": [
                    {"name": "http", "port": 8069, "protocol": "TCP", "targetPort": 8069},
                    {"name": "websocket", "port": 8072, "protocol": "TCP", "targetPort": 8072},
                ],
                "selector": {
                    "app.kubernetes.io/component": "odoo-web",
                    "app.kubernetes.io/name": "odoo",
                },
                "type": "ClusterIP",
            },
            "status": {"loadBalancer": {}},
        },
    )
    assert ns.ingress_host is not None
    average = {
        "shared-standard": 50,
        "shared-plus": 100,
        "dedicated": 300,
        "dedicated-regulated": 400,
    }[t.service_class]
    inv.add(
        c,
        "middlewares",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": meta(c, "Middleware", "ratelimit", ns.created, ns.name),
            "spec": {"rateLimit": {"average": average, "burst": average * 2, "period": "1s"}},
        },
    )
    inv.add(
        c,
        "middlewares",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": meta(c, "Middleware", "security-headers", ns.created, ns.name),
            "spec": {
                "headers": {"frameDeny": True, "stsIncludeSubdomains": True, "stsSeconds": 31536000}
            },
        },
    )
    middlewares = ([{"name": "ratelimit"}] if ns.ingress_rate_limit else []) + [
        {"name": "security-headers"}
    ]
    routes = []
    for match, port in zip(route_matches(ns.ingress_host), (8069, 8072), strict=True):
        routes.append(
            {
                "kind": "Rule",
                "match": match,
                "middlewares": middlewares,
                "services": [{"name": "odoo-web", "port": port}],
            }
        )
    body: Obj = {"entryPoints": ["websecure"] if ns.ingress_tls else ["web"], "routes": routes}
    if ns.ingress_tls:
        body["tls"] = {"secretName": f"{ns.name}-tls"}
    inv.add(
        c,
        "ingressroutes",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "IngressRoute",
            "metadata": meta(c, "IngressRoute", INGRESS_ROUTE, ns.created, ns.name),
            "spec": body,
        },
    )
