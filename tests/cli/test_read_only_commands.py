"""Commands that only read never create a project: in a directory that is not one they
say so (exit 2), and in a project whose stores are not written yet they find nothing;
either way they leave the directory as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"

READERS = [
    ["findings", "list"],
    ["findings", "show", "1"],
    ["findings", "ack", "1", "--by", "ops"],
    ["findings", "suppress", "1", "--until", "2026-12-31", "--reason", "later"],
    ["sources", "status"],
    ["ingest", "history"],
    ["audit", "verify"],
    ["audit", "list"],
]
WAREHOUSE_READERS = [
    ["report", "reconcile", "--period", "2026-10"],
    ["report", "showback", "--period", "2026-10"],
    ["report", "chargeback", "--period", "2026-10"],
    ["report", "margin", "--period", "2026-10"],
    ["report", "unit-cost", "--period", "2026-10"],
    ["export", "focus", "--period", "2026-10", "--out", "out.parquet"],
    ["report", "statement", "--tenant", "kontor-buero", "--period", "2026-10", "--out", "s.pdf"],
    ["report", "board", "--period", "2026-10", "--out", "board.pdf"],
]


def _contents(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


@pytest.mark.parametrize("words", READERS, ids=" ".join)
def test_a_reader_in_an_empty_directory_says_so_and_creates_nothing(
    cli: Run, tmp_path: Path, words: list[str]
) -> None:
    result = cli("--home", str(tmp_path), *words)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path}: no Costplane project here (no costplane.yaml, no .costplane/); "
        "give --home, or start one with `costplane demo` or a catalog"
    ]
    assert _contents(tmp_path) == []


LISTINGS = [
    ["findings", "list"],
    ["sources", "status"],
    ["ingest", "history"],
    ["audit", "list"],
]


@pytest.mark.parametrize("words", LISTINGS, ids=" ".join)
def test_a_listing_in_a_project_with_no_state_yet_is_empty_and_creates_nothing(
    cli: Run, tmp_path: Path, words: list[str]
) -> None:
    shutil.copyfile(EXAMPLE, tmp_path / "costplane.yaml")
    result = cli("--home", str(tmp_path), *words, "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert _contents(tmp_path) == ["costplane.yaml"]


@pytest.mark.parametrize("words", WAREHOUSE_READERS, ids=" ".join)
def test_a_report_with_a_catalog_and_no_data_creates_no_warehouse(
    cli: Run, tmp_path: Path, words: list[str]
) -> None:
    shutil.copyfile(EXAMPLE, tmp_path / "costplane.yaml")
    result = cli("--home", str(tmp_path), *words)
    assert result.exit_code == 2
    assert "2026-10 is not allocated" in result.stderr
    assert _contents(tmp_path) == ["costplane.yaml"]


@pytest.mark.parametrize("words", WAREHOUSE_READERS, ids=" ".join)
def test_a_report_in_an_empty_directory_asks_for_a_catalog(
    cli: Run, tmp_path: Path, words: list[str]
) -> None:
    result = cli("--home", str(tmp_path), *words)
    assert result.exit_code == 2
    assert "no catalog here" in result.stderr
    assert _contents(tmp_path) == []


def test_a_reader_works_once_the_project_exists(cli: Run, tmp_path: Path) -> None:
    assert cli("--home", str(tmp_path), "db", "upgrade").exit_code == 0
    for words in (["findings", "list", "-o", "json"], ["sources", "status", "-o", "json"]):
        result = cli("--home", str(tmp_path), *words)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip() == "[]"


def test_a_configured_state_store_is_read_without_a_data_folder(
    cli: Run, tmp_path: Path, postgres_url: str
) -> None:
    env = {"COSTPLANE_STATE_URL": postgres_url}
    assert cli("--home", str(tmp_path), "db", "upgrade", env=env).exit_code == 0
    shutil.rmtree(tmp_path / ".costplane")  # the embedded warehouse db upgrade made
    result = cli("--home", str(tmp_path), "findings", "list", "-o", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert _contents(tmp_path) == []
