"""The cost model on small platforms whose costs can be worked out by hand (docs/allocation.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from costplane.allocation import Window, allocate, reconcile
from costplane.catalog import Catalog
from costplane.money import cents
from costplane.warehouse import ALLOCATIONS, Warehouse
from tests.allocation.conftest import Platform, catalog

DAY1 = Window(dt.date(2026, 10, 1), dt.date(2026, 10, 2))


def rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    table = warehouse.table(ALLOCATIONS.name)
    return table.order_by("day", "kind", "tenant", "namespace").to_pyarrow().to_pylist()


def cost_of(found: list[dict[str, Any]], **match: Any) -> Decimal:
    selected = [r for r in found if all(r[k] == v for k, v in match.items())]
    assert selected, f"no allocation row with {match}"
    return sum((r["cost"] for r in selected), Decimal(0))


def one_node(platform: Platform) -> None:
    """A 4-core, 16 GiB node billed 24.00 a day; acme takes a quarter of it, bolt bursts."""
    platform.node("n1", cpu=4, memory_gib=16)
    platform.tenant_namespace("acme-prod", "acme")
    platform.tenant_namespace("bolt-prod", "bolt")
    platform.run("n1", "acme-prod", range(24), 1.0, 0.5, 4, 2)
    platform.run("n1", "bolt-prod", range(12), 2.0, 3.0, 8, 4)
    platform.charge("cloud://n1", "24.00")


def run(
    warehouse: Warehouse, platform: Platform, cat: Catalog, window: Window = DAY1
) -> list[dict[str, Any]]:
    platform.load(warehouse, cat)
    allocate(warehouse, cat, window)
    return rows(warehouse)


def assert_reconciles(warehouse: Warehouse, window: Window) -> None:
    days, total = reconcile(warehouse, window)
    assert all(day.difference == 0 for day in days)
    assert total.difference == 0


def test_a_node_is_split_by_requested_or_used_hours_and_the_rest_is_idle(
    warehouse: Warehouse,
) -> None:
    platform = Platform()
    one_node(platform)
    found = run(warehouse, platform, catalog())
    # CPU is 0.12/0.184 of the node's price (price sheet 4 x 0.03 vs 16 x 0.004):
    # 0.16304.../core-hour and 0.02173.../GiB-hour. acme: 24 core-h + 96 GiB-h = 6.00.
    # bolt bursts above its request: 12 h x max(2, 3) cores + 12 h x 8 GiB = 7.9565...
    assert cost_of(found, tenant="acme", kind="direct") == Decimal("6.000000000")
    assert cents(cost_of(found, tenant="bolt", kind="direct")) == Decimal("7.96")
    assert cents(cost_of(found, kind="idle")) == Decimal("10.04")
    assert cost_of(found, day=dt.date(2026, 10, 1)) == Decimal("24.000000000")
    acme = next(r for r in found if r["tenant"] == "acme")
    assert acme["cpu_core_hours"] == pytest.approx(24)
    assert acme["memory_gib_hours"] == pytest.approx(96)
    assert acme["efficiency"] == pytest.approx(0.5)  # half of what it reserved was used
    assert acme["cost_domain"] == "compute"
    assert acme["node_pool"] == "pool-a"
    assert_reconciles(warehouse, DAY1)


def test_a_namespace_without_labels_is_found_in_the_catalog_or_left_unallocated(
    warehouse: Warehouse,
) -> None:
    platform = Platform()
    platform.node("n1", cpu=4, memory_gib=16)
    platform.namespace("acme-dev")  # no labels, but the catalog names it
    platform.namespace("scratch")  # nobody's
    platform.run("n1", "acme-dev", range(24), 1.0, 0.5, 4, 2)
    platform.run("n1", "scratch", range(24), 1.0, 0.5, 4, 2)
    platform.charge("cloud://n1", "24.00")
    found = run(warehouse, platform, catalog())
    acme = [r for r in found if r["tenant"] == "acme"]
    assert [(r["environment"], r["service_class"]) for r in acme] == [("development", "standard")]
    assert cost_of(found, kind="unallocated", namespace="scratch") == Decimal("6.000000000")
    assert_reconciles(warehouse, DAY1)


def test_shared_platform_cost_goes_to_tenants_by_their_direct_cost(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    platform.namespace("monitoring", {"costplane.io/shared": "true"})
    platform.run("n1", "monitoring", range(24), 1.0, 1.0, 4, 4)  # 6.00 of the node
    found = run(warehouse, platform, catalog())
    acme, bolt = (
        cost_of(found, tenant="acme", kind="direct"),
        cost_of(found, tenant="bolt", kind="direct"),
    )
    shared_acme = cost_of(found, tenant="acme", kind="shared")
    shared_bolt = cost_of(found, tenant="bolt", kind="shared")
    assert shared_acme + shared_bolt == Decimal("6.000000000")
    assert float(shared_acme / shared_bolt) == pytest.approx(float(acme / bolt), rel=1e-8)
    assert_reconciles(warehouse, DAY1)


def test_the_even_rule_spreads_shared_cost_equally(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    platform.namespace("monitoring", {"costplane.io/shared": "true"})
    platform.run("n1", "monitoring", range(24), 1.0, 1.0, 4, 4)
    found = run(warehouse, platform, catalog("allocation: {shared_rule: even}\n"))
    assert cost_of(found, tenant="acme", kind="shared") == Decimal("3.000000000")
    assert cost_of(found, tenant="bolt", kind="shared") == Decimal("3.000000000")


def test_traefik_follows_requests_per_router(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    platform.namespace("traefik", {"costplane.io/shared": "true"})
    platform.run("n1", "traefik", range(24), 0.5, 0.5, 2, 2)  # 3.00 of the node
    platform.charge("lb-1.example", "1.00", category="Networking", subcategory="Load Balancing")
    platform.objects.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "traefik", "namespace": "traefik"},
            "spec": {"type": "LoadBalancer"},
            "status": {"loadBalancer": {"ingress": [{"hostname": "lb-1.example"}]}},
        }
    )
    platform.meter("acme-prod", "traefik", "requests", 3000)
    platform.meter("bolt-prod", "traefik", "requests", 1000)
    found = run(warehouse, platform, catalog())
    assert cost_of(found, tenant="acme", kind="shared", cost_domain="compute") == Decimal(
        "2.250000000"
    )
    assert cost_of(found, tenant="bolt", kind="shared", cost_domain="compute") == Decimal(
        "0.750000000"
    )
    assert cost_of(found, tenant="acme", kind="shared", cost_domain="ingress") == Decimal(
        "0.750000000"
    )
    assert_reconciles(warehouse, DAY1)


def test_volumes_go_to_their_namespace_and_unknown_resources_stay_unallocated(
    warehouse: Warehouse,
) -> None:
    platform = Platform()
    one_node(platform)
    platform.volume("vol-1", "acme-prod")
    platform.charge("vol-1", "0.33", category="Storage", subcategory="Disk")
    platform.charge("mystery-1", "5.00", category="Compute", subcategory="Virtual Machines")
    platform.charge(None, "1.50", category="Management and Governance", subcategory="Support")
    found = run(warehouse, platform, catalog())
    assert cost_of(found, tenant="acme", cost_domain="storage") == Decimal("0.330000000")
    assert cost_of(found, kind="unallocated", resource="mystery-1") == Decimal("5.000000000")
    unplaced = [r for r in found if r["kind"] == "unallocated" and r["cost_domain"] == "overhead"]
    assert sum(r["cost"] for r in unplaced) == Decimal("1.500000000")  # unclassified, kept
    assert_reconciles(warehouse, DAY1)


def test_a_tenant_tag_places_a_charge_no_other_rule_claims(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    platform.charge(
        "pg-bolt",
        "9.99",
        category="Databases",
        subcategory="Relational Databases",
        tags={"costplane.io/tenant": "bolt", "costplane.io/environment": "production"},
    )
    found = run(warehouse, platform, catalog())
    assert cost_of(found, tenant="bolt", cost_domain="database") == Decimal("9.990000000")


def test_a_charge_over_several_days_is_spread_over_them_exactly(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    platform.charge("mystery-2", "10.00", day=-1, days=3)  # Sep 30 to Oct 2: 3.33... a day
    window = Window(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
    found = run(warehouse, platform, catalog(), window)
    spread = [r for r in found if r["resource"] == "mystery-2"]
    assert sorted(r["day"] for r in spread) == [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    assert sum(r["cost"] for r in spread) in (Decimal("6.666666666"), Decimal("6.666666667"))
    assert_reconciles(warehouse, window)


def test_a_cluster_without_a_bill_is_priced_from_the_price_sheet(warehouse: Warehouse) -> None:
    platform = Platform(cluster="onprem")
    platform.node("n9", cpu=4, memory_gib=16)
    platform.tenant_namespace("acme-prod", "acme")
    platform.run("n9", "acme-prod", range(24), 1.0, 0.5, 4, 2)
    found = run(warehouse, platform, catalog())
    # (4 x 0.03 + 16 x 0.004) x 24 = 4.416 a day, a quarter of it for acme
    assert {r["source"] for r in found} == {"price-sheet"}
    assert cost_of(found, tenant="acme") == Decimal("1.104000000")
    assert cost_of(found, kind="idle") == Decimal("3.312000000")
    _days, total = reconcile(warehouse, DAY1)
    assert total.billed == 0
    assert total.difference == 0


def test_overhead_is_spread_over_tenants_by_its_rule(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    extra = "allocation:\n  overhead:\n    - {id: platform-team, monthly_amount: 310, rule: even}\n"
    found = run(warehouse, platform, catalog(extra))
    assert cost_of(found, kind="overhead", tenant="acme") == Decimal("5.000000000")
    assert cost_of(found, kind="overhead", tenant="bolt") == Decimal("5.000000000")
    assert {r["source"] for r in found if r["kind"] == "overhead"} == {"catalog"}
    assert_reconciles(warehouse, DAY1)


def test_idle_can_be_spread_over_tenants(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    found = run(warehouse, platform, catalog("allocation: {share_idle: true}\n"))
    idle = [r for r in found if r["kind"] == "idle"]
    assert {r["tenant"] for r in idle} == {"acme", "bolt"}
    assert cents(sum(r["cost"] for r in idle)) == Decimal("10.04")
    assert_reconciles(warehouse, DAY1)


def test_allocating_again_replaces_the_days(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    cat = catalog()
    first = run(warehouse, platform, cat)
    allocate(warehouse, cat, DAY1)
    assert [r["cost"] for r in rows(warehouse)] == [r["cost"] for r in first]


def test_a_node_without_a_provider_id_is_priced_and_split_like_any_other(
    warehouse: Warehouse,
) -> None:
    platform = Platform(cluster="onprem")
    platform.node("n9", cpu=4, memory_gib=16)
    del platform.objects[-1]["spec"]["providerID"]  # a bare-metal node the cloud never billed
    platform.tenant_namespace("acme-prod", "acme")
    platform.run("n9", "acme-prod", range(24), 1.0, 0.5, 4, 2)
    found = run(warehouse, platform, catalog())
    assert cost_of(found, tenant="acme") == Decimal("1.104000000")
    assert cost_of(found, kind="idle", resource="node/onprem/n9") == Decimal("3.312000000")
    assert [r for r in found if r["kind"] == "unallocated"] == []


def test_idle_of_a_node_without_a_pool_label_is_spread_too(warehouse: Warehouse) -> None:
    platform = Platform()
    one_node(platform)
    del platform.objects[0]["metadata"]["labels"]["karpenter.sh/nodepool"]
    found = run(warehouse, platform, catalog("allocation: {share_idle: true}\n"))
    idle = [r for r in found if r["kind"] == "idle"]
    assert {r["tenant"] for r in idle} == {"acme", "bolt"}
    assert {r["node_pool"] for r in idle} == {None}
    assert cents(sum(r["cost"] for r in idle)) == Decimal("10.04")
    assert_reconciles(warehouse, DAY1)
