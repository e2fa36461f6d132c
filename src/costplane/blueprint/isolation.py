"""The namespace and what fences it: its labels, the class's quota, a LimitRange, and a
NetworkPolicy that lets in only Traefik and lets out only DNS, the database and Redis."""

from __future__ import annotations

from typing import Any

from costplane.blueprint.context import GEVENT_PORT, HTTP_PORT, REDIS, EnvironmentContext, Manifest
from costplane.blueprint.sizing import cpu_text, memory_text

OBJECT_STORAGE_PORT = 443


def namespace(context: EnvironmentContext) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": context.metadata(context.namespace, namespaced=False),
    }


def resource_quota(context: EnvironmentContext) -> Manifest:
    """The class's entitlement for this environment, as requests; memory limits too, so a
    pod cannot overcommit memory the tenant does not pay for."""
    quota = context.sizing.quota
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": context.metadata("entitlement"),
        "spec": {
            "hard": {
                "requests.cpu": cpu_text(quota.cpu_m),
                "requests.memory": memory_text(quota.memory),
                "limits.memory": memory_text(quota.memory),
            }
        },
    }


def limit_range(context: EnvironmentContext) -> Manifest:
    """Defaults for a container rendered without resources (none here; a hand-added one),
    and no container above the largest rendered pod."""
    sizing = context.sizing
    largest = max(sizing.web.memory, sizing.cron.memory)
    largest_cpu = max(sizing.web.cpu_m, sizing.cron.cpu_m)
    default = {"cpu": "100m", "memory": "256Mi"}
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": context.metadata("container-defaults"),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": dict(default),
                    "defaultRequest": dict(default),
                    "max": {"cpu": cpu_text(largest_cpu), "memory": memory_text(largest)},
                }
            ]
        },
    }


def _namespace_peer(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _ports(protocol: str, *ports: int) -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": port} for port in ports]


def network_policy(context: EnvironmentContext) -> Manifest:
    """Ingress from Traefik (and the namespace's own pods); egress to DNS, the database,
    Redis, and object storage when the class keeps attachments there."""
    platform = context.catalog.platform
    egress: list[dict[str, Any]] = [
        {
            "to": [_namespace_peer(platform.dns_namespace)],
            "ports": _ports("UDP", 53) + _ports("TCP", 53),
        },
        {
            "to": [_namespace_peer(platform.database.namespace)],
            "ports": _ports("TCP", platform.database.port),
        },
    ]
    if context.dedicated:
        egress.append(
            {
                "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": REDIS}}}],
                "ports": _ports("TCP", platform.redis.port),
            }
        )
    else:
        egress.append(
            {
                "to": [_namespace_peer(platform.redis.namespace)],
                "ports": _ports("TCP", platform.redis.port),
            }
        )
    if context.service_class.blueprint.filestore.object_storage:
        egress.append(
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                "ports": _ports("TCP", OBJECT_STORAGE_PORT),
            }
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": context.metadata("isolate-tenant"),
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [_namespace_peer(platform.ingress.namespace)],
                    "ports": _ports("TCP", HTTP_PORT, GEVENT_PORT),
                },
                {"from": [{"podSelector": {}}]},
            ],
            "egress": egress,
        },
    }
