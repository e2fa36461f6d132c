"""A query the server keeps failing (503, retried) or rejects (400, not retried) is
reported in `missing`; everything else is loaded."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from costplane.sources.collector import Collected
from tests.sources.prometheus.conftest import BackfilledFleet, collect, table
from tests.sources.prometheus.server import Proxy, proxy_to

BATCH = re.compile(r'namespace(?:=~|=)"([^"]*)"')
SORT = [(c, "ascending") for c in ("hour", "namespace", "pod", "container", "node")]
FIRST = "borealis-garden-dev"
"""The first namespace in name order, so it is named in its batch's message."""


def failing(proxy: Proxy, status: int, query_start: str) -> list[dict[str, object]]:
    proxy.rule = lambda path, query: (
        status
        if path == "/api/v1/query_range" and query.startswith(query_start) and FIRST in query
        else None
    )
    return [q for q in proxy.queries() if q["status"] == status]


def batch_namespaces(query: str) -> set[str]:
    found = BATCH.search(query)
    assert found
    return set(found.group(1).split("|"))


def rows_of(data: pa.Table, namespaces: set[str], inside: bool) -> pa.Table:
    mask = pc.is_in(data.column("namespace"), pa.array(sorted(namespaces)))
    return data.filter(mask if inside else pc.invert(mask)).sort_by(SORT)


@pytest.fixture(scope="module")
def reference(prometheus_url: str, backfilled: BackfilledFleet) -> Collected:
    return collect(prometheus_url, backfilled.window)


def test_a_query_answered_503_is_retried_then_reported(
    prometheus_url: str, backfilled: BackfilledFleet, reference: Collected
) -> None:
    with proxy_to(prometheus_url) as proxy:
        proxy.rule = lambda path, query: (
            503
            if query.startswith("sum by (namespace, pod, container, node) (rate(")
            and FIRST in query
            else None
        )
        collected = collect(proxy.url, backfilled.window)
    refused = [q for q in proxy.queries() if q["status"] == 503]
    assert len(refused) == 3
    assert len({str(q["query"]) for q in refused}) == 1
    (line,) = collected.missing
    assert line.startswith(f"CPU usage for namespaces {FIRST}, ")
    assert line.endswith("HTTP 503: refused with 503 (after 3 attempts)")
    assert collected.partial
    namespaces = batch_namespaces(str(refused[0]["query"]))
    got, whole = table(collected, "usage_samples"), table(reference, "usage_samples")
    assert got.num_rows == whole.num_rows
    # the failing batch's rows are there, without CPU; every other row is as without failure
    inside = rows_of(got, namespaces, True)
    assert inside.num_rows > 0
    assert inside.column("cpu_usage_cores").null_count == inside.num_rows
    expected = rows_of(whole, namespaces, True)
    for column in ("memory_usage_bytes", "cpu_request_cores", "memory_limit_bytes"):
        assert inside.column(column).equals(expected.column(column)), column
    assert rows_of(got, namespaces, False).equals(rows_of(whole, namespaces, False))
    assert (
        table(collected, "service_usage")
        .sort_by("resource")
        .equals(table(reference, "service_usage").sort_by("resource"))
    )


def test_a_rejected_query_is_reported_at_once(
    prometheus_url: str, backfilled: BackfilledFleet, reference: Collected
) -> None:
    with proxy_to(prometheus_url) as proxy:
        proxy.rule = lambda path, query: (
            400 if "kube_pod_container_resource_limits" in query and FIRST in query else None
        )
        collected = collect(proxy.url, backfilled.window)
    refused = [q for q in proxy.queries() if q["status"] == 400]
    assert len(refused) == 2  # CPU and memory limits, once each
    assert sorted(line.split(" for ")[0] for line in collected.missing) == [
        "CPU limits",
        "memory limits",
    ]
    assert all(line.endswith("HTTP 400 test: refused with 400") for line in collected.missing)
    namespaces = batch_namespaces(str(refused[0]["query"]))
    got = table(collected, "usage_samples")
    inside = rows_of(got, namespaces, True)
    assert inside.column("cpu_limit_cores").null_count == inside.num_rows
    assert inside.column("cpu_request_cores").null_count == 0
    whole = table(reference, "usage_samples")
    assert rows_of(got, namespaces, False).equals(rows_of(whole, namespaces, False))
