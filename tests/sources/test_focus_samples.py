"""Every FOCUS sample in tests/data/focus loads, and its totals are the file's own sums.

The expected numbers are computed here independently, with Python's csv module
and Decimal, and compared with what `costplane ingest focus` prints and with
what the warehouse holds afterwards, on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.sources import ingest
from costplane.sources.focus import FocusOptions, read_focus_bill
from costplane.state import state_engine, upgrade
from costplane.warehouse import Warehouse, connect_warehouse
from tests.conftest import Run
from tests.sources.conftest import csv_records, csv_sum

COMMITMENT = (
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv"
)
SAMPLES: dict[str, FocusOptions] = {
    "focus_sample.csv": FocusOptions(),
    "saas_spend_agreements_b2.csv": FocusOptions(date_formats=("%m/%d/%y",)),
    COMMITMENT: FocusOptions(
        billing_account_id="spec-example", billing_currency="USD", allow_missing_columns=True
    ),
}
"""What each sample needs beyond FOCUS: the SaaS example writes US dates (5/1/25); the
commitment example has neither account nor currency, nor half the mandatory columns."""
ALL_OPTIONS = [
    "--date-format",
    "%m/%d/%y",
    "--billing-account-id",
    "spec-example",
    "--billing-currency",
    "USD",
    "--allow-missing-columns",
]
MONEY = ("BilledCost", "EffectiveCost", "ListCost")


def expected(path: Path) -> dict[str, object]:
    records = csv_records(path)
    return {
        "rows": len(records),
        "billed_cost": csv_sum(records, "BilledCost"),
        "effective_cost": csv_sum(records, "EffectiveCost"),
        "list_cost": csv_sum(records, "ListCost"),
    }


def held(warehouse: Warehouse, source_file: str) -> dict[str, object]:
    lines = warehouse.table("billing_lines")
    mine = lines.filter(lines.source_file == source_file)
    totals = mine.aggregate(
        rows=mine.count(),
        billed_cost=mine.billed_cost.sum(),
        effective_cost=mine.effective_cost.sum(),
        list_cost=mine.list_cost.sum(),
    )
    row = totals.to_pyarrow().to_pylist()[0]
    return {k: v if k == "rows" else Decimal(v or 0) for k, v in row.items()}


def test_every_sample_is_covered(focus_data: Path) -> None:
    assert {p.name for p in focus_data.glob("*.csv")} == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_loads_with_its_own_totals(
    name: str, focus_data: Path, warehouse: Warehouse, tmp_path: Path
) -> None:
    path = focus_data / name
    want = expected(path)
    state = state_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(state)
    with read_focus_bill([path], SAMPLES[name]) as bill:
        [file] = bill.files
        results = ingest(warehouse, state, bill.loads)
    state.dispose()
    printed = {
        "rows": file.rows,
        "billed_cost": file.billed_cost,
        "effective_cost": file.effective_cost,
        "list_cost": file.list_cost,
    }
    assert printed == want
    assert held(warehouse, name) == want
    assert sum(r.rows_written for r in results) == want["rows"]
    assert file.currency == "USD"


def test_the_finops_sample_keeps_what_it_says(focus_data: Path, warehouse: Warehouse) -> None:
    """SOURCE.md's quirks: NULL cells, an unprefixed `Id`, `Usage-based`, empty PricingCategory,
    a charge billed a month late; and the three accounts stay strings."""
    with read_focus_bill([focus_data / "focus_sample.csv"]) as bill:
        warehouse.ingest(bill.loads)
    lines = warehouse.table("billing_lines").to_pyarrow().to_pylist()
    by_line = {row["source_row"]: row for row in lines}
    assert sorted(by_line) == list(range(2, 1002))  # the file's lines, header on line 1
    first = by_line[2]
    assert first["charge_class"] is None  # the literal NULL
    assert json.loads(first["extra_columns"])["Id"] == "11472"
    assert first["charge_frequency"] == "Usage-Based"
    assert {row["charge_frequency"] for row in lines} == {"Usage-Based", "One-Time"}
    assert sum(row["pricing_category"] is None for row in lines) == 7
    assert {row["billing_account_id"] for row in lines} == {
        "1234567890123",
        "20209880",
        "/providers/Microsoft.Billing/billingAccounts/8611537",
    }
    late = [r for r in lines if r["charge_period_start"] < r["billing_period_start"]]
    assert [(r["provider_name"], str(r["billing_period_start"])) for r in late] == [
        ("Oracle", "2024-10-01 00:00:00")
    ]
    tagged = [r for r in lines if r["tags"] is not None]
    assert len(tagged) == 711
    assert all(isinstance(json.loads(r["tags"]), dict) for r in tagged)


def test_the_cli_prints_each_files_exact_totals(cli: Run, focus_data: Path, tmp_path: Path) -> None:
    paths = [str(focus_data / name) for name in sorted(SAMPLES)]
    result = cli("--home", str(tmp_path), "ingest", "focus", *paths, *ALL_OPTIONS, "-o", "json")
    assert result.exit_code == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == paths
    for printed in files:
        want = expected(Path(printed["path"]))
        assert printed["rows"] == want["rows"]
        for key in ("billed_cost", "effective_cost", "list_cost"):
            assert isinstance(printed[key], str)  # an exact decimal string, never a float
            assert Decimal(printed[key]) == want[key]
    saas = next(f for f in files if f["path"].endswith("saas_spend_agreements_b2.csv"))
    assert saas["billing_periods"][0] == {
        "start": "2025-04-01T00:00:00",
        "end": "2025-05-01T00:00:00",
    }
    assert len(saas["billing_periods"]) == 12
    assert "loaded 1,017 rows in 17 billing periods" in result.stderr
    url = f"duckdb:///{tmp_path / '.costplane' / 'warehouse.duckdb'}"
    with connect_warehouse(url) as warehouse:
        for printed in files:
            assert held(warehouse, Path(printed["path"]).name) == expected(Path(printed["path"]))


@pytest.mark.postgres
def test_the_cli_loads_the_samples_into_postgres(
    costplane: Run, focus_data: Path, tmp_path: Path, postgres_url: str
) -> None:
    paths = [str(focus_data / name) for name in sorted(SAMPLES)]
    env = {"COSTPLANE_WAREHOUSE_URL": postgres_url}
    result = costplane(
        "--home", str(tmp_path), "ingest", "focus", *paths, *ALL_OPTIONS, "-o", "json", env=env
    )
    assert result.exit_code == 0, result.stderr
    with connect_warehouse(postgres_url) as warehouse:
        for path in paths:
            assert held(warehouse, Path(path).name) == expected(Path(path))
        assert len(warehouse.loads()) == 17
