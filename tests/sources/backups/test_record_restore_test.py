"""`costplane record restore-test`: evidence stored, replaced when recorded again, refused
when the tenant is unknown. Run through the `costplane` app, as users run it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from costplane.warehouse import connect_warehouse
from tests.conftest import Result, Run

EVIDENCE = "https://ci.example.net/restore-tests/alpenpharm/1842"


@pytest.fixture
def costplane(cli: Run, home: Path) -> Run:
    def run(*args: str) -> Result:
        return cli("--home", str(home), "record", "restore-test", *args)

    return run


def _restore_tests(home: Path) -> list[dict[str, Any]]:
    with connect_warehouse(f"duckdb:///{home / '.costplane/warehouse.duckdb'}") as warehouse:
        table = warehouse.table("backup_records")
        rows: list[dict[str, Any]] = (
            table.filter(table.record_type == "restore-test").to_pyarrow().to_pylist()
        )
        return sorted(rows, key=lambda r: r["finished_at"])


def test_a_restore_test_is_stored_with_its_evidence(costplane: Run, home: Path) -> None:
    done = costplane("--tenant", "alpenpharm", "--at", "2025-03-03T04:10:00+01:00",
                     "--result", "ok", "--evidence", EVIDENCE, "--by", "restore-bot",
                     "--backup-id", "20250301-000502F", "--output", "json")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {
        "tenant": "alpenpharm",
        "environment": "production",
        "database": "alpenpharm_prod",
        "at": "2025-03-03T03:10:00",
        "result": "ok",
        "evidence_url": EVIDENCE,
        "by": "restore-bot",
        "backup_id": "20250301-000502F",
        "replaced": False,
    }
    (row,) = _restore_tests(home)
    assert row["finished_at"] == dt.datetime(2025, 3, 3, 3, 10)
    assert row["status"] == "ok"
    assert row["evidence_url"] == EVIDENCE
    assert row["tool"] == "restore-bot"
    assert row["data_region"] == "eu-de"


def test_recording_the_same_test_again_replaces_it(costplane: Run, home: Path) -> None:
    first = costplane(
        "--tenant", "alpenpharm", "--at", "2025-03-03T03:10:00Z", "--result", "failed"
    )
    assert first.exit_code == 0, first.stderr
    again = costplane("--tenant", "alpenpharm", "--at", "2025-03-03 03:10", "--result", "ok",
                      "--evidence", EVIDENCE, "-o", "json")  # fmt: skip
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["replaced"] is True
    (row,) = _restore_tests(home)
    assert (row["status"], row["evidence_url"]) == ("ok", EVIDENCE)
    later = costplane("--tenant", "alpenpharm", "--at", "2025-03-10T03:00:00Z", "--result", "ok")
    assert later.exit_code == 0, later.stderr
    assert [r["finished_at"].day for r in _restore_tests(home)] == [3, 10]


def test_the_table_output_names_the_test(costplane: Run) -> None:
    done = costplane("--tenant", "mosel-wein", "--at", "2025-03-01T02:00:00Z", "--result",
                     "failed", "--environment", "staging")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "restore test recorded" in done.stdout
    assert "mosel-wein" in done.stdout
    assert "staging" in done.stdout
    assert "failed" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody", "--at", "2025-03-01T00:00:00Z", "--result", "ok"],
         "error: --tenant 'nobody': no such tenant in the catalog"),
        (["--tenant", "mosel-wein", "--at", "2025-03-01T00:00:00Z", "--result", "ok",
          "--environment", "dr"], "tenant 'mosel-wein' has no such environment"),
        (["--tenant", "mosel-wein", "--at", "last tuesday", "--result", "ok"],
         "--at 'last tuesday': not an ISO 8601 time"),
        (["--tenant", "mosel-wein", "--at", "2999-01-01T00:00:00Z", "--result", "ok"],
         "in the future"),
        (["--tenant", "mosel-wein", "--at", "2025-03-01T00:00:00Z", "--result", "ok",
          "--evidence", "see ticket"], "--evidence 'see ticket': not a URL"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_it_and_writes_nothing(
    costplane: Any, home: Path, args: list[str], message: str
) -> None:
    done = costplane(*args)
    assert done.exit_code == 2
    assert message in done.stderr
    assert not (home / ".costplane/warehouse.duckdb").exists() or not _restore_tests(home)


def test_a_result_other_than_ok_or_failed_is_refused(costplane: Run) -> None:
    done = costplane("--tenant", "mosel-wein", "--at", "2025-03-01T00:00:00Z", "--result", "meh")
    assert done.exit_code == 2
    assert "'--result'" in done.stderr
    assert "'meh'" in done.stderr
