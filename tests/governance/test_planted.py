"""The scoring contract: on generated fleets, ingested and allocated, the built-in pack finds
every problem planted.json lists and nothing else, each with the planted monthly waste
(within 1 %), tenant and environment."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costplane.allocation import Window, allocate
from costplane.catalog import load_catalog
from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import Review, govern_warehouse
from costplane.sources import fleet_loads
from costplane.warehouse import connect_warehouse
from costplane_fleet import INCIDENTAL_KINDS, PLANTED_KINDS, FleetSpec, generate_fleet

pytestmark = pytest.mark.slow

FLEETS = {
    "60x30-seed7": FleetSpec(60, 30, 7, dt.date(2025, 5, 1)),
    "48x16-seed23": FleetSpec(48, 16, 23, dt.date(2025, 9, 8)),
}
TOLERANCE = Decimal("0.01")

Key = tuple[str, str, str | None, str]


def governed(spec: FleetSpec, root: Path, url: str | None = None) -> tuple[Path, Review]:
    out = root / "fleet"
    generate_fleet(spec, out)
    catalog = load_catalog(out / "costplane.yaml")
    with connect_warehouse(url or f"duckdb:///{root / 'w.duckdb'}") as warehouse:
        warehouse.ingest(fleet_loads(out, catalog.labels))
        allocate(warehouse, catalog, Window(spec.start, spec.start + dt.timedelta(days=spec.days)))
        policies = [loaded.policy for loaded in pack_policies()]
        return out, govern_warehouse(warehouse, catalog, policies)


@pytest.fixture(scope="module", params=sorted(FLEETS))
def fleet(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Review]:
    return governed(FLEETS[request.param], tmp_path_factory.mktemp(request.param))


def key(kind: str, resource: dict[str, Any]) -> Key:
    return (kind, resource["kind"], resource["namespace"], resource["name"])


def planted(out: Path) -> dict[Key, dict[str, Any]]:
    records = json.loads((out / "planted.json").read_text())
    return {key(r["kind"], r["resource"]): r for r in records}


def found(review: Review) -> dict[Key, dict[str, Any]]:
    documents = [finding.as_json() for finding in review.findings]
    keyed = {key(d["policy"], d["resource"]): d for d in documents}
    assert len(keyed) == len(documents), "one finding per policy and resource"
    return keyed


def test_every_kind_is_planted(fleet: tuple[Path, Review]) -> None:
    out, _ = fleet
    assert {k[0] for k in planted(out)} - set(INCIDENTAL_KINDS) == set(PLANTED_KINDS)


def test_precision_and_recall_are_one(fleet: tuple[Path, Review]) -> None:
    out, review = fleet
    expected, got = planted(out), found(review)
    assert sorted(set(expected) - set(got)) == [], "missed"
    assert sorted(set(got) - set(expected)) == [], "found what was not planted"


def test_waste_tenant_and_environment_match(fleet: tuple[Path, Review]) -> None:
    out, review = fleet
    got = found(review)
    for where, record in planted(out).items():
        finding = got[where]
        assert finding["currency"] == record["currency"]
        assert (finding["tenant"], finding["environment"]) == (
            record["tenant"],
            record["environment"],
        ), where
        wanted, amount = Decimal(record["monthly_waste"]), Decimal(finding["monthly_waste"])
        if wanted == 0:
            assert amount == 0, where
        else:
            assert abs(amount - wanted) <= TOLERANCE * wanted, (where, wanted, amount)


def test_the_total_waste_matches(fleet: tuple[Path, Review]) -> None:
    out, review = fleet
    wanted = sum(Decimal(r["monthly_waste"]) for r in planted(out).values())
    total = sum(Decimal(f["monthly_waste"]) for f in found(review).values())
    assert wanted > 0
    assert abs(total - wanted) <= TOLERANCE * wanted


def test_every_policy_ran_but_the_one_without_data(fleet: tuple[Path, Review]) -> None:
    _, review = fleet
    skipped = {r.policy.id: r.skipped for r in review.results if r.skipped}
    assert list(skipped) == ["pvc-oversized"]  # no volume-use metrics in the fleet
    assert "volume_used_bytes" in str(skipped["pvc-oversized"])
    assert all(not r.unreadable for r in review.results)


@pytest.mark.postgres
def test_postgres_finds_the_same(postgres_url: str, tmp_path: Path) -> None:
    spec = FleetSpec(20, 6, 5, dt.date(2025, 3, 3))
    out, on_postgres = governed(spec, tmp_path / "pg", postgres_url)
    _, on_duckdb = governed(spec, tmp_path / "duck")
    postgres, duckdb = found(on_postgres), found(on_duckdb)
    assert set(postgres) == set(duckdb) == set(planted(out))
    for finding_key, document in postgres.items():
        other = duckdb[finding_key]
        # the evidence holds the facts as each engine computes them (float aggregates may
        # differ in their last digits); everything else, money included, is the same
        assert close(document.pop("evidence"), other.pop("evidence")), finding_key
        assert document == other, finding_key


def close(left: dict[str, str | None], right: dict[str, str | None]) -> bool:
    """The same names, the same unknowns, and values within a part in 10^9."""
    if left.keys() != right.keys():
        return False
    for name, value in left.items():
        twin = right[name]
        if value is None or twin is None:
            if value != twin:
                return False
            continue
        a, b = Decimal(value), Decimal(twin)
        if abs(a - b) > abs(b) * Decimal("1e-9"):
            return False
    return True
