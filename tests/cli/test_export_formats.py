"""`costplane export focus --out FILE` writes the format the name says (.parquet, .csv,
.csv.gz), each adding up to the allocation exactly, and refuses any other name."""

from __future__ import annotations

import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_PERIOD, Run

Row = dict[str, Any]
MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity")


def _export(cli: Run, home: Path, out: Path) -> dict[str, str]:
    result = cli("--home", str(home), "export", "focus", "--period", DEMO_PERIOD,
                 "--out", str(out), "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary: dict[str, str] = json.loads(result.stdout)
    return summary


@pytest.fixture(scope="module")
def parquet_rows(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Row]:
    from typer.testing import CliRunner

    from costplane.surfaces.cli import app

    out = tmp_path_factory.mktemp("focus") / "focus.parquet"
    args = ["--home", str(demo_home), "export", "focus", "--period", DEMO_PERIOD, "--out"]
    assert CliRunner().invoke(app, [*args, str(out)]).exit_code == 0
    assert out.read_bytes()[:4] == b"PAR1"
    rows: list[Row] = pq.read_table(out).to_pylist()
    return rows


@pytest.mark.parametrize("name", ["focus.csv", "focus.csv.gz", "FOCUS.CSV"])
def test_a_csv_name_gets_csv_with_the_same_rows_and_exact_money(
    cli: Run, demo_home: Path, tmp_path: Path, parquet_rows: list[Row], name: str
) -> None:
    out = tmp_path / name
    summary = _export(cli, demo_home, out)
    raw = out.read_bytes()
    assert raw[:4] != b"PAR1"
    text = gzip.decompress(raw).decode() if name.endswith(".gz") else raw.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(parquet_rows) == int(summary["rows"])
    assert list(rows[0]) == list(parquet_rows[0])
    billed = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    assert billed == Decimal(summary["billed_cost"])
    assert billed == sum((r["BilledCost"] for r in parquet_rows), Decimal(0))
    for row, exact in zip(rows, parquet_rows, strict=True):
        for column in MONEY:
            assert "E" not in row[column], row[column]  # plain decimals, never 0E-9
            assert Decimal(row[column]) == exact[column]
    first = rows[0]["ChargePeriodStart"]
    assert first == parquet_rows[0]["ChargePeriodStart"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [p.name for p in tmp_path.iterdir()] == [name]  # the temporary file is gone


@pytest.mark.parametrize("name", ["focus.txt", "focus", "focus.parquet.bak", "focus.json"])
def test_another_name_is_refused_and_nothing_written(
    cli: Run, demo_home: Path, tmp_path: Path, name: str
) -> None:
    result = cli("--home", str(demo_home), "export", "focus", "--period", DEMO_PERIOD,
                 "--out", str(tmp_path / name))  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: --out {tmp_path / name}: name a .parquet, .csv or .csv.gz file "
        "(the format follows the name)"
    )
    assert list(tmp_path.iterdir()) == []
