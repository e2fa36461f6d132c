"""`--quarantine DIR`: the good rows are loaded, the bad ones kept aside with the reason."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.conftest import csv_records, rows, write_bill


def held(home: Path) -> tuple[int, Decimal, list[int]]:
    with connect_warehouse(f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}") as wh:
        lines = wh.table("billing_lines").to_pyarrow().to_pylist()
    billed = sum((line["billed_cost"] for line in lines), Decimal(0))
    return len(lines), billed, sorted(line["source_row"] for line in lines)


def test_bad_rows_go_to_quarantine_and_the_rest_is_loaded(cli: Run, tmp_path: Path) -> None:
    records = rows(5)
    records[1]["BilledCost"] = "12,5"
    records[3]["Tags"] = "team=blue"
    records[3]["ChargeCategory"] = "Refund"
    bill = write_bill(tmp_path / "bill.csv", records)
    home, quarantine = tmp_path / "home", tmp_path / "quarantine"
    result = cli(
        "--home",
        str(home),
        "ingest",
        "focus",
        str(bill),
        "--quarantine",
        str(quarantine),
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    target = quarantine / "bill.quarantine.csv"
    assert (
        f"{bill}: 2 rows with problems written to {target} (x_QuarantineReason says why); "
        "3 rows loaded"
    ) in result.stderr
    [printed] = json.loads(result.stdout)["files"]
    assert (printed["rows"], printed["billed_cost"]) == (3, "37.5")
    assert held(home) == (3, Decimal("37.5"), [2, 4, 6])

    kept = csv_records(target)
    assert [r["ResourceId"] for r in kept] == ["vm-2", "vm-4"]
    assert [r["x_QuarantineReason"] for r in kept] == [
        "line 3: BilledCost: not a decimal: '12,5'",
        "line 5: ChargeCategory: not one of Adjustment, Credit, Purchase, Tax, Usage: 'Refund'; "
        "Tags: not a JSON object: 'team=blue'",
    ]
    assert [{k: v for k, v in r.items() if k != "x_QuarantineReason"} for r in kept] == [
        records[1],
        records[3],
    ]


def test_fixed_quarantined_rows_load_with_the_rest_of_their_period(
    cli: Run, tmp_path: Path
) -> None:
    """The documented way back: fix the quarantine file, load it beside the original."""
    records = rows(3)
    records[1]["BilledCost"] = "12,5"
    bill = write_bill(tmp_path / "bill.csv", records)
    home = tmp_path / "home"
    first = cli(
        "--home", str(home), "ingest", "focus", str(bill), "--quarantine", str(tmp_path / "q")
    )
    assert first.exit_code == 0, first.stderr
    fixed = tmp_path / "fixed.csv"
    fixed.write_text((tmp_path / "q" / "bill.quarantine.csv").read_text().replace("12,5", "12.5"))
    again = cli(
        "--home",
        str(home),
        "ingest",
        "focus",
        str(bill),
        str(fixed),
        "--quarantine",
        str(tmp_path / "q2"),
    )
    assert again.exit_code == 0, again.stderr
    assert "loaded 3 rows in 1 billing period (2 rows of earlier loads replaced)" in again.stderr
    count, billed, _ = held(home)
    assert (count, billed) == (3, Decimal("37.5"))


def test_a_parquet_bill_is_quarantined_as_parquet(cli: Run, tmp_path: Path) -> None:
    records = rows(3)
    records[2]["BillingCurrency"] = "Euro"
    table = pa.Table.from_pylist(records)
    bill = tmp_path / "bill.parquet"
    pq.write_table(table, bill)
    home, quarantine = tmp_path / "home", tmp_path / "quarantine"
    result = cli("--home", str(home), "ingest", "focus", str(bill), "--quarantine", str(quarantine))
    assert result.exit_code == 0, result.stderr
    kept = pq.read_table(quarantine / "bill.quarantine.parquet").to_pylist()
    assert kept == [
        {
            **records[2],
            "x_QuarantineReason": "row 3: BillingCurrency: not an ISO 4217 currency code: 'Euro'",
        }
    ]
    assert held(home)[0] == 2


def test_a_file_level_problem_is_not_quarantined(cli: Run, tmp_path: Path) -> None:
    records = rows(2)
    records[1]["BillingCurrency"] = "USD"
    bill = write_bill(tmp_path / "bill.csv", records)
    quarantine = tmp_path / "quarantine"
    result = cli(
        "--home",
        str(tmp_path / "home"),
        "ingest",
        "focus",
        str(bill),
        "--quarantine",
        str(quarantine),
    )
    assert result.exit_code == 2
    assert "2 billing currencies" in result.stderr
    assert not quarantine.exists()


def test_quarantine_csv_reads_back_with_pythons_csv(cli: Run, tmp_path: Path) -> None:
    records = rows(2)
    records[0]["ChargeDescription"] = 'quoted "text", with a comma'
    records[0]["BilledCost"] = "x"
    bill = write_bill(tmp_path / "bill.csv", records)
    result = cli(
        "--home",
        str(tmp_path / "home"),
        "ingest",
        "focus",
        str(bill),
        "--quarantine",
        str(tmp_path / "q"),
    )
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "q" / "bill.quarantine.csv").open(newline="") as handle:
        [kept] = list(csv.DictReader(handle))
    assert kept["ChargeDescription"] == 'quoted "text", with a comma'
    assert kept["ChargeClass"] == ""
