"""No query asks for more than --max-points points: counted on the wire, by a proxy in
front of the real Prometheus, and the split changes nothing in the rows."""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
import pytest

from costplane.errors import InputError
from tests.sources.prometheus.conftest import BackfilledFleet, collect, table
from tests.sources.prometheus.server import proxy_to

SORT = [(c, "ascending") for c in ("hour", "namespace", "pod", "container", "node")]
SERVICE_SORT = [(c, "ascending") for c in ("service", "resource", "day")]


def sorted_table(data: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    return data.sort_by(keys)


@pytest.mark.parametrize(("max_points", "in_time"), [(300, True), (2_000, False)])
def test_every_query_stays_within_max_points(
    prometheus_url: str, backfilled: BackfilledFleet, max_points: int, in_time: bool
) -> None:
    """300 points is less than 72 hours of the biggest namespaces: those are also split in
    time; 2,000 points fit a batch of namespaces for the whole window."""
    whole = collect(prometheus_url, backfilled.window, max_points=10_000_000)
    with proxy_to(prometheus_url) as proxy:
        split = collect(proxy.url, backfilled.window, max_points=max_points)
    queries = proxy.queries()
    points = [int(str(q["points"])) for q in queries]
    assert points
    assert max(points) <= max_points
    assert split.summary["points_per_query_max"] == max(points)
    assert split.summary["queries"] == len(queries) > whole.summary["queries"]
    assert split.summary["samples"] == sum(points) == whole.summary["samples"]
    # split by namespace (several batches a field), and in time when a batch needs it
    spans: dict[str, set[tuple[object, object]]] = defaultdict(set)
    for query in queries:
        spans[str(query["query"])].add((query["start"], query["end"]))
    cpu = [q for q in spans if q.startswith("sum by (namespace, pod, container, node) (rate(")]
    assert len(cpu) > 1
    assert any(len(found) > 1 for found in spans.values()) is in_time
    for name, keys in (("usage_samples", SORT), ("service_usage", SERVICE_SORT)):
        assert sorted_table(table(split, name), keys).equals(
            sorted_table(table(whole, name), keys)
        ), name


def test_a_namespace_bigger_than_max_points_is_an_input_error(
    prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    with pytest.raises(InputError) as raised:
        collect(prometheus_url, backfilled.window, max_points=3)
    message = str(raised.value)
    assert "series: one step of it exceeds --max-points 3" in message
    assert message.startswith("namespace ")
