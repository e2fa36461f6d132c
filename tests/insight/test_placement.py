"""`recommend placement` on a hand-built world (DuckDB and PostgreSQL) and on the demo.

The hand-built figures are in tests/insight/placement_world.py; each expected value
below is worked out from them, the arithmetic beside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import duckdb
import numpy as np
import pytest

from costplane.catalog import Tenancy
from costplane.errors import InputError
from costplane.insight.placement import Placement, newest_allocated_month, place_tenants
from costplane.warehouse import Warehouse
from tests.conftest import Demo
from tests.insight.engines import ENGINES, hand_warehouse
from tests.insight.placement_world import GIB, OCTOBER, catalog

warehouse = pytest.fixture(scope="module", params=ENGINES)(hand_warehouse)


@pytest.fixture(scope="module")
def placed(warehouse: Warehouse) -> Placement:
    return place_tenants(warehouse, catalog(), OCTOBER)


def test_each_criterion_reads_its_facts(placed: Placement) -> None:
    alpha, beta, gamma = (placed.tenant(t) for t in ("alpha", "beta", "gamma"))
    assert alpha is not None
    assert beta is not None
    assert gamma is not None
    # custom modules: beta's collector list (5 custom, 2 standard) beats its catalog's 3
    assert beta.criterion("custom_modules").parts["count"] == 5
    assert beta.criterion("custom_modules").parts["source"] == "collector"
    assert beta.criterion("custom_modules").score == 0.5  # 5 / 10
    assert alpha.criterion("custom_modules").parts["source"] == "catalog"
    # isolation: hour 1 is c1's peak, 0.5 + 3.0 + 0.0 + 6.5 = 10 cores (September's
    # 500-core hour is outside the window); alpha used 0.5 of them, beta 3.0
    isolation = alpha.criterion("isolation").parts
    assert isolation["peak_hour"].hour == 1
    assert isolation["peak_share"] == pytest.approx(0.05)
    # alpha's p95 over 0.5, 1.0, 2.0 cores: 1.0 + 0.9 x (2.0 - 1.0) = 1.9, 95 % of 2 cores;
    # memory 2 + 0.9 x 1 = 2.9 GiB of 4 GiB (72.5 %): CPU decides
    assert isolation["p95_cpu_cores"] == pytest.approx(1.9)
    assert isolation["p95_memory_bytes"] == pytest.approx(2.9 * GIB, rel=1e-9)
    assert isolation["p95_of_quota"] == pytest.approx(0.95)
    assert alpha.criterion("isolation").score == 0.95  # max(0.05 / 0.10, 0.95)
    assert beta.criterion("isolation").score == 1.0  # 30 % of the peak; p95 2.8 > 2 cores
    # compliance from the catalog's flags
    assert beta.criterion("compliance").score == 1.0
    assert alpha.criterion("compliance").score == 0.0
    # integration: beta 500,000 requests a day (egress is not requests), 50,000 queue jobs
    # created in October (not September's), 4 integrations = 1.0
    integration = beta.criterion("integration").parts
    assert integration["requests_per_day"] == 500_000
    assert integration["queue_jobs_month"] == 50_000
    assert beta.criterion("integration").score == 1.0
    assert alpha.criterion("integration").score == 0.001  # 1,000 / 1,000,000


def test_money_is_the_allocation_against_the_dedicated_class_priced(placed: Placement) -> None:
    alpha, beta = placed.tenant("alpha"), placed.tenant("beta")
    assert alpha is not None
    assert beta is not None
    # alpha in `own` for all 31 days: 4 cores x 0.03 x 730 = 87.60; 8 GiB x 0.004 x 730 =
    # 23.36; its 10 GiB database (the newest October snapshot) x 0.20 = 2.00; 1.5 GiB of
    # attachments x 0.02 = 0.03
    rendered = alpha.money.rendered
    assert (rendered.compute, rendered.memory, rendered.database, rendered.file_store) == (
        Decimal("87.60"),
        Decimal("23.36"),
        Decimal("2.00"),
        Decimal("0.03"),
    )
    assert alpha.money.cost_dedicated == Decimal("112.99")
    assert alpha.money.cost_shared == Decimal("100.00")  # the allocation
    assert alpha.money.fee == Decimal("400.00")
    assert (alpha.money.margin_shared, alpha.money.margin_dedicated) == (
        Decimal("300.00"),
        Decimal("287.01"),
    )
    assert alpha.criterion("margin").score == 0.0
    # beta: 87.60 + 23.36 + 20 GiB x 0.20 = 4.00 (not November's 99 GiB) + the file store's
    # 2 GiB x 0.02 = 0.04 (the store row, not the per-model 3 GiB) = 115.00, below its 300.00
    assert beta.money.cost_dedicated == Decimal("115.00")
    assert beta.criterion("margin").score == 1.0
    assert beta.money.alternative_margin_at_list_fee == Decimal("1885.00")  # 2000 - 115


def test_score_is_the_weighted_sum_and_decides(placed: Placement) -> None:
    beta, alpha = placed.tenant("beta"), placed.tenant("alpha")
    assert beta is not None
    assert alpha is not None
    # 0.25 x 0.5 + 0.25 x 1 + 0.20 x 1 + 0.15 x 1 + 0.15 x 1 = 0.875
    assert beta.score == 0.875
    assert (beta.current, beta.recommended, beta.change) == (
        Tenancy.SHARED,
        Tenancy.DEDICATED,
        True,
    )
    # 0.25 x 0.95 + 0.15 x 0.001 = 0.23765
    assert alpha.score == 0.238
    assert alpha.recommended is Tenancy.SHARED
    assert [t.tenant for t in placed.tenants] == ["beta", "alpha", "gamma"]  # highest first
    assert beta.reasons[0].startswith("30.0% of c1")  # the largest contribution first


def test_weights_and_threshold_come_from_the_catalog(warehouse: Warehouse) -> None:
    only_modules = catalog(
        "placement:\n  weights: {custom_modules: 2, isolation: 0, compliance: 0, "
        "integration: 0, margin: 0}\n  dedicated_at: 0.5\n  custom_modules_full: 5\n"
    )
    placed = place_tenants(warehouse, only_modules, OCTOBER)
    beta, alpha = placed.tenant("beta"), placed.tenant("alpha")
    assert beta is not None
    assert alpha is not None
    assert placed.weights["custom_modules"] == 1.0
    assert (beta.score, beta.recommended) == (1.0, Tenancy.DEDICATED)  # 5 / 5
    assert (alpha.score, alpha.recommended) == (0.0, Tenancy.SHARED)


def test_a_named_class_must_have_the_tenancy(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match=r"placement\.dedicated_class 'small'"):
        place_tenants(warehouse, catalog("placement: {dedicated_class: small}\n"), OCTOBER)
    assert newest_allocated_month(warehouse) == OCTOBER


# The demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_placement(demo: Demo) -> dict:  # type: ignore[type-arg]
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    result = CliRunner().invoke(
        app, ["--home", str(demo.home), "recommend", "placement", "--output", "json"]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def demo_sql(demo: Demo) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo.home / ".costplane" / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_demo_every_tenant_is_placed_by_its_weighted_score(demo_placement: dict) -> None:  # type: ignore[type-arg]
    placed = demo_placement["tenants"]
    assert len(placed) == 40
    weights = demo_placement["weights"]
    for tenant in placed:
        total = sum(weights[c["criterion"]] * c["score"] for c in tenant["criteria"])
        assert tenant["score"] == pytest.approx(total, abs=0.002)
        wanted = "dedicated" if tenant["score"] >= demo_placement["dedicated_at"] else "shared"
        assert tenant["recommended"] == wanted
        money = tenant["money"]
        assert Decimal(money["margin_shared"]) == Decimal(money["fee"]) - Decimal(
            money["cost_shared"]
        )
    # the regulated class's tenants carry the fleet's compliance flags
    regulated = [t for t in placed if t["service_class"] == "dedicated-regulated"]
    assert regulated
    assert all(t["criteria"][2]["score"] == 1.0 for t in regulated)
    assert all(t["recommended"] == "dedicated" for t in regulated)


def test_demo_money_is_the_margin_report(demo: Demo, demo_placement: dict) -> None:  # type: ignore[type-arg]
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    result = CliRunner().invoke(
        app,
        ["--home", str(demo.home), "report", "margin", "--period", "2026-10", "--output", "json"],
    )
    assert result.exit_code == 0, result.stderr
    margins = {t["tenant"]: t for t in json.loads(result.stdout)["tenants"]}
    for tenant in demo_placement["tenants"]:
        money, report = tenant["money"], margins[tenant["tenant"]]
        assert money["fee"] == report["fee"]
        current = "cost_shared" if tenant["current"] == "shared" else "cost_dedicated"
        assert money[current] == report["cost"]


def test_demo_p95_and_peak_share_match_sql(
    demo_placement: dict,  # type: ignore[type-arg]
    demo_sql: duckdb.DuckDBPyConnection,
) -> None:
    tenant = next(t for t in demo_placement["tenants"] if t["current"] == "shared")
    name = tenant["tenant"]
    parts = tenant["criteria"][1]["parts"]
    hourly = demo_sql.execute(
        "SELECT hour, sum(cpu_usage_cores) FROM usage_samples WHERE namespace = ? "
        "AND hour >= '2026-10-01' AND hour < '2026-11-01' GROUP BY hour",
        [f"{name}-prod"],
    ).fetchall()
    assert parts["p95_cpu_cores"] == pytest.approx(
        np.percentile([c for _, c in hourly], 95), abs=1e-3
    )
    peak_hour, peak_total = demo_sql.execute(
        "SELECT hour, sum(cpu_usage_cores) AS cpu FROM usage_samples WHERE cluster = ? "
        "AND hour >= '2026-10-01' AND hour < '2026-11-01' GROUP BY hour "
        "ORDER BY cpu DESC, hour LIMIT 1",
        [parts["cluster"]],
    ).fetchone()
    assert parts["peak_hour"] == peak_hour.isoformat()
    mine = demo_sql.execute(
        "SELECT sum(cpu_usage_cores) FROM usage_samples WHERE cluster = ? AND hour = ? "
        "AND namespace LIKE ?",
        [parts["cluster"], peak_hour, f"{name}-%"],
    ).fetchone()[0]
    assert parts["peak_share"] == pytest.approx(mine / peak_total, abs=1e-4)


def test_demo_table_and_csv(demo: Demo) -> None:
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    for output in ("table", "csv"):
        result = CliRunner().invoke(
            app, ["--home", str(demo.home), "recommend", "placement", "--output", output]
        )
        assert result.exit_code == 0, result.stderr
        assert "sirius-parts" in result.stdout or "tenant" in result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("tenant,service_class,current,recommended,score")
    assert len(lines) == 41
