"""`/metrics` as a Starlette endpoint (the server mounts it, costplane.surfaces.server):
each endpoint its own registry, so two apps (two projects, or a test beside the server)
never share a metric."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from costplane.service import Project
from costplane.surfaces.metrics.cache import MetricsCache
from costplane.surfaces.metrics.exposition import MetricsCollector


def metrics_registry(project: Project) -> CollectorRegistry:
    """A registry of its own holding the project's collector (and its cache)."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(MetricsCollector(MetricsCache(project).current))
    return registry


def metrics_endpoint(project: Project) -> Callable[[Request], Response]:
    """A synchronous endpoint (Starlette runs it in its thread pool: gathering blocks) for
    `app.add_route("/metrics", metrics_endpoint(project))`."""
    registry = metrics_registry(project)

    def metrics(request: Request) -> Response:
        del request
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return metrics
