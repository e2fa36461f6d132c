"""`plan class-change` on a hand-built world (DuckDB and PostgreSQL) and on the demo.

The hand-built world is tests/insight/placement_world.py (alpha: small class, 2 cores and
4 GiB of production quota, p95 use 1.9 cores and 2.9 GiB, October's allocated cost 100.00
direct), with a `tiny` class added below alpha's use and 20.00 of shared cost placed on
alpha on October 2nd. Every expected amount is worked out beside it from the price sheet
(tests/price_sheet.py) and the catalog.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costplane.catalog import Catalog, SharedRule, parse_catalog
from costplane.errors import InputError
from costplane.insight.class_change import ClassChange, CostSplit, class_change
from costplane.insight.class_change.pricing import cost_after
from costplane.surfaces.cli.app import app
from costplane.warehouse import ALLOCATIONS, Warehouse
from tests.conftest import DEMO_PERIOD
from tests.insight.engines import ENGINES, hand_warehouse
from tests.insight.placement_world import CATALOG, OCTOBER

CENT = Decimal("0.01")
HOURS = Decimal(730)
CORE_MONTH = Decimal("0.03") * HOURS  # price sheet: 0.03 a core-hour
GIB_MONTH = Decimal("0.004") * HOURS  # 0.004 a GiB-hour
TINY = """  tiny:
    tenancy: shared
    quota:
      production: {cpu: "1", memory: 3328Mi}
    database_band_gib: {min_gib: 0, max_gib: 5}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 60, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: "150"
"""


def hand_catalog() -> Catalog:
    return parse_catalog(CATALOG.replace("  own:\n", TINY + "  own:\n"), "class-change.yaml")


@pytest.fixture(scope="module", params=ENGINES)
def warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """The placement world, with alpha carrying 20.00 of shared cost on October 2nd."""
    for built in hand_warehouse(request, tmp_path_factory):
        day = dt.date(2026, 10, 2)
        rows = [
            {"day": day, "tenant": None, "kind": "idle", "cost": Decimal(1)},
            {"day": day, "tenant": "alpha", "kind": "shared", "cost": Decimal(20)},
        ]
        given = ibis.memtable(
            rows,
            schema={"day": "date", "tenant": "string", "kind": "string", "cost": "decimal(38,9)"},
        )
        temp = built.ibis.create_table("_shared_day", given, temp=True, overwrite=True)
        full = temp.select(
            **{
                name: temp[name] if name in temp.columns else ibis.null(dtype)
                for name, dtype in ALLOCATIONS.schema.items()
            }
        )
        built.replace_days(ALLOCATIONS.name, day, day + dt.timedelta(days=1), full)
        yield built


@pytest.fixture(scope="module")
def to_own(warehouse: Warehouse) -> ClassChange:
    return class_change(warehouse, hand_catalog(), OCTOBER, "alpha", "own")


def test_money_after_is_the_allocation_moved_by_the_priced_quota(to_own: ClassChange) -> None:
    change = to_own
    assert (change.from_class, change.to_class) == ("small", "own")
    assert (change.allocated_days, change.days_in_month, change.contract_days) == (31, 31, 31)
    # before: the allocation's 100.00 direct and 20.00 shared
    assert (change.cost_before.direct, change.cost_before.shared) == (Decimal(100), Decimal(20))
    # the quota grows by 2 cores and 4 GiB (databases and file store stay): at the price
    # sheet for the whole month, 2 x 21.90 + 4 x 2.92 = 55.48; no dedicated overhead set
    rendered_change = 2 * CORE_MONTH + 4 * GIB_MONTH
    assert rendered_change == Decimal("55.48")
    assert change.rendered_after.total - change.rendered_before.total == rendered_change
    assert change.rendered_before.compute == (2 * CORE_MONTH).quantize(CENT)
    assert change.rendered_after.compute == (4 * CORE_MONTH).quantize(CENT)
    direct = Decimal(100) + rendered_change
    shared = (Decimal(20) * direct / Decimal(100)).quantize(CENT)  # weighted: follows direct
    assert change.cost_after.direct == direct
    assert change.cost_after.shared == shared == Decimal("31.10")
    # fee: the contract has no fee of its own, so small's 400 before, own's 2000 after
    assert (change.fee_before, change.fee_after, change.fee_change) == (
        Decimal(400),
        Decimal(2000),
        Decimal(1600),
    )
    assert change.margin_before == Decimal(400) - Decimal(120)
    assert change.margin_after == Decimal(2000) - direct - shared
    assert change.shortfalls == ()
    assert not change.forced


def test_manifests_differ_where_the_class_decides(to_own: ClassChange) -> None:
    (production,) = to_own.manifests
    assert production.environment == "production"
    assert production.diff.startswith("--- a/production.yaml\n+++ b/production.yaml\n")
    added = [line for line in production.diff.splitlines() if line.startswith("+ ")]
    removed = [line for line in production.diff.splitlines() if line.startswith("- ")]
    assert "+    costplane.io/service-class: own" in production.diff
    assert "-    costplane.io/service-class: small" in production.diff
    assert "+    requests.cpu: '4'" in added
    assert "-    requests.cpu: '2'" in removed


def test_a_class_below_the_p95_use_is_refused_naming_it(warehouse: Warehouse) -> None:
    # alpha's p95: 1.9 cores and 2.9 GiB (worked out in test_placement); tiny: 1 core and
    # 3.25 GiB (the least memory an Odoo environment renders in), a 5 GiB database band
    with pytest.raises(InputError) as refused:
        class_change(warehouse, hand_catalog(), OCTOBER, "alpha", "tiny")
    text = str(refused.value)
    assert "\n" not in text
    assert "production cpu-usage-p95: 1 cores entitled, 1.900 cores used" in text
    assert "short by 0.900 cores" in text
    assert "memory-usage-p95" not in text
    assert "--force" in text
    forced = class_change(warehouse, hand_catalog(), OCTOBER, "alpha", "tiny", force=True)
    assert forced.forced
    assert {(s.entitlement, s.short_by) for s in forced.shortfalls} == {
        ("cpu-usage-p95", Decimal("0.900")),
        # alpha's database: 8 GiB on October 15th (the entitlements read [start, end), so
        # not the snapshot taken at November's first midnight) against tiny's band of 5
        ("database-size", Decimal("3.000")),
    }
    # 1 core and 0.75 GiB less than small: 100 - 21.90 - (11.68 - 9.49) = 75.91 direct
    assert forced.cost_after.direct == Decimal(100) - CORE_MONTH - Decimal("2.19")
    assert forced.cost_after.direct == Decimal("75.91")
    assert forced.fee_after == Decimal(150)


def test_the_same_class_changes_nothing(warehouse: Warehouse) -> None:
    same = class_change(warehouse, hand_catalog(), OCTOBER, "alpha", "small")
    assert same.cost_after == same.cost_before
    assert same.fee_after == same.fee_before
    assert same.margin_change == 0
    assert all(m.diff == "" for m in same.manifests)


def test_unknown_tenant_or_class_is_an_input_error(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match="unknown tenant 'nobody'"):
        class_change(warehouse, hand_catalog(), OCTOBER, "nobody", "own")
    with pytest.raises(InputError, match="--to 'gold': not a service class"):
        class_change(warehouse, hand_catalog(), OCTOBER, "alpha", "gold")


# On the demo (read-only: --out writes to a temporary directory)

TENANT = "brenner-wholesale"  # shared-plus, production and staging


def _invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--home", str(home), "plan", "class-change", *args])
    return result.exit_code, result.stdout, result.stderr


def test_demo_json_against_the_catalog_and_the_allocations(demo_home: Path) -> None:
    code, out, err = _invoke(
        demo_home, TENANT, "--to", "dedicated", "--period", DEMO_PERIOD, "-o", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    catalog = yaml.safe_load((demo_home / "costplane.yaml").read_text())
    classes = catalog["service_classes"]
    tenant = next(t for t in catalog["tenants"] if t["id"] == TENANT)
    assert document["plan"] == "class-change"
    assert (document["from_class"], document["to_class"]) == (tenant["service_class"], "dedicated")
    # fee after: the new class's list fee for the contracted days of the month
    fee = Decimal(str(classes["dedicated"]["monthly_fee"]))
    assert Decimal(document["monthly_fee_after"]) == fee
    days, month = document["contract_days"], document["days_in_month"]
    assert Decimal(document["fee_after"]) == (fee * days / month).quantize(CENT)
    assert Decimal(document["fee_change"]) == Decimal(document["fee_after"]) - Decimal(
        document["fee_before"]
    )
    # cost before: the tenant's allocations of the month, read with plain SQL
    path = demo_home / ".costplane" / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        (allocated,) = con.execute(
            "SELECT sum(cost) FROM allocations WHERE tenant = ? AND day >= ? AND day < ?",
            [TENANT, dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
        ).fetchone()
    assert Decimal(document["cost_before"]["total"]) == Decimal(allocated).quantize(CENT)
    # compute after, by hand: the dedicated class's quota of each environment the tenant has
    sheet = catalog["price_sheet"]
    assert sheet["cpu"]["unit"] == "core-hour"
    share = Decimal(document["allocated_days"]) / Decimal(month)
    quota = classes["dedicated"]["quota"]
    cores = sum(Decimal(str(quota[e]["cpu"])) for e in tenant["environments"])
    compute = (cores * Decimal(str(sheet["cpu"]["amount"])) * HOURS * share).quantize(CENT)
    assert Decimal(document["rendered_after"]["compute"]) == compute
    margin_after = Decimal(document["fee_after"]) - Decimal(document["cost_after"]["total"])
    assert Decimal(document["margin_after"]) == margin_after
    assert [m["environment"] for m in document["manifests"]] == ["production", "staging"]
    assert "+    costplane.io/service-class: dedicated" in document["manifests"][0]["diff"]


def test_demo_refusal_then_forced_with_diff_and_out(demo_home: Path, tmp_path: Path) -> None:
    code, _, err = _invoke(demo_home, TENANT, "--to", "shared-standard")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "production database-size: 20 GiB entitled" in err
    assert "short by" in err
    out_dir = tmp_path / "after"
    code, out, err = _invoke(
        demo_home, TENANT, "--to", "shared-standard", "--force", "--diff", "--out", str(out_dir)
    )
    assert code == 0, err
    assert "forced: production database-size" in out
    assert "--- a/staging.yaml\n+++ /dev/null" in out  # shared-standard has no staging
    assert "+    costplane.io/service-class: shared-standard" in out
    overlay = out_dir / "overlays" / "production" / "kustomization.yaml"
    written = yaml.safe_load(overlay.read_text())
    assert written["resources"]
    assert not (out_dir / "overlays" / "staging").exists()


def test_demo_unknown_tenant_and_class_exit_2(demo_home: Path) -> None:
    code, _, err = _invoke(demo_home, "nobody", "--to", "dedicated")
    assert code == 2
    assert "unknown tenant 'nobody'" in err
    code, _, err = _invoke(demo_home, TENANT, "--to", "gold")
    assert code == 2
    assert "not a service class" in err


def test_a_class_that_cannot_render_is_a_catalog_error_at_its_line(
    demo_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "demo"  # the catalog alone: the check comes before the warehouse
    home.mkdir()
    catalog = home / "costplane.yaml"
    text = (demo_home / "costplane.yaml").read_text()
    # dedicated's production quota: 12 cores -> 100m, below the smallest Odoo environment
    start = text.index("  dedicated:\n")
    at = text.index('cpu: "12"', start)
    catalog.write_text(text[:at] + 'cpu: "100m"' + text[at + len('cpu: "12"') :])
    quota = text.index("      production:\n", start)  # the key the problem is at
    line = text[:quota].count("\n") + 1
    code, _, err = _invoke(home, TENANT, "--to", "dedicated")
    assert code == 2
    assert f"costplane.yaml:{line}:" in err
    assert "service_classes.dedicated.quota.production" in err
    assert "smaller than the minimum Odoo environment" in err


money = st.decimals(min_value=0, max_value=100_000, places=2)
change_of = st.decimals(min_value=-100_000, max_value=100_000, places=2)


@settings(max_examples=40, deadline=None)
@given(direct=money, shared=money, change=change_of)
def test_shared_cost_follows_direct_cost_when_weighted(
    direct: Decimal, shared: Decimal, change: Decimal
) -> None:
    before = CostSplit(direct, shared)
    weighted = cost_after(before, change, SharedRule.WEIGHTED)
    even = cost_after(before, change, SharedRule.EVEN)
    assert weighted.direct == even.direct == max(Decimal(0), direct + change)
    assert even.shared == shared  # even: the same share whatever the size
    if direct > 0:  # weighted: shared over direct stays, to the cent
        assert abs(weighted.shared - shared * weighted.direct / direct) <= Decimal("0.005")
    else:
        assert weighted.shared == shared
    assert cost_after(before, Decimal(0), SharedRule.WEIGHTED) == before
