"""`plan migration` on the hand-built world (DuckDB and PostgreSQL) and on the demo.

Data per tenant (tests/insight/placement_world.py): alpha 10 GiB database + 1.5 GiB of
attachments, beta 20 + 2 GiB, gamma 4 + 1 GiB. Risk: alpha 0.001 and gamma 0 (low),
beta 0.5 + 1 + 1 = 2.5 (high: custom modules, integrations, regulated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costplane.allocation import margin
from costplane.catalog import Catalog, MigrationRules
from costplane.errors import InputError
from costplane.insight.placement import (
    Evidence,
    MigrationPlan,
    Placement,
    gather_evidence,
    placement_of,
    plan_waves,
    waves_of,
)
from costplane.surfaces.cli import app
from costplane.warehouse import Warehouse
from tests.conftest import Demo
from tests.insight.engines import ENGINES, hand_warehouse
from tests.insight.placement_world import GIB, OCTOBER, catalog

warehouse = pytest.fixture(scope="module", params=ENGINES)(hand_warehouse)
EVERYONE = ("alpha", "beta", "gamma")


@dataclass(frozen=True)
class World:
    catalog: Catalog
    placement: Placement
    evidence: dict[str, Evidence]


@pytest.fixture(scope="module")
def world(warehouse: Warehouse) -> World:
    """The month read once per engine; each plan below is cut from it."""
    declared = catalog()
    evidence = gather_evidence(warehouse, declared, OCTOBER)
    placement = placement_of(declared, margin(warehouse, declared, OCTOBER), evidence)
    return World(declared, placement, evidence)


def plan(
    world: World, to: str = "own", tenants: tuple[str, ...] = EVERYONE, **rules: Any
) -> MigrationPlan:
    return waves_of(
        world.catalog, world.placement, world.evidence, to, tenants, {"c1"}, MigrationRules(**rules)
    )


def waves(found: MigrationPlan) -> list[list[str]]:
    return [[t.tenant for t in wave.tenants] for wave in found.waves]


def test_low_risk_and_small_first_with_cutover_and_cost(warehouse: Warehouse) -> None:
    found = plan_waves(warehouse, catalog(), OCTOBER, "own", EVERYONE, MigrationRules())
    assert waves(found) == [["gamma", "alpha"], ["beta"]]
    low, high = found.waves
    assert (low.risk, high.risk) == ("low", "high")
    # at 100 MiB/s: gamma 5,120 MiB in 51.2 s -> 1 minute, alpha 11,776 MiB -> 2, beta
    # 22,528 MiB -> 4; each plus 30 minutes of freeze, checks and switch
    assert [t.cutover_minutes for t in low.tenants] == [31, 32]
    assert (low.cutover_minutes, high.cutover_minutes) == (63, 34)
    assert low.data_bytes == 16 * GIB + GIB // 2
    assert high.tenants[0].file_store_bytes == 2 * GIB  # the store row, counted once
    # cost before: the allocation; after: `own` rendered (alpha 112.99 as in the placement
    # test; gamma 87.60 + 23.36 + 4 GiB x 0.20 + 1 GiB x 0.02 = 111.78)
    assert (low.cost_before, low.cost_after) == (Decimal("150.00"), Decimal("224.77"))
    assert (high.cost_before, high.cost_after) == (Decimal("300.00"), Decimal("115.00"))
    assert (found.cost_before, found.cost_after) == (Decimal("450.00"), Decimal("339.77"))
    assert found.wave_bound_bytes == 100 * 2**20 * 6 * 3600


def test_rollback_criteria_are_the_collected_counts(world: World) -> None:
    found = plan(world)
    alpha = found.waves[0].tenants[1].rollback
    assert dict(alpha.row_counts) == {"sale_order_line": 900, "stock_move": 7_000}
    assert alpha.row_counts_exact is False  # PostgreSQL's statistics, no exact Odoo counts
    assert (alpha.attachments, alpha.attachment_bytes) == (150, GIB + GIB // 2)
    assert dict(alpha.business_signals) == {"orders_confirmed": 15}  # production, October
    beta = found.waves[1].tenants[0].rollback
    assert (dict(beta.row_counts), beta.row_counts_exact) == ({"stock_move": 1_000}, True)
    assert (beta.attachments, dict(beta.business_signals)) == (300, {"orders_confirmed": 42})
    assert any("stock_move" in line for line in found.waves[1].rollback_criteria)


def test_the_bound_and_the_window_cut_waves(world: World) -> None:
    # 15 GiB a wave: gamma (5) and alpha (11.5) no longer fit together
    assert waves(plan(world, wave_max_gib=Decimal(15))) == [["gamma"], ["alpha"], ["beta"]]
    assert waves(plan(world, wave_max_tenants=1)) == [["gamma"], ["alpha"], ["beta"]]
    # a 30-minute window: every tenant alone, and over it
    short = plan(world, window_hours=Decimal("0.5"))
    assert waves(short) == [["gamma"], ["alpha"], ["beta"]]
    assert [w.within_window for w in short.waves] == [False, False, False]
    assert sum("longer window" in note for note in short.notes) == 3


def test_default_tenants_and_targets(world: World) -> None:
    # without --tenants: those the placement moves to the class's tenancy (beta alone)
    assert waves(plan(world, tenants=())) == [["beta"]]
    # a cluster: tenants running elsewhere; all run on c1, so none
    on_c1 = plan(world, to="c1", tenants=())
    assert (on_c1.target, on_c1.waves) == ("cluster", ())
    # to a cluster the class, so the prices, stay
    moved = plan(world, to="c1")
    assert all(t.cost_after == t.cost_before for w in moved.waves for t in w.tenants)
    already = plan(world, to="small", tenants=("alpha",))
    assert already.waves == ()
    assert "alpha left out: already in small" in already.notes
    with pytest.raises(InputError, match="neither a service class"):
        plan(world, to="mars")
    with pytest.raises(InputError, match="not in the catalog: zeta"):
        plan(world, tenants=("zeta",))


@settings(max_examples=20)
@given(
    gib=st.decimals(min_value=1, max_value=40, places=1),
    most=st.integers(min_value=1, max_value=3),
    hours=st.decimals(min_value="0.5", max_value=3, places=2),
)
def test_any_bounds_keep_every_wave_whole_ordered_and_full(
    world: World, gib: Decimal, most: int, hours: Decimal
) -> None:
    found = plan(world, wave_max_gib=gib, wave_max_tenants=most, window_hours=hours)
    moved = [t.tenant for w in found.waves for t in w.tenants]
    assert sorted(moved) == sorted(EVERYONE)
    bands = [("low", "medium", "high").index(w.risk) for w in found.waves]
    assert bands == sorted(bands)
    bound, window = int(gib * GIB), hours * 60
    for wave in found.waves:
        assert len(wave.tenants) <= most
        assert {t.risk for t in wave.tenants} == {wave.risk}
        fits = wave.data_bytes <= bound and wave.cutover_minutes <= window
        assert fits or len(wave.tenants) == 1
        assert (wave.within_bound, wave.within_window) == (
            wave.data_bytes <= bound,
            wave.cutover_minutes <= window,
        )
    # greedy: the first tenant of each wave did not fit the wave before it
    for before, after in zip(found.waves, found.waves[1:], strict=False):
        first = after.tenants[0]
        assert (
            before.risk != first.risk
            or len(before.tenants) == most
            or before.data_bytes + first.data_bytes > bound
            or before.cutover_minutes + first.cutover_minutes > window
        )


# The demo ---------------------------------------------------------------------------------


def run(demo: Demo, *args: str) -> Any:
    return CliRunner().invoke(app, ["--home", str(demo.home), "plan", "migration", *args])


def test_demo_waves_respect_bound_order_and_volume(demo: Demo) -> None:
    result = run(demo, "--to", "eu-dedicated-1", "--wave-max-gib", "150", "--output", "json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    bound = found["wave_bound_bytes"]
    assert bound == 150 * GIB
    order = ["low", "medium", "high"]
    bands = [order.index(w["risk"]) for w in found["waves"]]
    assert bands == sorted(bands)
    moved = [t for w in found["waves"] for t in w["tenants"]]
    for wave in found["waves"]:
        assert wave["data_bytes"] <= bound or len(wave["tenants"]) == 1
        assert len(wave["tenants"]) <= 10
        assert wave["data_bytes"] == sum(t["data_bytes"] for t in wave["tenants"])
    # every tenant outside eu-dedicated-1 (the shared ones), once
    assert len(moved) == len({t["tenant"] for t in moved}) == 32
    # the volume, independently: each production database's newest size and its attachments
    connection = duckdb.connect(str(demo.home / ".costplane" / "warehouse.duckdb"), read_only=True)
    try:
        expected = connection.execute(
            """
            WITH newest AS (
              SELECT database, max(taken_at) AS taken_at FROM database_stats
              WHERE environment = 'production' GROUP BY database)
            SELECT s.tenant, sum(s.size_bytes) FROM database_stats s JOIN newest n
              ON s.database = n.database AND s.taken_at = n.taken_at
            WHERE s.relation_kind IN ('database', 'attachments') GROUP BY s.tenant
            """
        ).fetchall()
    finally:
        connection.close()
    volumes = dict(expected)
    assert {t["tenant"]: t["data_bytes"] for t in moved} == {
        t["tenant"]: volumes[t["tenant"]] for t in moved
    }


def test_demo_cli_table_and_bad_input(demo: Demo) -> None:
    shown = run(demo, "--to", "dedicated", "--tenants", "garda-pharma,brenner-office")
    assert shown.exit_code == 0, shown.stderr
    assert "garda-pharma" in shown.stdout
    assert "rollback" in shown.stdout
    assert run(demo, "--to", "mars").exit_code == 2
    assert run(demo, "--to", "dedicated", "--throughput", "fast").exit_code == 2
