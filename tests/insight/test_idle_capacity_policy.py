"""The `cluster-idle-capacity` pack policy: each pool that could run a node fewer is a
finding with the saving `recommend nodes` computes, number for number; on DuckDB and
PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import govern_warehouse
from costplane.insight import read_cluster_state, recommend_nodes
from costplane.warehouse import Warehouse
from tests.insight.conftest import Cluster, insight_catalog
from tests.insight.test_capacity import platform


def test_each_pool_a_node_too_big_is_a_finding(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    cluster = platform()
    cluster.node("o0", "odd", node_type="large", cpu="8", memory="32Gi", daily_cost="9.60")
    cluster.node("o1", "odd", node_type="large", cpu="8", memory="32Gi", daily_cost="9.60")
    cluster.pod("one", "shop", "o0", "6", "1Gi", selector={"nimbus.cloud/node-pool": "odd"})
    cluster.pod("two", "shop", "o1", "1", "1Gi", selector={"nimbus.cloud/node-pool": "odd"})
    cluster.load(warehouse, catalog)
    [policy] = [p.policy for p in pack_policies() if p.policy.id == "cluster-idle-capacity"]
    review = govern_warehouse(warehouse, catalog, [policy])
    found = {f.resource.name: f for f in review.findings}
    # general and tenant-a each run a 0.20-an-hour node too many (146.00 a month); `odd`
    # holds 6 + 1 cores on two 6.4-core nodes: nothing to save, no finding
    assert sorted(found) == ["c1/general", "c1/tenant-a"]
    assert {f.monthly_waste for f in found.values()} == {Decimal("146.00")}
    assert {f.resource.cluster for f in found.values()} == {"c1"}
    state = read_cluster_state(warehouse, catalog, 30)
    command = {f"c1/{p.pool}": p.saving for p in recommend_nodes(state, "EUR").clusters}
    assert all(found[name].monthly_waste == command[name] for name in found)
    assert command["c1/odd"] == Decimal("0.00")


def test_no_pool_no_finding(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    Cluster(days=1).load(warehouse, catalog)
    [policy] = [p.policy for p in pack_policies() if p.policy.id == "cluster-idle-capacity"]
    review = govern_warehouse(warehouse, catalog, [policy])
    assert list(review.findings) == []
    assert [r.skipped for r in review.results] == [None]
