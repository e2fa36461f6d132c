"""Idle node capacity: first-fit decreasing checked against packings worked by hand, pools'
selectors and taints, pods counted hour by hour, and the money at the bill's prices, on
DuckDB and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costplane.errors import InputError
from costplane.insight import (
    Capacity,
    Item,
    PodDemand,
    Taint,
    Toleration,
    first_fit_decreasing,
    nodes_needed,
    read_cluster_state,
    recommend_nodes,
)
from costplane.warehouse import Warehouse
from tests.insight.conftest import GIB, POOL_LABEL, Cluster, insight_catalog

D = Decimal


def items(*cpus: str, memory: int = 1) -> list[Item]:
    return [Item(f"p{i}", D(cpu), D(memory)) for i, cpu in enumerate(cpus)]


def test_ffd_packs_the_largest_first() -> None:
    # 3, 2, 2, 1, 1, 1 cores on 4-core nodes: [3, 1] [2, 2] [1, 1] -> 3 nodes (10 cores need 3)
    packed = first_fit_decreasing(items("1", "2", "3", "1", "2", "1"), Capacity(D(4), D(100)))
    assert [[i.cpu_cores for i in node] for node in packed] == [
        [D(3), D(1)],
        [D(2), D(2)],
        [D(1), D(1)],
    ]


def test_ffd_sorts_by_the_dominant_resource() -> None:
    # node: 4 cores, 8 GiB. a: 1 core 6 GiB (memory dominates, 0.75), b: 3 cores 1 GiB (0.75),
    # c: 2 cores 2 GiB (0.5), d: 1 core 2 GiB (0.25). Order a, b, c, d:
    # a -> n1 (3 cores, 2 GiB free); b -> n1 (0, 1 free); c -> n2 (2, 6); d -> n2 (1, 4)
    node = Capacity(D(4), D(8 * GIB))
    pods = [
        Item("d", D(1), D(2 * GIB)),
        Item("c", D(2), D(2 * GIB)),
        Item("b", D(3), D(1 * GIB)),
        Item("a", D(1), D(6 * GIB)),
    ]
    packed = first_fit_decreasing(pods, node)
    assert [[i.name for i in n] for n in packed] == [["a", "b"], ["c", "d"]]


def test_a_pod_larger_than_the_node_fits_no_count() -> None:
    assert nodes_needed(items("5"), Capacity(D(4), D(100))) is None
    assert nodes_needed([], Capacity(D(4), D(100))) == 0


def test_toleration_matching_follows_kubernetes() -> None:
    taint = Taint("dedicated", "a", "NoSchedule")
    assert Toleration("dedicated", "Equal", "a", "NoSchedule").tolerates(taint)
    assert Toleration("dedicated", "Exists").tolerates(taint)
    assert Toleration(None, "Exists").tolerates(taint)  # tolerates everything
    assert not Toleration("dedicated", "Equal", "b").tolerates(taint)
    assert not Toleration("dedicated", "Equal", "a", "NoExecute").tolerates(taint)
    pod = PodDemand("c", "ns", "p", D(1), D(1))
    assert pod.tolerates([Taint("x", None, "PreferNoSchedule")])  # only a preference
    assert not pod.tolerates([taint])


def platform() -> Cluster:
    """Pool `general`: 3 nodes of 4 cores and 16 GiB at 4.80 a day (0.20 an hour). Pool
    `tenant-a`: 2 such nodes, tainted for tenant a. Pods request whole cores."""
    cluster = Cluster()
    for n in range(3):
        cluster.node(f"g{n}", "general")
    for n in range(2):
        cluster.node(f"t{n}", "tenant-a", taint="a")
    general = {POOL_LABEL: "general"}
    for n in range(4):  # every hour of the 10 days
        cluster.pod(f"web-{n}", "shop", f"g{n % 3}", "1", "2Gi", selector=general)
    for n in range(2):
        cluster.pod(f"erp-{n}", "a-prod", f"t{n}", "1", "4Gi", tolerate="a")
    # ran on day 0 only and is gone now (asleep): counted in the hours it ran
    cluster.pod("batch", "shop", "g2", "2", "2Gi", hours=range(0, 24), in_inventory=False)
    # pending, selecting a pool that does not exist: reported, not packed
    cluster.pod("lost", "shop", None, "1", "1Gi", selector={POOL_LABEL: "gpu"})
    return cluster


def test_pools_are_resized_at_the_bills_prices(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    platform().load(warehouse, catalog)
    state = read_cluster_state(warehouse, catalog, 10)
    result = recommend_nodes(state, catalog.currency)
    pools = {p.pool: p for p in result.clusters}
    # headroom 20 %: a node offers 3.2 cores. general's busiest hour (day 0): the 2-core
    # batch and four 1-core pods: [2, 1] [1, 1, 1] -> 2 nodes. tenant-a: [1, 1] -> 1 node.
    general, tenant = pools["general"], pools["tenant-a"]
    assert (general.nodes_now, general.nodes_recommended) == (3, 2)
    assert (tenant.nodes_now, tenant.nodes_recommended) == (2, 1)
    # 0.20 an hour x 730 hours = 146.00 a node a month
    assert general.monthly_cost_now == D("438.00")
    assert general.monthly_cost_recommended == D("292.00")
    assert general.saving == D("146.00")
    assert tenant.saving == D("146.00")
    assert (general.peak_pods, general.peak_cpu_requested_cores) == (5, D(6))
    assert general.node_type == "small"
    assert general.priced_by == "bill"
    assert result.saving == D("292.00")
    assert [(p.namespace, p.name) for p in result.unplaced] == [("shop", "lost")]
    assert "no pool" in result.unplaced[0].reason


def test_a_cheaper_type_wins_and_headroom_moves_the_count(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    cluster = Cluster(days=2)
    for n in range(2):  # the pool runs two 8-core nodes at 0.40 an hour
        cluster.node(
            f"big{n}", "general", node_type="large", cpu="8", memory="32Gi", daily_cost="9.60"
        )
    cluster.node("s0", "other", daily_cost="4.80")  # a 4-core type the bill prices at 0.20
    for n in range(3):
        cluster.pod(f"web-{n}", "shop", f"big{n % 2}", "1", "1Gi")
    cluster.load(warehouse, catalog)
    state = read_cluster_state(warehouse, catalog, 2)
    # by default a pool keeps its own types: one large node (3 cores fit one)
    own = {p.pool: p for p in recommend_nodes(state, "EUR").clusters}["general"]
    assert (own.node_type, own.nodes_recommended, own.saving) == ("large", 1, D("292.00"))
    by_pool = {p.pool: p for p in recommend_nodes(state, "EUR", any_type=True).clusters}
    general = by_pool["general"]
    # any type the cluster runs: 3 cores, one small node (3.2 cores usable) at 146.00 beats
    # one large at 292.00
    assert (general.node_type, general.nodes_recommended) == ("small", 1)
    assert general.monthly_cost_recommended == D("146.00")
    assert general.saving == D("584.00") - D("146.00")
    # with no headroom kept, still one small node; with 30 %, 2.8 cores: two small nodes
    # (292.00) tie one large (292.00): the pool's own type wins the tie
    strict = recommend_nodes(state, "EUR", headroom=D("0.3"), any_type=True)
    general = {p.pool: p for p in strict.clusters}["general"]
    assert (general.node_type, general.nodes_recommended) == ("large", 1)
    with pytest.raises(InputError, match="headroom"):
        recommend_nodes(state, "EUR", headroom=D(1))


def test_recommended_requests_replace_the_current_ones(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    platform().load(warehouse, catalog)
    state = read_cluster_state(warehouse, catalog, 10)
    halved = [d.with_requests(d.cpu_cores / 2, d.memory_bytes) for d in state.demands]
    pools = {p.pool: p for p in recommend_nodes(state, "EUR", demands=halved).clusters}
    # general's busiest hour now asks 3 cores: one node of 3.2 cores
    assert pools["general"].nodes_recommended == 1


def test_a_pool_keeps_a_node_in_every_zone_it_spans(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    cluster = Cluster(days=2)
    for n, zone in enumerate("abc"):
        cluster.node(f"z{n}", "general", zone=f"eu-{zone}")
    cluster.pod("web", "shop", "z0", "500m", "1Gi")
    cluster.load(warehouse, catalog)
    state = read_cluster_state(warehouse, catalog, 2)
    [spread] = recommend_nodes(state, "EUR").clusters
    assert (spread.nodes_now, spread.nodes_recommended, spread.saving) == (3, 3, D("0.00"))
    [packed] = recommend_nodes(state, "EUR", spread_zones=False).clusters
    assert (packed.nodes_recommended, packed.saving) == (1, D("292.00"))
