"""How a tenant environment is reached: a Traefik IngressRoute on the TLS entry point, its
routes through the class's rate-limit Middleware."""

from __future__ import annotations

from typing import Any

from costplane.blueprint.context import APP, GEVENT_PORT, HTTP_PORT, EnvironmentContext, Manifest

TRAEFIK_API = "traefik.io/v1alpha1"
RATE_LIMIT = "rate-limit"


def rate_limit(context: EnvironmentContext) -> Manifest:
    limit = context.service_class.blueprint.rate_limit
    return {
        "apiVersion": TRAEFIK_API,
        "kind": "Middleware",
        "metadata": context.metadata(RATE_LIMIT),
        "spec": {"rateLimit": {"average": limit.average, "burst": limit.burst}},
    }


def ingress_route(context: EnvironmentContext) -> Manifest:
    """`/websocket` and `/longpolling` go to the gevent port, everything else to HTTP."""
    ingress = context.catalog.platform.ingress
    host = f"Host(`{context.host}`)"
    middlewares = [{"name": RATE_LIMIT}]
    tls: dict[str, Any] = (
        {"certResolver": ingress.cert_resolver}
        if ingress.cert_resolver
        else {"secretName": context.fill(ingress.tls_secret)}
    )
    return {
        "apiVersion": TRAEFIK_API,
        "kind": "IngressRoute",
        "metadata": context.metadata(APP),
        "spec": {
            "entryPoints": [ingress.entry_point],
            "routes": [
                {
                    "kind": "Rule",
                    "match": f"{host} && (PathPrefix(`/websocket`) || PathPrefix(`/longpolling`))",
                    "middlewares": list(middlewares),
                    "services": [{"name": APP, "port": GEVENT_PORT}],
                },
                {
                    "kind": "Rule",
                    "match": host,
                    "middlewares": list(middlewares),
                    "services": [{"name": APP, "port": HTTP_PORT}],
                },
            ],
            "tls": tls,
        },
    }
