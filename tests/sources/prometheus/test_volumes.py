"""Volume use from kubelet's `kubelet_volume_stats_used_bytes`, written by hand for two days
of five-minute scrapes in a real Prometheus: one `service_usage` row per claim and day
holding the day's peak, split and reported like every other query, and enough for the
`pvc-oversized` policy to find an oversized claim."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.catalog import load_catalog
from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import govern_warehouse
from costplane.sources import inventory_table
from costplane.sources.collector import Collected
from costplane.sources.prometheus import Window
from costplane.warehouse import Load, connect_warehouse
from tests.sources.prometheus.conftest import CLUSTER, collect, table
from tests.sources.prometheus.server import backfill, prometheus_server, proxy_to

DAY = dt.datetime(2025, 6, 2)
E0 = int(DAY.replace(tzinfo=dt.UTC).timestamp())
SAMPLES = 2 * 24 * 12  # sample j at E0 + 300 j, j = 0..576
NOON = (144, 432)  # the samples at noon on the first and the second day
GIB = 2**30
WEB = 'namespace="shop",pod="web-1",container="odoo",node="n1"'
EXAMPLE_CATALOG = Path(__file__).resolve().parents[3] / "examples/distribution-saas/costplane.yaml"


def kubelet(namespace: str, claim: str, node: str) -> str:
    """The labels of a kubelet's volume series as the Prometheus Operator scrapes them."""
    return (
        f'endpoint="https-metrics",instance="{node}:10250",job="kubelet",'
        f'metrics_path="/metrics",namespace="{namespace}",node="{node}",'
        f'persistentvolumeclaim="{claim}",service="kubelet"'
    )


def used(j: int, claim: str, node: str) -> int | None:
    """Bytes used at sample j; None where the series has no sample."""
    if claim == "data":  # 2 GiB, with a peak at noon each day: 3 GiB, then 4 GiB
        return {NOON[0]: 3 * GIB, NOON[1]: 4 * GIB}.get(j, 2 * GIB)
    if claim == "files":  # a shared volume both nodes report; n2 sees 6 GiB once, early
        return 6 * GIB if node == "n2" and j == 100 else 5 * GIB
    if claim == "empty":
        return 0
    return GIB if j >= 300 else None  # new-claim: created on the second day


CLAIMS = (
    ("shop", "data", "n1"),
    ("shop", "files", "n1"),
    ("shop", "files", "n2"),
    ("erp", "empty", "n2"),
    ("erp", "new-claim", "n1"),
)


def openmetrics() -> str:
    stamps = [E0 + 300 * j for j in range(SAMPLES + 1)]
    lines = ["# TYPE container_cpu_usage_seconds counter"]
    lines += [
        f"container_cpu_usage_seconds_total{{{WEB}}} {30 * j} {t}" for j, t in enumerate(stamps)
    ]
    lines.append("# TYPE container_memory_working_set_bytes gauge")
    lines += [f"container_memory_working_set_bytes{{{WEB}}} 1000000000 {t}" for t in stamps]
    for family in ("used", "capacity"):
        lines.append(f"# TYPE kubelet_volume_stats_{family}_bytes gauge")
        for namespace, claim, node in CLAIMS:
            labels = kubelet(namespace, claim, node)
            for j, t in enumerate(stamps):
                value = used(j, claim, node)
                if value is not None:
                    shown = value if family == "used" else 100 * GIB
                    lines.append(f"kubelet_volume_stats_{family}_bytes{{{labels}}} {shown} {t}")
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def volumes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("prometheus-volumes")
    (folder / "data.om").write_text(openmetrics())
    backfill(folder / "data.om", folder / "tsdb")
    with prometheus_server(folder / "tsdb") as url:
        yield url


def window(step: int = 3600) -> Window:
    return Window(DAY, DAY + dt.timedelta(days=2), step)


def volume_rows(collected: Collected) -> list[tuple[object, ...]]:
    service = table(collected, "service_usage")
    return sorted(
        (r["day"], r["cluster"], r["namespace"], r["resource"], r["metric"], r["quantity"])
        for r in service.to_pylist()
        if r["service"] == "kubelet"
    )


FIRST, SECOND = DAY.date(), DAY.date() + dt.timedelta(days=1)
EXPECTED = [
    (FIRST, CLUSTER, "erp", "empty", "used_bytes", 0.0),  # a reading of zero is a row
    (FIRST, CLUSTER, "shop", "data", "used_bytes", 3.0 * GIB),
    (FIRST, CLUSTER, "shop", "files", "used_bytes", 6.0 * GIB),  # the larger kubelet's
    (SECOND, CLUSTER, "erp", "empty", "used_bytes", 0.0),
    (SECOND, CLUSTER, "erp", "new-claim", "used_bytes", 1.0 * GIB),
    (SECOND, CLUSTER, "shop", "data", "used_bytes", 4.0 * GIB),
    (SECOND, CLUSTER, "shop", "files", "used_bytes", 5.0 * GIB),
]


@pytest.mark.parametrize("step", [300, 3600])
def test_a_claims_row_per_day_holds_the_days_peak(volumes_url: str, step: int) -> None:
    collected = collect(volumes_url, window(step))
    assert collected.missing == []
    assert volume_rows(collected) == EXPECTED
    service = table(collected, "service_usage")
    assert set(service.column("service").to_pylist()) == {"kubelet"}
    assert pa.types.is_date32(service.schema.field("day").type)
    summary = collected.summary
    assert (summary["volume_claims"], summary["volume_rows"]) == (4, 7)
    assert summary["usage_rows"] == 48  # the container is read as before


def test_volume_queries_are_split_to_max_points(volumes_url: str) -> None:
    """24 points a query: each namespace (two claims) alone, twelve hours a query."""
    with proxy_to(volumes_url) as proxy:
        collected = collect(proxy.url, window(), max_points=24)
    assert collected.missing == []
    assert volume_rows(collected) == EXPECTED
    asked = [q for q in proxy.queries() if "kubelet_volume_stats_used_bytes" in str(q["query"])]
    matchers = [re.search(r'namespace="([^"]*)"', str(q["query"])) for q in asked]
    namespaces = [found.group(1) if found else None for found in matchers]
    assert sorted(namespaces) == ["erp"] * 4 + ["shop"] * 4
    assert all(int(str(q["points"])) <= 24 for q in asked)
    assert all("capacity" not in str(q["query"]) for q in proxy.queries())


def test_a_failing_volume_query_is_retried_then_reported(volumes_url: str) -> None:
    with proxy_to(volumes_url) as proxy:
        proxy.rule = lambda path, query: (
            503 if "kubelet_volume_stats" in query and 'namespace="erp"' in query else None
        )
        collected = collect(proxy.url, window(), max_points=96)  # a namespace a query
    refused = [q for q in proxy.queries() if q["status"] == 503]
    assert len(refused) == 3  # one query, tried three times
    (line,) = collected.missing
    assert line.startswith("volume use for namespace erp 2025-06-02T00:00:00..2025-06-04T00:00:00")
    assert line.endswith("HTTP 503: refused with 503 (after 3 attempts)")
    assert collected.partial
    assert volume_rows(collected) == [r for r in EXPECTED if r[2] == "shop"]
    assert table(collected, "usage_samples").num_rows == 48


def claim(namespace: str, name: str, size: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": size}},
            "storageClassName": "standard-rwo",
        },
        "status": {"phase": "Bound", "capacity": {"storage": size}},
    }


def test_collected_volume_use_makes_pvc_oversized_find_the_claims(
    volumes_url: str, tmp_path: Path
) -> None:
    catalog = load_catalog(EXAMPLE_CATALOG)
    collected = collect(volumes_url, window())
    taken = window().end
    claims = [
        claim("shop", "data", "20Gi"),  # peak 4 GiB: more than twice
        claim("shop", "files", "10Gi"),  # peak 6 GiB: not twice
        claim("erp", "empty", "5Gi"),  # never used
        claim("erp", "new-claim", "2Gi"),  # exactly twice its peak: not more
    ]
    inventory = inventory_table(claims, cluster=CLUSTER, taken_at=taken, labels=catalog.labels)
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse:
        warehouse.ingest(
            [
                Load("inventory_snapshots", "kubernetes", CLUSTER, taken, taken, inventory),
                *collected.loads,
            ]
        )
        policies = [p.policy for p in pack_policies() if p.policy.id == "pvc-oversized"]
        review = govern_warehouse(warehouse, catalog, policies)
    (result,) = review.results
    assert result.skipped is None
    waste = {f"{f.resource.namespace}/{f.resource.name}": f.rounded_waste for f in review.findings}
    # right-sized at 1.5 x the peak; standard-rwo costs 0.10 a GiB-month
    assert waste == {
        "shop/data": Decimal("1.40"),  # (20 - 6) GiB
        "erp/empty": Decimal("0.50"),  # 5 GiB
    }
