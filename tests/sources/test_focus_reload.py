"""The reported case, as a user runs it: a FOCUS file cut at a row boundary (1,999 of
5,057 rows) must not replace the billing period it covers. Refused with exit 2 unless
--replace; the replaced load is listed by `ingest history` and brought back by
`ingest restore`, itself undone the same way. On DuckDB and on PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.conftest import rows, write_bill

HEADER_AND_ROWS = 2000  # the cut keeps the header and the first 1,999 rows
COSTS = ["10.76"] + ["1.88"] * 1998 + ["1.82"] * 3057 + ["15.26"]
"""5,057 charges adding up to 9,346 EUR, the first 1,999 to 3,767 EUR."""


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "duckdb":
        return {}
    url: str = request.getfixturevalue("postgres_url")
    return {"COSTPLANE_WAREHOUSE_URL": url, "COSTPLANE_STATE_URL": url}


@pytest.fixture
def run(cli: Run) -> Run:
    """In-process on both engines: the root command disposes of the state store's pooled
    connections on exit (checked at the end of the test), so no process of its own is
    needed, and ten processes' imports cost a minute on a loaded machine."""
    return cli


def connections_left(url: str) -> int:
    """Sessions other than this one still connected to the test database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def billed(home: Path, env: dict[str, str]) -> tuple[int, Decimal]:
    """The lines of the bill the warehouse holds, and what they add up to."""
    url = env.get("COSTPLANE_WAREHOUSE_URL", f"duckdb:///{home / '.costplane/warehouse.duckdb'}")
    with connect_warehouse(url) as warehouse:
        lines = warehouse.table("billing_lines")
        count = lines.count().to_pyarrow().as_py()
        return count, Decimal(lines.billed_cost.sum().to_pyarrow().as_py() or 0)


def history(cli: Run, home: list[str], env: dict[str, str], *more: str) -> list[dict[str, object]]:
    result = cli(*home, "ingest", "history", "-o", "json", *more, env=env)
    assert result.exit_code == 0, result.stderr
    documents: list[dict[str, object]] = json.loads(result.stdout)
    return documents


def test_a_cut_bill_is_refused_then_forced_listed_and_restored(
    run: Run, tmp_path: Path, env: dict[str, str]
) -> None:
    bill = write_bill(
        tmp_path / "bill.csv",
        [{**r, "BilledCost": c} for r, c in zip(rows(len(COSTS)), COSTS, strict=True)],
    )
    cut = tmp_path / "bill-cut.csv"
    cut.write_text("".join(bill.read_text().splitlines(keepends=True)[:HEADER_AND_ROWS]))
    home = ["--home", str(tmp_path / "home")]
    assert run(*home, "db", "upgrade", env=env).exit_code == 0  # a server is migrated on demand
    assert run(*home, "ingest", "focus", str(bill), env=env).exit_code == 0
    assert billed(tmp_path / "home", env) == (5057, Decimal("9346"))

    refused = run(*home, "ingest", "focus", str(cut), env=env)

    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"error: {cut}: billing_lines from focus for 012345678901 "
        "[2025-03-01T00:00:00, 2025-04-01T00:00:00) would shrink: 1,999 rows where load 1 "
        "holds 5,057 (-60.5 %); billed cost 3,767 where it holds 9,346 (-59.7 %). Nothing "
        "written: a reload may hold at most 10 % less; --replace loads it anyway (load 1 is "
        "kept and can be restored)"
    ]
    assert billed(tmp_path / "home", env) == (5057, Decimal("9346"))

    forced = run(*home, "ingest", "focus", "--replace", str(cut), env=env)

    assert forced.exit_code == 0, forced.stderr
    assert billed(tmp_path / "home", env) == (1999, Decimal("3767"))
    [latest, failed, first] = history(run, home, env)
    assert {k: latest[k] for k in ("rows", "replaced", "status", "load_id", "load_state")} == {
        "rows": 1999,
        "replaced": 5057,
        "status": "ok",
        "load_id": 2,
        "load_state": "current",
    }
    assert latest["replaced_load_id"] == 1
    assert (failed["status"], failed["load_id"], failed["load_state"]) == ("failed", None, None)
    assert (first["load_id"], first["load_state"], first["replaced_by"]) == (1, "replaced", 2)
    assert [run["load_id"] for run in history(run, home, env, "--replaced")] == [1]

    restored = run(*home, "ingest", "restore", "1", env=env)

    assert restored.exit_code == 0, restored.stderr
    assert "restored load 1 as load 3: 5,057 rows (1,999 rows of load 2 replaced and kept)" in (
        restored.stderr
    )
    assert billed(tmp_path / "home", env) == (5057, Decimal("9346"))
    [restore_run, *_] = history(run, home, env)
    assert {k: restore_run[k] for k in ("load_id", "restored_from", "load_state", "rows")} == {
        "load_id": 3,
        "restored_from": 1,
        "load_state": "current",
        "rows": 5057,
    }

    assert run(*home, "ingest", "restore", "2", env=env).exit_code == 0  # undone the same way
    assert billed(tmp_path / "home", env) == (1999, Decimal("3767"))
    again = run(*home, "ingest", "restore", "2", env=env)
    assert again.exit_code == 2
    assert again.stderr.strip() == "error: load 2 was restored already, as load 4"
    if env:
        assert connections_left(env["COSTPLANE_STATE_URL"]) == 0


def test_every_history_field_of_before_is_still_there(cli: Run, tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    bill = write_bill(tmp_path / "bill.csv", rows(2))
    assert cli(*home, "ingest", "focus", str(bill)).exit_code == 0

    [run] = history(cli, home, {})

    assert list(run)[:11] == [
        "id",
        "finished_at",
        "table",
        "source",
        "scope",
        "period_start",
        "period_end",
        "rows",
        "replaced",
        "status",
        "error",
    ]
    assert run["load_state"] == "current"
