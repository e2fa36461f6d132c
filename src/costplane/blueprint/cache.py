"""A dedicated class's own Redis: `maxmemory` and its eviction policy from the class, no
persistence (it holds sessions and caches Odoo can rebuild)."""

from __future__ import annotations

from costplane.blueprint.context import REDIS, EnvironmentContext, Manifest
from costplane.blueprint.sizing import cpu_text, memory_text

_SELECTOR = {"app.kubernetes.io/name": REDIS}


def redis_deployment(context: EnvironmentContext) -> Manifest | None:
    pod = context.sizing.redis
    if pod is None:
        return None
    cache = context.service_class.blueprint.redis
    platform = context.catalog.platform.redis
    amounts = {"cpu": cpu_text(pod.cpu_m), "memory": memory_text(pod.memory)}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": context.metadata(REDIS),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(_SELECTOR)},
            "strategy": {"type": "Recreate"},
            "template": {
                "metadata": {"labels": {**context.labels, **_SELECTOR}},
                "spec": {
                    "automountServiceAccountToken": False,
                    "containers": [
                        {
                            "name": "redis",
                            "image": platform.image,
                            "args": [
                                "--maxmemory",
                                str(cache.maxmemory),
                                "--maxmemory-policy",
                                cache.policy,
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                            ],
                            "ports": [
                                {"name": "redis", "containerPort": platform.port, "protocol": "TCP"}
                            ],
                            "resources": {"requests": dict(amounts), "limits": dict(amounts)},
                            "readinessProbe": {
                                "tcpSocket": {"port": platform.port},
                                "periodSeconds": 10,
                            },
                        }
                    ],
                },
            },
        },
    }


def redis_service(context: EnvironmentContext) -> Manifest | None:
    if context.sizing.redis is None:
        return None
    port = context.catalog.platform.redis.port
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": context.metadata(REDIS),
        "spec": {
            "selector": dict(_SELECTOR),
            "ports": [{"name": "redis", "port": port, "targetPort": "redis", "protocol": "TCP"}],
        },
    }
