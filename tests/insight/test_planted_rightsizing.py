"""The rightsizing scoring contract: on a generated fleet, `recommend workloads` (default
`simple` strategy, the price sheet's prices) finds every container and Odoo web pod the
generator planted (rightsizing.json) and nothing else, with the money within 1 %.

"Nothing else", precisely (docs/rightsizing.md, "Planted answers"):
- oversized: a request more than twice the recommendation (CPU or memory), the
  `requests-oversized` policy's threshold, outside namespaces planted `nonprod-idle`
  (whose answer is scaling the namespace to zero, in planted.json);
- under-requested: a recommendation more than twice the request (CPU or memory);
- Odoo workers: more than twice the recommended workers, or half of them or fewer (the
  ordinary pods run 4 workers where 2 to 5 are recommended; `MIN_WORKERS` is 2, so a
  single worker is always at most half).
The answers are computed by the generator from its own samples with numpy; the command
computes them in the warehouse (DuckDB or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import load_catalog
from costplane.insight.rightsizing import (
    ContainerRecommendation,
    StrategyOptions,
    recommend_containers,
    strategy_named,
)
from costplane.quantity import parse_quantity
from costplane.sources import fleet_loads
from costplane.warehouse import Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet
from costplane_fleet.offering import PRICE_SHEET
from tests.conftest import POSTGRES_ADMIN_URL, _admin_connection

SPEC = FleetSpec(24, 8, 13, dt.date(2026, 3, 2))
"""24 tenants (one plant of each kind from 20), 8 days (192 hourly samples >= 100)."""
TOLERANCE = Decimal("0.01")
THRESHOLD = 2

Key = tuple[str, str, str, str]


@pytest.fixture(scope="session")
def plant_fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rightsizing-fleet")
    generate_fleet(SPEC, out)
    return out


def _ingested(url: str, fleet: Path) -> Warehouse:
    warehouse = connect_warehouse(url)
    warehouse.ingest(fleet_loads(fleet, load_catalog(fleet / "costplane.yaml").labels))
    return warehouse


@pytest.fixture(
    scope="session", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def recommended(
    request: pytest.FixtureRequest, plant_fleet: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[Key, ContainerRecommendation]]:
    """Every container's recommendation, by (cluster, namespace, workload, container)."""

    def sheet(name: str, cluster: str) -> Decimal:
        return PRICE_SHEET.cpu.canonical if name == "cpu" else PRICE_SHEET.memory.canonical

    def run(warehouse: Warehouse) -> dict[Key, ContainerRecommendation]:
        result = recommend_containers(
            warehouse, strategy_named("simple"), StrategyOptions(), sheet, "EUR"
        )
        return {(c.cluster, c.namespace, c.workload, c.container): c for c in result.containers}

    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('rightsizing-wh') / 'w.duckdb'}"
        with _ingested(url, plant_fleet) as warehouse:
            yield run(warehouse)
        return
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
            with _ingested(url, plant_fleet) as warehouse:
                yield run(warehouse)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def answers(fleet: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((fleet / "rightsizing.json").read_text())
    return found


def key(record: dict[str, Any]) -> Key:
    return (record["cluster"], record["namespace"], record["workload"], record["container"])


def idle_namespaces(fleet: Path) -> set[str]:
    planted = json.loads((fleet / "planted.json").read_text())
    return {r["resource"]["name"] for r in planted if r["kind"] == "nonprod-idle"}


def ratio(numerator: str | None, denominator: str | None) -> Decimal:
    if numerator is None or denominator is None:
        return Decimal(0)
    return parse_quantity(numerator) / parse_quantity(denominator)


def close(got: Decimal | None, wanted: str) -> bool:
    assert got is not None
    want = Decimal(wanted)
    return got == want if want == 0 else abs(got - want) <= TOLERANCE * want


def test_every_kind_is_planted(plant_fleet: Path) -> None:
    kinds = [r["kind"] for r in answers(plant_fleet)["containers"]]
    odoo = [r["kind"] for r in answers(plant_fleet)["odoo"]]
    assert sorted(kinds) == ["requests-oversized", "requests-under"]
    assert sorted(odoo) == ["odoo-workers-excess", "odoo-workers-short"]


def test_the_oversized_answer_is_planted_json_s(plant_fleet: Path) -> None:
    planted = json.loads((plant_fleet / "planted.json").read_text())
    waste = {
        (r["resource"]["namespace"], r["resource"]["name"]): r["monthly_waste"]
        for r in planted
        if r["kind"] == "requests-oversized"
    }
    mine = {
        (r["namespace"], r["workload"]): r["monthly_saving"]
        for r in answers(plant_fleet)["containers"]
        if r["kind"] == "requests-oversized"
    }
    assert mine == waste


def test_every_planted_container_is_found_with_its_money(
    plant_fleet: Path, recommended: dict[Key, ContainerRecommendation]
) -> None:
    for record in answers(plant_fleet)["containers"]:
        got = recommended[key(record)]
        assert (got.tenant, got.pods, got.samples) == (
            record["tenant"],
            record["pods"],
            record["samples"],
        )
        assert (got.cpu_request, got.memory_request) == (
            record["cpu_request"],
            record["memory_request"],
        )
        assert (got.cpu_recommended, got.memory_recommended) == (
            record["cpu_recommended"],
            record["memory_recommended"],
        ), record
        assert got.risk == record["risk"]
        assert close(got.monthly_saving, record["monthly_saving"]), (record, got.monthly_saving)
    under = [r for r in answers(plant_fleet)["containers"] if r["kind"] == "requests-under"]
    assert all(r["risk"] == "oom-kill, throttling" for r in under)
    assert all(Decimal(r["monthly_cost_to_fix"]) > 0 for r in under)


def test_nothing_else_is_oversized_or_under_requested(
    plant_fleet: Path, recommended: dict[Key, ContainerRecommendation]
) -> None:
    idle = idle_namespaces(plant_fleet)
    oversized = {
        k
        for k, c in recommended.items()
        if c.namespace not in idle
        and max(
            ratio(c.cpu_request, c.cpu_recommended), ratio(c.memory_request, c.memory_recommended)
        )
        > THRESHOLD
    }
    under = {
        k
        for k, c in recommended.items()
        if max(
            ratio(c.cpu_recommended, c.cpu_request), ratio(c.memory_recommended, c.memory_request)
        )
        > THRESHOLD
    }
    planted = answers(plant_fleet)["containers"]
    assert oversized == {key(r) for r in planted if r["kind"] == "requests-oversized"}
    assert under == {key(r) for r in planted if r["kind"] == "requests-under"}
    assert idle, "the fleet plants an idle namespace, which the rule above leaves out"


def test_every_planted_odoo_pod_is_found_and_nothing_else(
    plant_fleet: Path, recommended: dict[Key, ContainerRecommendation]
) -> None:
    planted = {key(r): r for r in answers(plant_fleet)["odoo"]}
    flagged = {}
    for k, c in recommended.items():
        if c.odoo is None or c.odoo.workers is None:
            continue
        have, want = c.odoo.workers, c.odoo.workers_recommended
        if have > THRESHOLD * want:
            flagged[k] = "odoo-workers-excess"
        elif THRESHOLD * have <= want:
            flagged[k] = "odoo-workers-short"
    assert flagged == {k: r["kind"] for k, r in planted.items()}
    for k, record in planted.items():
        workers = recommended[k].odoo
        assert workers is not None
        assert (workers.workers, workers.workers_recommended) == (
            record["workers"],
            record["workers_recommended"],
        )
        assert (workers.cpu_recommended, workers.memory_recommended) == (
            record["cpu_recommended"],
            record["memory_recommended"],
        )
        assert workers.requests_p95_per_day == Decimal(record["requests_p95_per_day"])
        assert close(workers.monthly_saving, record["monthly_saving"]), record


def test_odoo_options_read_from_the_objects_texts_are_the_columns(
    plant_fleet: Path, tmp_path: Path
) -> None:
    """The Odoo web containers' options come from the inventory's columns; a cluster whose
    columns do not hold its Deployments is read from the objects' JSON texts instead, with
    the same recommendations, field for field."""

    def sheet(name: str, cluster: str) -> Decimal:
        return PRICE_SHEET.cpu.canonical if name == "cpu" else PRICE_SHEET.memory.canonical

    def run(warehouse: Warehouse) -> tuple[ContainerRecommendation, ...]:
        return recommend_containers(
            warehouse, strategy_named("simple"), StrategyOptions(), sheet, "EUR"
        ).containers

    with _ingested(f"duckdb:///{tmp_path / 'w.duckdb'}", plant_fleet) as warehouse:
        from_columns = run(warehouse)
        clusters = sorted({c.cluster for c in from_columns if c.odoo is not None})
        assert len(clusters) == 2, "both clusters run Odoo web pods"
        warehouse.ibis.con.execute(
            "DELETE FROM inventory_columns WHERE kind = 'Deployment' AND cluster = ?",
            [clusters[0]],
        )
        mixed = run(warehouse)
    assert mixed == from_columns
    assert sum(c.odoo is not None for c in mixed if c.cluster == clusters[0]) > 0
