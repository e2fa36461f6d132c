"""`costplane forecast databases|spend` on the demo project: the JSON documents' shape, the
fleet's planted growth found again, and the bad input refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import Run

DATABASE_KEYS = {
    "tenant",
    "database",
    "size_bytes",
    "band_max_bytes",
    "forecast",
    "crosses_band_on",
    "monthly_cost_at_horizon",
    "currency",
}


@pytest.fixture(scope="module")
def databases_90d(demo_home: Path) -> dict[str, Any]:
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    done = CliRunner().invoke(
        app, ["--home", str(demo_home), "forecast", "databases", "--output", "json"]
    )
    assert done.exit_code == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_the_databases_document_has_the_issues_shape(databases_90d: dict[str, Any]) -> None:
    databases = databases_90d["databases"]
    assert len(databases) == 40  # one production database per tenant
    for d in databases:
        assert set(d) >= DATABASE_KEYS
        assert len(d["forecast"]) == 90
        assert set(d["forecast"][0]) == {"date", "p10", "p50", "p90"}
        assert Decimal(d["monthly_cost_at_horizon"]) >= 0  # a decimal string
        assert d["currency"] == "EUR"
        days = [f["date"] for f in d["forecast"]]
        assert days[0] == (dt.date.fromisoformat(d["as_of"]) + dt.timedelta(days=1)).isoformat()
        assert all(f["p10"] <= f["p50"] <= f["p90"] for f in d["forecast"])


def test_the_fleets_imports_and_the_planted_over_band_database_are_found(
    databases_90d: dict[str, Any], demo_home: Path
) -> None:
    by = {d["tenant"]: d for d in databases_90d["databases"]}
    fleet = demo_home / "fleet"
    start = dt.date.fromisoformat(
        json.loads((fleet / "fleet.json").read_text())["window"]["start"][:10]
    )
    growth = json.loads((fleet / "growth.json").read_text())["databases"]
    imports = [g for g in growth if g["shape"] == "import"]
    assert imports
    for g in imports:  # the snapshot of day k is taken at 00:00 of day k + 1
        expected = (start + dt.timedelta(days=g["import_day"] + 1)).isoformat()
        assert expected in by[g["tenant"]]["level_shifts"]
    planted = json.loads((fleet / "planted.json").read_text())
    over = [p["tenant"] for p in planted if p["kind"] == "database-over-band"]
    assert over
    for tenant in over:
        d = by[tenant]
        assert d["size_bytes"] > d["band_max_bytes"]
        assert d["crosses_band_on"] <= d["as_of"]
    flat = [g["tenant"] for g in growth if g["shape"] == "flat"]
    for tenant in flat:  # a flat database does not move, so it does not cross
        d = by[tenant]
        assert d["forecast"][-1]["p50"] == pytest.approx(d["size_bytes"], rel=0.01)


def test_horizon_in_days_or_weeks_and_a_bad_one_refused(cli: Run, demo_home: Path) -> None:
    home = ["--home", str(demo_home)]
    done = cli(*home, "forecast", "databases", "--horizon", "2w", "--output", "json")
    assert done.exit_code == 0, done.stderr
    assert {len(d["forecast"]) for d in json.loads(done.stdout)["databases"]} == {14}
    bad = cli(*home, "forecast", "databases", "--horizon", "3 months")
    assert bad.exit_code == 2
    assert "--horizon '3 months'" in bad.stderr
    wrong = cli(*home, "forecast", "databases", "--environment", "prod")
    assert wrong.exit_code == 2
    assert "--environment 'prod': choose from production" in wrong.stderr
    table = cli(*home, "forecast", "databases", "--horizon", "30d")
    assert table.exit_code == 0
    assert "crosses band on" in table.stdout


def test_spend_document_months_and_exact_actual(cli: Run, demo_home: Path) -> None:
    done = cli("--home", str(demo_home), "forecast", "spend", "--output", "json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) >= {"as_of", "currency", "total", "tenants", "service_classes"}
    assert "cost_domains" in document
    assert len(document["tenants"]) == 40
    months = document["total"]["months"]
    assert [m["month"] for m in months] == ["2026-10", "2026-11", "2026-12", "2027-01"]
    warehouse = demo_home / ".costplane" / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as db:
        [(total,)] = db.execute(
            "SELECT sum(cost) FROM allocations WHERE day >= DATE '2026-10-01'"
        ).fetchall()
    assert Decimal(months[0]["actual_to_date"]) == total
    for m in months:
        assert Decimal(m["p10"]) <= Decimal(m["p50"]) <= Decimal(m["p90"])
    csv = cli("--home", str(demo_home), "forecast", "spend", "--output", "csv")
    assert csv.exit_code == 0
    assert csv.stdout.splitlines()[0] == "scope,key,month,actual_to_date,p10,p50,p90,method"
