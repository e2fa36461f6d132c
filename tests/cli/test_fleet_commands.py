"""`costplane generate fleet`, `ingest fleet`, `ingest history` and `demo`, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

ARGS = ["--tenants", "12", "--days", "3", "--seed", "5", "--start", "2026-09-01"]


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    out = tmp_path_factory.mktemp("fleet") / "fleet"
    result = CliRunner().invoke(app, ["generate", "fleet", *ARGS, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_generate_lists_every_file_with_its_digest(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "f"
    result = cli("generate", "fleet", *ARGS, "--out", str(out), "--output", "json")
    assert result.exit_code == 0, result.stderr
    files = {row["file"]: row for row in json.loads(result.stdout)}
    assert {"costplane.yaml", "planted.json", "usage/usage_samples.parquet"} <= set(files)
    assert files["planted.json"]["bytes"] == (out / "planted.json").stat().st_size
    assert "12 tenants × 3 days from 2026-09-01" in result.stderr


def test_ingest_twice_replaces_and_never_doubles(cli: Run, fleet_dir: Path, tmp_path: Path) -> None:
    home = ["--home", str(tmp_path)]
    first = cli(*home, "ingest", "fleet", str(fleet_dir), "--output", "json")
    assert first.exit_code == 0, first.stderr
    loaded = json.loads(first.stdout)
    assert (tmp_path / "costplane.yaml").read_bytes() == (fleet_dir / "costplane.yaml").read_bytes()
    assert {row["table"] for row in loaded} >= {
        "usage_samples",
        "billing_lines",
        "inventory_snapshots",
    }
    assert all(row["replaced"] == 0 and row["rows"] > 0 for row in loaded)

    second = json.loads(cli(*home, "ingest", "fleet", str(fleet_dir), "-o", "json").stdout)
    assert [(r["table"], r["scope"], r["rows"]) for r in second] == [
        (r["table"], r["scope"], r["rows"]) for r in loaded
    ]
    assert all(r["replaced"] == r["rows"] for r in second)

    from costplane.warehouse import connect_warehouse

    with connect_warehouse(f"duckdb:///{tmp_path / '.costplane' / 'warehouse.duckdb'}") as wh:
        usage = wh.table("usage_samples").count().to_pyarrow().as_py()
        assert usage == next(r["rows"] for r in loaded if r["table"] == "usage_samples")
        assert len(wh.loads()) == len(loaded)

    history = json.loads(cli(*home, "ingest", "history", "-o", "json").stdout)
    assert len(history) == 2 * len(loaded)
    assert {run["status"] for run in history} == {"ok"}


def test_an_edited_fleet_file_is_refused_and_nothing_written(
    cli: Run, fleet_dir: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(fleet_dir, copy)
    with (copy / "usage" / "usage_samples.parquet").open("ab") as handle:
        handle.write(b"x")
    home = tmp_path / "home"
    result = cli("--home", str(home), "ingest", "fleet", str(copy))
    assert result.exit_code == 2
    assert "usage_samples.parquet: content differs from fleet.json" in result.stderr
    assert not (home / ".costplane" / "warehouse.duckdb").exists()


def test_not_a_fleet_directory(cli: Run, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "ingest", "fleet", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].endswith("not a fleet directory (no fleet.json)")


def test_demo_generates_loads_and_summarises(costplane: Run, tmp_path: Path) -> None:
    result = costplane(
        "--home",
        str(tmp_path),
        "demo",
        "--tenants",
        "12",
        "--days",
        "3",
        "--no-serve",
        "--start",
        "2026-09-01",
    )
    assert result.exit_code == 0, result.stderr
    for heading in (
        "Loaded into the warehouse",
        "Where the bill went (difference: 0.000000000)",
        "The bill by cost domain",
        "Top tenants by allocated cost",
        "Next",
    ):
        assert heading in result.stdout
    assert "\x1b[" not in result.stdout  # no colours or progress bars when piped
    assert (tmp_path / "costplane.yaml").is_file()
    assert (tmp_path / "fleet" / "planted.json").is_file()
    again = costplane(
        "--home",
        str(tmp_path),
        "demo",
        "--tenants",
        "12",
        "--days",
        "3",
        "--no-serve",
        "--start",
        "2026-09-01",
    )
    assert again.exit_code == 0, again.stderr
    assert again.stdout == result.stdout


def test_demo_refuses_to_overwrite_a_real_catalog(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "costplane.yaml").write_text("currency: EUR\n")
    result = cli("--home", str(tmp_path), "demo", "--tenants", "3", "--days", "1", "--no-serve")
    assert result.exit_code == 2
    assert "has its own catalog" in result.stderr
    assert (tmp_path / "costplane.yaml").read_text() == "currency: EUR\n"


def test_demo_runs_again_with_other_arguments(cli: Run, tmp_path: Path) -> None:
    home = ["--home", str(tmp_path)]
    assert cli(*home, "demo", "--tenants", "4", "--days", "3", "--no-serve").exit_code == 0
    result = cli(*home, "demo", "--tenants", "5", "--days", "2", "--no-serve")
    assert result.exit_code == 0, result.stderr
    assert "5 tenants on 2 clusters" in result.stdout
