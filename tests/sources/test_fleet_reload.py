"""A fleet's files load by period too: a smaller fleet over the same window is refused
file by file unless --replace, and each replaced file's load can be restored."""

from __future__ import annotations

import json
from pathlib import Path

from costplane.warehouse import connect_warehouse
from tests.conftest import Run


def usage_rows(home: Path) -> int:
    url = f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}"
    with connect_warehouse(url) as warehouse:
        count: int = warehouse.table("usage_samples").count().to_pyarrow().as_py()
        return count


def test_a_smaller_fleet_over_the_same_window_is_refused_then_restorable(
    cli: Run, tmp_path: Path
) -> None:
    for name, tenants in (("big", "4"), ("small", "2")):
        made = cli(
            "generate", "fleet", "--tenants", tenants, "--days", "2",
            "--start", "2026-10-01", "--out", str(tmp_path / name),
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr
    home = ["--home", str(tmp_path / "home")]
    assert cli(*home, "ingest", "fleet", str(tmp_path / "big")).exit_code == 0
    before = usage_rows(tmp_path / "home")

    refused = cli(*home, "ingest", "fleet", str(tmp_path / "small"))

    assert refused.exit_code == 2
    lines = refused.stderr.removeprefix("error: ").splitlines()
    small = tmp_path / "small"
    for name in ("usage/usage_samples.parquet", "billing/focus-2026-10.parquet"):
        assert any(line.startswith(f"{small / name}: ") for line in lines), lines
    assert "billed cost" in next(line for line in lines if "billing_lines" in line)
    assert lines[-1].endswith("--replace loads them anyway (the loads they replace are kept "
                              "and can be restored)")  # fmt: skip
    assert usage_rows(tmp_path / "home") == before

    forced = cli(*home, "ingest", "fleet", "--replace", str(small))

    assert forced.exit_code == 0, forced.stderr
    assert usage_rows(tmp_path / "home") < before
    listed = cli(*home, "ingest", "history", "--replaced", "-o", "json")
    kept = {(run["table"], run["load_id"]) for run in json.loads(listed.stdout)}
    assert ("usage_samples", 1) in kept
    assert cli(*home, "ingest", "restore", "1").exit_code == 0
    assert usage_rows(tmp_path / "home") == before
