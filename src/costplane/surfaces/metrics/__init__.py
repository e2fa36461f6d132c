"""`/metrics`: the project's costs, findings, budgets and source freshness as a Prometheus
exposition (docs/metrics.md), for `costplane serve` to mount."""

from costplane.surfaces.metrics.endpoint import metrics_endpoint, metrics_registry
from costplane.surfaces.metrics.exposition import FAMILIES, Family, MetricsCollector

__all__ = [
    "FAMILIES",
    "Family",
    "MetricsCollector",
    "metrics_endpoint",
    "metrics_registry",
]
