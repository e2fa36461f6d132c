"""Rightsizing on a small platform, on DuckDB and PostgreSQL: KRR's numbers computed
independently with numpy (per pod p95, linear, as Prometheus's quantile_over_time and
numpy's default; KRR's float rounding), the pooled strategy, HPA targets, the minimum
samples, the money, the risks, and the `requests-oversized` policy agreeing number for
number."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costplane.governance import PriceSource, govern_warehouse, policies_with_pack
from costplane.insight.rightsizing import (
    STRATEGIES,
    PooledStrategy,
    SimpleStrategy,
    StrategyOptions,
    WorkloadRecommendations,
    monthly_saving,
    recommend_containers,
    register_strategy,
    resources_patch,
    round_cpu,
    round_memory,
    size_containers,
    strategy_named,
)
from costplane.warehouse import Warehouse, connect_warehouse

from .platform import (
    CPU_HOUR,
    END,
    GIB,
    GIB_HOUR,
    OBJECTS,
    PODS,
    START,
    catalog,
    load_platform,
    samples,
)

PRICES = {"cpu": Decimal(CPU_HOUR), "memory": Decimal(GIB_HOUR)}


def price(name: str, cluster: str) -> Decimal | None:
    return PRICES.get(name)


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    url = (
        f"duckdb:///{tmp_path / 'w.duckdb'}"
        if request.param == "duckdb"
        else request.getfixturevalue("postgres_url")
    )
    with connect_warehouse(url) as opened:
        load_platform(opened)
        yield opened


def krr_cpu(cores: float) -> str:
    """KRR's runner: math.ceil(value * 10**3) / 10**3, at least 10m; as a quantity."""
    millis = max(math.ceil(cores * 10**3), 10)
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def krr_memory(size: float) -> str:
    """KRR's runner: math.ceil(value * (1 / 1024**2)) MiB, at least 100Mi."""
    mib = max(math.ceil(size * (1 / 1024**2)), 100)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def pods_of(prefix: str) -> list[str]:
    return [pod for pod, (p, *_) in PODS.items() if p == prefix]


def reference(prefix: str, container: str, pooled: bool = False) -> tuple[float, float, int]:
    """(CPU cores, memory bytes before rounding, samples) by KRR's rule, with numpy."""
    series = samples()
    pods = [series[(pod, container)] for pod in pods_of(prefix)]
    if pooled:
        cpu = float(np.percentile(np.concatenate([s["cpu"] for s in pods]), 95))
    else:
        cpu = max(float(np.percentile(s["cpu"], 95)) for s in pods)
    memory = max(float(s["peak"].max()) for s in pods) * (1 + 15 / 100)
    return cpu, memory, sum(len(s["cpu"]) for s in pods)


def recommend(warehouse: Warehouse, name: str = "simple") -> WorkloadRecommendations:
    return recommend_containers(
        warehouse, strategy_named(name), StrategyOptions(), price, "EUR", end=END
    )


def by_container(result: WorkloadRecommendations) -> dict[tuple[str, str], dict[str, object]]:
    from costplane.service import to_document

    document = to_document(result)
    return {(c["workload"], c["container"]): c for c in document["containers"]}


def test_simple_gives_krrs_numbers(warehouse: Warehouse) -> None:
    result = recommend(warehouse)
    got = by_container(result)
    assert set(got) == {
        ("web", "odoo"),
        ("web", "proxy"),
        ("api", "odoo"),
        ("db", "postgres"),
        ("new", "odoo"),
    }
    for prefix, container in [("web", "odoo"), ("web", "proxy"), ("db", "postgres")]:
        cpu, memory, n = reference(prefix, container)
        row = got[(prefix, container)]
        assert row["cpu_recommended"] == krr_cpu(cpu), (prefix, container)
        assert row["memory_recommended"] == krr_memory(memory), (prefix, container)
        assert row["memory_limit_recommended"] == row["memory_recommended"]
        assert row["cpu_limit_recommended"] is None
        assert row["samples"] == n
        assert row["tenant"] == "acme"
    assert got[("web", "odoo")]["kind"] == "Deployment"
    assert got[("db", "postgres")]["kind"] == "StatefulSet"
    assert (result.window.start, result.window.end) == (START, END)


def test_pooled_takes_one_percentile_over_the_pods(warehouse: Warehouse) -> None:
    simple, pooled = (
        by_container(recommend(warehouse)),
        by_container(recommend(warehouse, "pooled")),
    )
    cpu, _, _ = reference("web", "odoo", pooled=True)
    assert pooled[("web", "odoo")]["cpu_recommended"] == krr_cpu(cpu)
    # the churned pod's 30 busy hours set KRR's maximum, not the pool's percentile
    assert simple[("web", "odoo")]["cpu_recommended"] != pooled[("web", "odoo")]["cpu_recommended"]
    assert (
        simple[("web", "odoo")]["memory_recommended"]
        == pooled[("web", "odoo")]["memory_recommended"]
    )


def test_hpa_minimum_samples_money_and_risk(warehouse: Warehouse) -> None:
    got = by_container(recommend(warehouse))
    # api: scaled by an HPA at 60 %: the request at which the p95 is 60 % of it
    cpu, _, _ = reference("api", "odoo")
    assert got[("api", "odoo")]["cpu_recommended"] == krr_cpu(cpu / 0.60)
    assert got[("api", "odoo")]["hpa_target_cpu_utilisation"] == 60
    # new: 50 samples, under KRR's 100
    new = got[("new", "odoo")]
    assert new["samples"] == 50
    assert (new["cpu_recommended"], new["memory_recommended"], new["monthly_saving"]) == (
        None,
        None,
        None,
    )
    # db: uses more than it requests: no saving, the risks named
    assert got[("db", "postgres")]["risk"] == "oom-kill, throttling"
    assert got[("db", "postgres")]["monthly_saving"] == "0.00"
    # web: two pods run at the end; each requests 2 cores and 4Gi for odoo
    web = got[("web", "odoo")]
    assert web["pods"] == 2
    cpu, memory, _ = reference("web", "odoo")
    cpu_rec = Decimal(max(math.ceil(cpu * 1000), 10)) / 1000
    memory_rec = Decimal(max(math.ceil(memory / 2**20), 100) * 2**20)
    hourly = (2 - cpu_rec) * PRICES["cpu"] + (4 * GIB - memory_rec) / GIB * PRICES["memory"]
    expected = (2 * hourly * 730).quantize(Decimal("0.01"))
    assert web["monthly_saving"] == str(expected)
    assert web["risk"] is None


def test_the_policy_and_the_command_agree(warehouse: Warehouse) -> None:
    policies = [
        item.policy
        for item in policies_with_pack([], include_pack=True)
        if item.policy.id == "requests-oversized"
    ]
    review = govern_warehouse(warehouse, catalog(), policies, prices=PriceSource.SHEET)
    findings = {f.resource.name: f for f in review.findings}
    assert set(findings) == {"web"}  # api has an HPA, new too few samples, db is short
    sized = size_containers(warehouse, START, END, SimpleStrategy(), StrategyOptions())
    web = [c for c in sized if c.workload == "web"]
    total = sum((monthly_saving(c, price) or Decimal(0) for c in web), Decimal(0))
    assert findings["web"].monthly_waste == total


def test_the_patch_sets_requests_and_the_memory_limit(warehouse: Warehouse) -> None:
    result = recommend(warehouse)
    web = [c for c in result.containers if c.workload == "web"]
    patch = resources_patch(OBJECTS[1], web)
    assert patch is not None
    containers = patch["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["odoo", "proxy"]
    odoo = {c.container: c for c in web}["odoo"]
    assert containers[0]["resources"] == {
        "requests": {"cpu": odoo.cpu_recommended, "memory": odoo.memory_recommended},
        "limits": {"memory": odoo.memory_recommended},
    }
    assert containers[0]["image"] == "registry.example.com/odoo:18.0"


def test_strategies_are_a_registry() -> None:
    assert isinstance(strategy_named("simple"), SimpleStrategy)
    assert isinstance(strategy_named("pooled"), PooledStrategy)
    with pytest.raises(ValueError, match="known: pooled, simple"):
        strategy_named("vpa")
    with pytest.raises(ValueError, match="percentile"):
        StrategyOptions(percentile=0)


def test_a_plugin_strategy_is_registered_and_used(warehouse: Warehouse) -> None:
    @register_strategy
    class Mean(SimpleStrategy):
        name = "test-median-pod"
        summary = "the median of the pods' percentiles"

        def cpu(self, per_pod: Sequence[float], pooled: float | None) -> float:
            return float(np.median(per_pod))

    try:
        got = by_container(recommend(warehouse, "test-median-pod"))
        series = samples()
        per_pod = [float(np.percentile(series[(p, "odoo")]["cpu"], 95)) for p in pods_of("web")]
        assert got[("web", "odoo")]["cpu_recommended"] == krr_cpu(float(np.median(per_pod)))
    finally:
        STRATEGIES.pop("test-median-pod")


def test_krr_float_rounding() -> None:
    # 0.1 + 0.2 cores is 300.00000000000006 millicores in floats: KRR rounds it up to 301m
    assert round_cpu(0.57) == Decimal("0.570")
    assert round_cpu(0.1 + 0.2) == Decimal("0.301")
    assert round_cpu(0.001) == Decimal("0.010")  # the 10m floor
    assert round_memory(50 * 2**20) == 100 * 2**20  # the 100Mi floor
    assert round_memory(1.15 * GIB) == math.ceil(1.15 * 1024) * 2**20


@settings(max_examples=50)
@given(st.floats(min_value=0, max_value=64, allow_nan=False))
def test_cpu_rounding_is_krrs(cores: float) -> None:
    assert round_cpu(cores) == Decimal(max(math.ceil(cores * 10**3), 10)) / 1000


def test_a_pod_name_gives_its_workload() -> None:
    from costplane.insight.rightsizing import pod_owner

    # a CronJob's pod name fits a Deployment's too: the more specific pattern wins...
    assert pod_owner("c1", "ns", "backup-28930560-x7k2p", None) == ("CronJob", "backup")
    assert pod_owner("c1", "ns", "web-7d9f8c6b5-x1a2b", None) == ("Deployment", "web")
    assert pod_owner("c1", "ns", "db-0", None) == ("StatefulSet", "db")
    # ...unless the inventory says which workload exists
    known = {("c1", "ns", "Deployment", "backup")}
    assert pod_owner("c1", "ns", "backup-28930560-x7k2p", known) == ("Deployment", "backup")
    assert pod_owner("c1", "ns", "web-7d9f8c6b5-x1a2b", known) is None
