"""What the collector reads from a real Prometheus is what the fleet generated: its
OpenMetrics, backfilled, come back as the same usage_samples and service_usage rows."""

from __future__ import annotations

import datetime as dt

import duckdb
import httpx
import pyarrow as pa
import pytest

from costplane.sources.collector import Collected
from costplane.sources.prometheus import Window
from tests.sources.prometheus.conftest import CLUSTER, BackfilledFleet, collect, table

KEY = "hour, namespace, pod, container, node"
CPU_TOLERANCE = 6e-7
"""The file stores core-seconds to the millisecond: an hour's rate is off by at most
2 x 0.0005 s / 3600 s."""


SELECTOR = (f'cluster="{CLUSTER}"',)
"""The fleet's Prometheus holds both clusters, told apart by the `cluster` label."""


@pytest.fixture(scope="module")
def collected(prometheus_url: str, backfilled: BackfilledFleet) -> Collected:
    return collect(prometheus_url, backfilled.window, selector=SELECTOR)


@pytest.fixture(scope="module")
def compared(collected: Collected, backfilled: BackfilledFleet) -> duckdb.DuckDBPyConnection:
    """`got`: the collected usage rows of the cluster; `fleet`: the generator's, whole
    window, that cluster's."""
    assert collected.missing == []
    con = duckdb.connect()
    con.register("got", table(collected, "usage_samples"))
    con.register("fleet", backfilled.usage().filter(pa.compute.field("cluster") == CLUSTER))
    con.execute(
        "CREATE TABLE expected AS SELECT * FROM fleet WHERE hour >= ? AND hour < ?",
        [backfilled.window.start, backfilled.window.end],
    )
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_one_row_per_container_and_hour_the_fleet_ran(compared: duckdb.DuckDBPyConnection) -> None:
    expected = one(compared, "SELECT count(*) FROM expected")
    assert isinstance(expected, int)
    assert expected > 1000
    assert one(compared, "SELECT count(*) FROM got") == expected
    assert one(compared, f"SELECT count(*) FROM (SELECT DISTINCT {KEY} FROM got)") == expected
    missing = f"SELECT count(*) FROM (SELECT {KEY} FROM expected EXCEPT SELECT {KEY} FROM got)"
    assert one(compared, missing) == 0
    assert one(compared, "SELECT list(DISTINCT cluster) FROM got") == [CLUSTER]


def test_requests_and_limits_are_exact(compared: duckdb.DuckDBPyConnection) -> None:
    differing = f"""
        SELECT count(*) FROM got JOIN expected e USING ({KEY})
        WHERE got.cpu_request_cores IS DISTINCT FROM e.cpu_request_cores
           OR got.cpu_limit_cores IS DISTINCT FROM e.cpu_limit_cores
           OR got.memory_request_bytes IS DISTINCT FROM e.memory_request_bytes
           OR got.memory_limit_bytes IS DISTINCT FROM e.memory_limit_bytes"""
    assert one(compared, differing) == 0


def test_working_set_is_the_hours_sample(compared: duckdb.DuckDBPyConnection) -> None:
    """The file has whole bytes; with one sample an hour, the peak is that sample."""
    worst = f"""SELECT max(abs(got.memory_usage_bytes - e.memory_usage_bytes))
                FROM got JOIN expected e USING ({KEY})"""
    error = one(compared, worst)
    assert isinstance(error, float)
    assert error <= 0.5
    assert one(compared, "SELECT count(*) FROM got WHERE memory_usage_bytes IS NULL") == 0
    assert (
        one(compared, "SELECT count(*) FROM got WHERE memory_peak_bytes <> memory_usage_bytes") == 0
    )


def test_cpu_is_the_hours_rate_and_unknown_in_a_pods_first_hour(
    compared: duckdb.DuckDBPyConnection,
) -> None:
    """rate() needs the sample before the hour: a pod's first hour (a woken namespace starts
    new pods) has none, so its CPU is null rather than a guess; every other hour is exact."""
    first_hours = f"""
        SELECT {KEY} FROM expected e WHERE NOT EXISTS (
            SELECT 1 FROM fleet p WHERE p.hour = e.hour - INTERVAL 1 HOUR
              AND p.namespace = e.namespace AND p.pod = e.pod
              AND p.container = e.container AND p.node = e.node)"""
    nulls = f"SELECT {KEY} FROM got WHERE cpu_usage_cores IS NULL"
    assert one(compared, f"SELECT count(*) FROM ({first_hours})") > 0
    assert one(compared, f"SELECT count(*) FROM (({first_hours}) EXCEPT ({nulls}))") == 0
    assert one(compared, f"SELECT count(*) FROM (({nulls}) EXCEPT ({first_hours}))") == 0
    worst = f"""SELECT max(abs(got.cpu_usage_cores - e.cpu_usage_cores))
                FROM got JOIN expected e USING ({KEY})"""
    error = one(compared, worst)
    assert isinstance(error, float)
    assert error <= CPU_TOLERANCE
    # one sample an hour holds no sub-hour peak: the peak is the hour's rate
    same = "SELECT count(*) FROM got WHERE cpu_usage_max_cores IS DISTINCT FROM cpu_usage_cores"
    assert one(compared, same) == 0


def test_every_row_carries_its_pods_workload(compared: duckdb.DuckDBPyConnection) -> None:
    """Read from kube_pod_owner and kube_replicaset_owner: every pod of a Deployment is
    mapped to it through its ReplicaSet, a StatefulSet's pods to it directly."""
    differing = f"""
        SELECT count(*) FROM got JOIN expected e USING ({KEY})
        WHERE got.workload_kind IS DISTINCT FROM e.workload_kind
           OR got.workload_name IS DISTINCT FROM e.workload_name"""
    assert one(compared, differing) == 0
    assert one(compared, "SELECT count(*) FROM got WHERE workload_kind IS NULL") == 0
    kinds = compared.execute(
        """SELECT workload_kind, count(DISTINCT namespace || '/' || workload_name),
                  count(DISTINCT pod) FROM got GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    assert [k for k, _, _ in kinds] == ["Deployment", "StatefulSet"]
    assert all(pods >= workloads > 0 for _, workloads, pods in kinds)


def test_the_summary_counts_the_workloads(
    collected: Collected, compared: duckdb.DuckDBPyConnection
) -> None:
    expected = "SELECT count(DISTINCT (namespace, workload_kind, workload_name)) FROM expected"
    assert collected.summary["workloads"] == one(compared, expected)
    assert collected.summary["usage_rows_without_workload"] == 0


def test_krr_finds_the_fleets_deployments_and_their_pods(
    prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    """KRR 1.x's Prometheus workload discovery (its DoubleParentLoader's three queries, with
    its cluster selector) run unchanged at the window's end: the Deployments and pods
    running then, and their containers."""
    selector = f'cluster="{CLUSTER}",'
    found: dict[tuple[str, str], set[str]] = {}
    with httpx.Client(base_url=prometheus_url, timeout=60) as client:

        def query(promql: str) -> list[dict[str, str]]:
            answer = client.post(
                "/api/v1/query", data={"query": promql, "time": str(backfilled.window.end_epoch)}
            )
            assert answer.status_code == 200, answer.text
            return [item["metric"] for item in answer.json()["data"]["result"]]

        subowners = query(
            f"""count by (namespace, owner_name, replicaset, owner_kind) (
                    kube_replicaset_owner{{{selector} namespace!="kube-system",
                                           owner_kind=~"Deployment"}})"""
        )
        for rs in subowners:
            pods = query(
                f"""count by (namespace, owner_name, owner_kind, pod) (
                        kube_pod_owner{{{selector} namespace="{rs["namespace"]}",
                                        owner_name=~"{rs["replicaset"]}",
                                        owner_kind="ReplicaSet"}})"""
            )
            if pods:
                found[(rs["namespace"], rs["owner_name"])] = {p["pod"] for p in pods}
        running: set[str] = set().union(*found.values())
        containers = query(
            f"count by (container) (kube_pod_container_info{{{selector} "
            f'pod=~"{"|".join(sorted(running))}"}})'
        )
    usage = backfilled.usage().to_pylist()
    last = max(row["hour"] for row in usage)
    expected: dict[tuple[str, str], set[str]] = {}
    for row in usage:
        if (
            row["hour"] == last
            and row["cluster"] == CLUSTER
            and row["workload_kind"] == "Deployment"
            and row["namespace"] != "kube-system"
        ):
            expected.setdefault((row["namespace"], row["workload_name"]), set()).add(row["pod"])
    assert len(expected) > 10
    assert found == expected
    assert {c["container"] for c in containers} == {
        row["container"] for row in usage if row["pod"] in running
    }


def test_traefik_requests_per_router_and_log_bytes_per_day(
    collected: Collected, backfilled: BackfilledFleet
) -> None:
    got = table(collected, "service_usage")
    con = duckdb.connect()
    con.register("got", got)
    con.register("fleet", backfilled.service_usage())
    columns = "day, namespace, service, resource, metric, quantity"
    # the cluster selector picks the cluster's routers and log namespaces
    con.execute(
        f"""CREATE TABLE expected AS SELECT {columns} FROM fleet
            WHERE day >= ? AND service IN ('traefik', 'logs') AND cluster = ?""",
        [backfilled.window.start.date(), CLUSTER],
    )
    for service, count in con.execute(
        "SELECT service, count(*) FROM expected GROUP BY ALL ORDER BY 1"
    ).fetchall():
        assert count > 20, service
    assert (
        con.execute(f"SELECT {columns} FROM got EXCEPT ALL SELECT * FROM expected").fetchall() == []
    )
    assert (
        con.execute(f"SELECT * FROM expected EXCEPT ALL SELECT {columns} FROM got").fetchall() == []
    )
    assert set(got.column("cluster").to_pylist()) == {CLUSTER}


def test_loads_cover_the_window_for_the_cluster(
    prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    collected = collect(prometheus_url, backfilled.window)
    assert collected.source == "prometheus"
    assert collected.target == f"{CLUSTER} at {prometheus_url}"
    assert [(load.table, load.source, load.scope) for load in collected.loads] == [
        ("usage_samples", "prometheus", CLUSTER),
        ("service_usage", "prometheus", CLUSTER),
    ]
    window = backfilled.window
    assert {(load.period_start, load.period_end) for load in collected.loads} == {
        (window.start, window.end)
    }
    summary = collected.summary
    usage = table(collected, "usage_samples")
    assert summary["usage_rows"] == usage.num_rows
    assert summary["namespaces"] == len(set(usage.column("namespace").to_pylist()))
    assert summary["nodes"] == backfilled.summary.counts["nodes"]
    assert summary["routers"] > 0
    assert summary["log_namespaces"] > 0


def test_a_window_from_the_first_sample_has_no_cpu_in_its_first_hour(
    prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    """Where the history starts there is no earlier sample: CPU of that hour is unknown."""
    start = backfilled.summary.spec.start_at
    collected = collect(prometheus_url, Window(start, start + dt.timedelta(hours=3), 3600))
    usage = table(collected, "usage_samples")
    first = usage.filter(
        pa.compute.equal(usage.column("hour"), pa.scalar(start, pa.timestamp("us")))
    )
    assert first.num_rows > 0
    assert first.column("cpu_usage_cores").null_count == first.num_rows
    assert first.column("memory_usage_bytes").null_count == 0
    later = usage.filter(
        pa.compute.greater(usage.column("hour"), pa.scalar(start, pa.timestamp("us")))
    )
    assert later.column("cpu_usage_cores").null_count < later.num_rows
