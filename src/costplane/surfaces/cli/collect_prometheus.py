"""`costplane collect prometheus`: a window of container usage, Traefik requests and log
bytes from Prometheus (or Thanos, Mimir) into the warehouse."""

from __future__ import annotations

from typing import Any

import typer

from costplane.sources import Collected
from costplane.sources.prometheus import (
    DEFAULT_LOG_BYTES,
    DEFAULT_MAX_POINTS,
    PrometheusRequest,
    checked_matchers,
    collect_prometheus,
    parse_selector,
    prometheus_target,
    window_of,
)
from costplane.surfaces.cli.collect import REPLACE_HELP, app, run_collector
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of

SUMMARY_COLUMNS = [Column("measure"), Column("value", numeric=True)]
SHOWN = (
    ("from", "from"),
    ("to", "to"),
    ("namespaces", "namespaces"),
    ("containers", "containers"),
    ("usage_rows", "usage rows (container hours)"),
    ("cpu_request_core_hours", "CPU requested (core-hours)"),
    ("cpu_usage_core_hours", "CPU used (core-hours)"),
    ("workloads", "workloads (kube-state-metrics owners)"),
    ("usage_rows_without_workload", "usage rows without a workload"),
    ("nodes", "nodes"),
    ("node_cpu_core_hours", "node CPU capacity (core-hours)"),
    ("routers", "Traefik routers"),
    ("log_namespaces", "namespaces with log bytes"),
    ("volume_claims", "volume claims (kubelet use)"),
    ("service_rows", "service usage rows (per day)"),
    ("series", "series read"),
    ("samples", "samples read"),
    ("queries", "range queries"),
    ("points_per_query_max", "most points in one query"),
)


@app.command("prometheus")
def prometheus(
    ctx: typer.Context,
    url: str = typer.Option(
        ...,
        "--url",
        envvar="COSTPLANE_PROMETHEUS_URL",
        help="The Prometheus API (Thanos, Mimir: their query URL). Basic auth may be in it; a "
        "bearer token goes in $COSTPLANE_PROMETHEUS_TOKEN, a Mimir tenant in "
        "$COSTPLANE_PROMETHEUS_ORG_ID.",
    ),
    start: str | None = typer.Option(
        None, "--from", metavar="DATETIME", help="Window start, a whole hour (default: yesterday)."
    ),
    end: str | None = typer.Option(
        None, "--to", metavar="DATETIME", help="Window end, exclusive (UTC unless a zone is given)."
    ),
    step: str = typer.Option(
        "1h", "--step", help="Query resolution, dividing an hour; rows are hourly either way."
    ),
    cluster: str | None = typer.Option(
        None, "--cluster", help="The cluster's name in the warehouse (default: the URL's host)."
    ),
    max_points: int = typer.Option(
        DEFAULT_MAX_POINTS,
        "--max-points",
        min=1,
        help="Most points (series x steps) one query may ask for; queries are split to fit.",
    ),
    log_bytes_metric: str = typer.Option(
        DEFAULT_LOG_BYTES,
        "--log-bytes-metric",
        help='Counter of log bytes per namespace, a name or a selector (name{cluster="eu-1"}).',
    ),
    selector: str | None = typer.Option(
        None,
        "--selector",
        help='Label matchers added to every query, e.g. cluster="eu-1" on a shared Thanos.',
    ),
    replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Read container CPU and memory use, requests and limits (what KRR and OpenCost read),
    node capacity, Traefik requests per router and log bytes per namespace, per hour.

    Read-only: the query API is all it needs. A query that keeps failing is reported and
    the rest is loaded (the run is marked partial); rerunning the window replaces it."""
    target = prometheus_target(url)
    request = PrometheusRequest(
        window=window_of(start, end, step),
        cluster=cluster or target.host,
        max_points=max_points,
        log_bytes=parse_selector(log_bytes_metric, "--log-bytes-metric"),
        selector=checked_matchers(selector, "--selector") if selector else (),
    )

    def collect() -> Collected:
        return collect_prometheus(target, request)

    shown = f"{request.cluster} at {target.shown}"
    run_collector(
        project_of(ctx), "prometheus", shown, collect, output, _table, allow_shrink=replace
    )


def _table(summary: dict[str, Any]) -> None:
    rows = [{"measure": label, "value": summary[key]} for key, label in SHOWN]
    render(
        rows,
        SUMMARY_COLUMNS,
        OutputFormat.TABLE,
        title=f"Prometheus {summary['url']}, cluster {summary['cluster']}",
    )
