"""Scrapes every 5 minutes, written by hand for one day, in a real Prometheus: a step
shorter than the hour gives the hour's real peaks; counters across a reset, Traefik's
service metric when router metrics are off, a custom log metric, cAdvisor's pod-level
series left out, and requests joined to a container whose series carry no node."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.sources.collector import Collected
from costplane.sources.prometheus import Window
from tests.sources.prometheus.conftest import collect, table
from tests.sources.prometheus.server import backfill, prometheus_server

DAY = dt.datetime(2025, 6, 2)
E0 = int(DAY.replace(tzinfo=dt.UTC).timestamp())
SAMPLES = 24 * 12  # five-minute intervals in the day; sample j is at E0 + 300 j, j = 0..288
WEB = 'namespace="shop",pod="web-1",container="odoo",node="n1"'
WORKER = 'namespace="shop",pod="worker-1",container="queue"'  # cAdvisor without `node`
LOG_METRIC = "vector_namespace_bytes_total"
GET = 'code="200",method="GET",protocol="http"'


def rate(i: int) -> float:
    """web-1's CPU in interval i (1-based): 0.25 to 1.25 cores, never float noise."""
    return (1 + (i * 7) % 5) / 4


def memory(j: int) -> int:
    return 1_000_000_000 + (j % 12) * 1_000_000


def counter(per_interval: list[float]) -> list[float]:
    values, total = [0.0], 0.0
    for step in per_interval:
        total += step
        values.append(total)
    return values


def text(value: float) -> str:
    """A sample value with every digit it has."""
    return str(int(value)) if value == int(value) else repr(value)


def openmetrics() -> str:
    stamps = [E0 + 300 * j for j in range(SAMPLES + 1)]
    lines: list[str] = []

    def family(name: str, kind: str, series: dict[str, list[float]]) -> None:
        lines.append(f"# TYPE {name} {kind}")
        sample = f"{name}_total" if kind == "counter" else name
        for labels, values in series.items():
            lines.extend(
                f"{sample}{{{labels}}} {text(v)} {t}" for v, t in zip(values, stamps, strict=True)
            )

    def constant(value: float) -> list[float]:
        return [value] * (SAMPLES + 1)

    web = counter([300 * rate(i) for i in range(1, SAMPLES + 1)])
    pod_cgroup = 'namespace="shop",pod="web-1",container="",node="n1"'
    pause = 'namespace="shop",pod="web-1",container="POD",node="n1"'
    family(
        "container_cpu_usage_seconds",
        "counter",
        {
            WEB: web,
            WORKER: counter([30.0] * SAMPLES),
            pod_cgroup: [v * 3 for v in web],
            pause: counter([3.0] * SAMPLES),
        },
    )
    family(
        "container_memory_working_set_bytes",
        "gauge",
        {
            WEB: [float(memory(j)) for j in range(SAMPLES + 1)],
            WORKER: constant(2e8),
            pod_cgroup: constant(9e9),
        },
    )
    worker_ksm = 'namespace="shop",pod="worker-1",container="queue",node="n1"'
    family(
        "kube_pod_container_resource_requests",
        "gauge",
        {
            f'{WEB},resource="cpu",unit="core"': constant(0.5),
            f'{WEB},resource="memory",unit="byte"': constant(2147483648),
            f'{worker_ksm},resource="cpu",unit="core"': constant(0.25),
            f'{worker_ksm},resource="memory",unit="byte"': constant(536870912),
        },
    )
    family(
        "kube_pod_container_resource_limits",
        "gauge",
        {
            f'{WEB},resource="cpu",unit="core"': constant(2),
            f'{WEB},resource="memory",unit="byte"': constant(4294967296),
        },
    )
    family(
        "kube_node_status_capacity",
        "gauge",
        {
            'node="n1",resource="cpu",unit="core"': constant(4),
            'node="n1",resource="memory",unit="byte"': constant(17179869184),
            'node="n1",resource="pods",unit="integer"': constant(110),
        },
    )
    reset = counter([10.0] * 143) + counter([10.0] * (SAMPLES - 143))[1:]  # 0 again at 11:55
    family(
        "traefik_service_requests",
        "counter",
        {
            f'{GET},service="shop-odoo-web-8069@kubernetescrd"': reset,
            f'{GET},service="api@internal"': counter([1.0] * SAMPLES),
        },
    )
    family(
        LOG_METRIC.removesuffix("_total"),
        "counter",
        {
            'namespace="shop"': counter([1000.0] * SAMPLES),
            'namespace="kube-system"': counter([500.0] * SAMPLES),
        },
    )
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def handmade_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("prometheus-handmade")
    (folder / "data.om").write_text(openmetrics())
    backfill(folder / "data.om", folder / "tsdb")
    with prometheus_server(folder / "tsdb") as url:
        yield url


def collect_at(url: str, step: int) -> Collected:
    window = Window(DAY, DAY + dt.timedelta(days=1), step)
    return collect(url, window, log_bytes=LOG_METRIC)


def rows(collected: Collected, pod: str) -> list[dict[str, object]]:
    usage = table(collected, "usage_samples").sort_by("hour")
    return [r for r in usage.to_pylist() if r["pod"] == pod]


def hours(values: list[float]) -> list[list[float]]:
    return [values[12 * h : 12 * h + 12] for h in range(24)]


@pytest.mark.parametrize("step", [300, 3600])
def test_hourly_rows_at_any_step(handmade_url: str, step: int) -> None:
    collected = collect_at(handmade_url, step)
    assert collected.missing == []
    usage = table(collected, "usage_samples")
    assert sorted(set(usage.column("container").to_pylist())) == ["odoo", "queue"]
    web = rows(collected, "web-1")
    assert [r["hour"] for r in web] == [DAY + dt.timedelta(hours=h) for h in range(24)]
    rates = hours([rate(i) for i in range(1, SAMPLES + 1)])
    working = hours([float(memory(j)) for j in range(1, SAMPLES + 1)])
    for row, hour_rates, hour_memory in zip(web, rates, working, strict=True):
        assert row["cpu_usage_cores"] == pytest.approx(sum(hour_rates) / 12, abs=1e-12)
        assert row["memory_usage_bytes"] == pytest.approx(sum(hour_memory) / 12, abs=1e-3)
        assert row["memory_peak_bytes"] == max(hour_memory)
        # only steps shorter than the hour see a peak inside it
        peak = max(hour_rates) if step < 3600 else row["cpu_usage_cores"]
        assert row["cpu_usage_max_cores"] == pytest.approx(peak, abs=1e-12)
        assert (row["cpu_request_cores"], row["memory_request_bytes"]) == (0.5, 2147483648)
        assert (row["cpu_limit_cores"], row["memory_limit_bytes"]) == (2.0, 4294967296)
        assert row["node"] == "n1"
    worker = rows(collected, "worker-1")
    assert len(worker) == 24
    assert {r["node"] for r in worker} == {""}
    assert {r["cpu_request_cores"] for r in worker} == {0.25}  # joined on pod and container
    assert {r["cpu_limit_cores"] for r in worker} == {None}  # it has no limit
    assert all(r["cpu_usage_cores"] == pytest.approx(0.1, abs=1e-12) for r in worker)
    summary = collected.summary
    assert summary["points_per_query_max"] == 2 * 86400 // step
    assert (summary["nodes"], summary["node_cpu_core_hours"]) == (1, 96.0)
    assert summary["node_memory_gib_hours"] == 16 * 24


@pytest.mark.parametrize("step", [300, 3600])
def test_traefik_services_and_log_bytes_per_day(handmade_url: str, step: int) -> None:
    """Router metrics are off (Traefik's default): requests are counted per service. The
    counter reset at noon does not lose or double a request."""
    collected = collect_at(handmade_url, step)
    service = table(collected, "service_usage").sort_by(
        [("service", "ascending"), ("resource", "ascending")]
    )
    day = DAY.date()
    assert service.select(
        ["day", "namespace", "service", "resource", "metric", "quantity"]
    ).to_pylist() == [
        {
            "day": day,
            "namespace": "kube-system",
            "service": "logs",
            "resource": "kube-system",
            "metric": "ingested_bytes",
            "quantity": 144000.0,
        },
        {
            "day": day,
            "namespace": "shop",
            "service": "logs",
            "resource": "shop",
            "metric": "ingested_bytes",
            "quantity": 288000.0,
        },
        {
            "day": day,
            "namespace": "",
            "service": "traefik",
            "resource": "api@internal",
            "metric": "requests",
            "quantity": 288.0,
        },
        {
            "day": day,
            "namespace": "shop",
            "service": "traefik",
            "resource": "shop-odoo-web-8069@kubernetescrd",
            "metric": "requests",
            "quantity": 2880.0,
        },
    ]
    assert collected.summary["traefik_metric"] == "traefik_service_requests_total"
    assert collected.summary["log_metric"] == LOG_METRIC
    assert pa.types.is_date32(service.schema.field("day").type)
