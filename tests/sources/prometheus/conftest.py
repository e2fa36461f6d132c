"""A small generated fleet backfilled into a real Prometheus, and how to collect from it.

The fleet (12 tenants, 4 days from Tuesday 2025-05-20) is generated and turned
into TSDB blocks once per session; each module that needs the server starts
its own on a free loopback port and stops it at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.sources.collector import Collected
from costplane.sources.prometheus import (
    PrometheusRequest,
    Window,
    collect_prometheus,
    parse_selector,
    prometheus_target,
)
from costplane.warehouse.tables import FACT_TABLES
from costplane_fleet import FleetSpec, FleetSummary, generate_fleet
from tests.sources.prometheus.server import backfill, binaries, prometheus_server

START = dt.date(2025, 5, 20)
CLUSTER = "eu-shared-1"
LOG_BYTES = f'costplane_log_bytes_total{{cluster="{CLUSTER}"}}'


@dataclass(frozen=True)
class BackfilledFleet:
    summary: FleetSummary
    tsdb: Path

    @property
    def out(self) -> Path:
        return self.summary.out

    @property
    def window(self) -> Window:
        """The fleet's window but its first day: Prometheus's rate and increase need the
        sample before an hour, and the fleet has none before its first hour."""
        spec = self.summary.spec
        return Window(spec.start_at + dt.timedelta(days=1), spec.end_at, 3600)

    def usage(self) -> pa.Table:
        return pq.read_table(self.out / "usage" / "usage_samples.parquet")

    def service_usage(self) -> pa.Table:
        return pq.read_table(self.out / "usage" / "service_usage.parquet")


@pytest.fixture(scope="session")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> BackfilledFleet:
    binaries()
    folder = tmp_path_factory.mktemp("prometheus-fleet")
    summary = generate_fleet(FleetSpec(12, 4, 3, START), folder / "fleet")
    backfill(folder / "fleet" / "prometheus" / "usage.om", folder / "tsdb")
    return BackfilledFleet(summary, folder / "tsdb")


@pytest.fixture(scope="module")
def prometheus_url(backfilled: BackfilledFleet) -> Iterator[str]:
    with prometheus_server(backfilled.tsdb) as url:
        yield url


def collect(
    url: str,
    window: Window,
    *,
    max_points: int = 100_000,
    selector: tuple[str, ...] = (),
    log_bytes: str = LOG_BYTES,
    environ: dict[str, str] | None = None,
) -> Collected:
    request = PrometheusRequest(
        window=window,
        cluster=CLUSTER,
        max_points=max_points,
        log_bytes=parse_selector(log_bytes, "--log-bytes-metric"),
        selector=selector,
    )
    return collect_prometheus(prometheus_target(url, environ or {}), request)


def table(collected: Collected, name: str) -> pa.Table:
    """A load's rows with the table's declared types (the collector dictionary-encodes
    labels; the warehouse stores them as strings)."""
    (load,) = [load for load in collected.loads if load.table == name]
    assert isinstance(load.data, pa.Table)
    return load.data.cast(FACT_TABLES[name].schema.to_pyarrow())
