"""The Prometheus collector: container usage, requests and limits (with each pod's workload,
from kube-state-metrics' owner series), node capacity, Traefik
requests, log bytes and volume use from a Prometheus-compatible HTTP API (Prometheus,
Thanos, Mimir), split so that no query asks for more than a set number of points. See
docs/sources/prometheus.md."""

from costplane.sources.prometheus.collect import (
    CONCURRENCY,
    DEFAULT_MAX_POINTS,
    PrometheusRequest,
    collect_prometheus,
)
from costplane.sources.prometheus.promql import DEFAULT_LOG_BYTES, checked_matchers, parse_selector
from costplane.sources.prometheus.target import prometheus_target
from costplane.sources.prometheus.window import Window, window_of

__all__ = [
    "CONCURRENCY",
    "DEFAULT_LOG_BYTES",
    "DEFAULT_MAX_POINTS",
    "PrometheusRequest",
    "Window",
    "checked_matchers",
    "collect_prometheus",
    "parse_selector",
    "prometheus_target",
    "window_of",
]
