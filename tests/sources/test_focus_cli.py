"""`costplane ingest focus` as a person and a script run it: in-process and as a process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import Run
from tests.sources.conftest import rows, write_bill


def test_a_refused_bill_prints_one_line_per_problem_then_a_summary(
    costplane: Run, tmp_path: Path
) -> None:
    records = rows(3)
    records[0]["BilledCost"] = "12,5"
    records[2]["ChargePeriodStart"] = "2025-03-05T00:00:00 UTC"
    bill = write_bill(tmp_path / "bill.csv", records)
    result = costplane("--home", str(tmp_path), "ingest", "focus", str(bill))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bill}:2: BilledCost: not a decimal: '12,5'",
        f"{bill}:4: ChargePeriodStart: not an ISO 8601 date-time: '2025-03-05T00:00:00 UTC'",
        f"error: 2 problems in 2 of 3 rows of {bill}; nothing was written",
    ]
    assert not (tmp_path / ".costplane" / "warehouse.duckdb").exists()


def test_a_loaded_bill_prints_csv_for_scripts(costplane: Run, tmp_path: Path) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(4, BilledCost="0.1", EffectiveCost="0.2"))
    result = costplane("--home", str(tmp_path / "home"), "ingest", "focus", str(bill), "-o", "csv")
    assert result.exit_code == 0, result.stderr
    assert list(csv.DictReader(io.StringIO(result.stdout))) == [
        {
            "path": str(bill),
            "rows": "4",
            "billing_periods": "2025-03-01T00:00:00/2025-04-01T00:00:00",
            "currency": "EUR",
            "billed_cost": "0.4",
            "effective_cost": "0.8",
            "list_cost": "52",
        }
    ]
    assert "loaded 4 rows in 1 billing period (0 rows of earlier loads replaced)" in result.stderr


def test_json_and_table_and_history(cli: Run, tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    bill = write_bill(tmp_path / "bill.csv", rows(2))
    result = cli(*home, "ingest", "focus", str(bill), "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "files": [
            {
                "path": str(bill),
                "rows": 2,
                "billing_periods": [{"start": "2025-03-01T00:00:00", "end": "2025-04-01T00:00:00"}],
                "currency": "EUR",
                "billed_cost": "25",
                "effective_cost": "25",
                "list_cost": "26",
            }
        ]
    }
    again = cli(*home, "ingest", "focus", str(bill))
    assert again.exit_code == 0, again.stderr
    row = next(line for line in again.stdout.splitlines() if str(bill) in line)
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        str(bill),
        "2",
        "2025-03-01T00:00:00/2025-04-01T00:00:00",
        "EUR",
        "25",
        "25",
        "26",
    ]
    assert "(2 rows of earlier loads replaced)" in again.stderr
    history = json.loads(cli(*home, "ingest", "history", "-o", "json").stdout)
    assert [(h["source"], h["scope"], h["rows"], h["replaced"]) for h in history] == [
        ("focus", "012345678901", 2, 2),
        ("focus", "012345678901", 2, 0),
    ]


def test_a_missing_file_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "ingest", "focus", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    words = " ".join(result.stderr.replace("│", " ").split())  # the panel wraps long paths
    assert "nope.csv' does not exist" in words


def test_the_help_names_every_option(cli: Run) -> None:
    result = cli("ingest", "focus", "--help")
    assert result.exit_code == 0
    for option in (
        "--quarantine",
        "--focus-version",
        "--date-format",
        "--billing-account-id",
        "--billing-currency",
        "--allow-missing-columns",
        "--output",
    ):
        assert option in result.stdout
