"""Benchmark `costplane ingest focus` on a multi-million-row FOCUS Parquet bill.

The bill is the fleet generator's (FOCUS 1.2, 57 columns: decimals, UTC
timestamps, JSON tags), its month repeated with distinct resource ids until it
has --rows rows. Timed: reading and checking every row, then the warehouse
ingest into a fresh DuckDB file, both through `costplane.sources` as the CLI
does. Baseline, in the same run: a bare DuckDB `read_parquet` -> `CREATE TABLE
AS` of the same file into a fresh DuckDB file.

Prints, as its last line, JSON with rows, seconds, rows_per_s, floor_seconds,
ratio (seconds / floor_seconds) and steps: seconds to check the rows and write
each billing period's Parquet file, and seconds for the warehouse ingest.
Scratch files go under benchmarks/out/ (git-ignored) and are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from costplane.sources import ingest
from costplane.sources.focus import FocusOptions, read_focus_bill
from costplane.state import state_engine, upgrade
from costplane.warehouse import connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet

SCRATCH = Path(__file__).resolve().parent / "out"


def make_bill(rows: int, folder: Path) -> Path:
    """A one-month FOCUS Parquet bill of `rows` rows, from a small fleet's bill."""
    spec = FleetSpec(tenants=120, days=31, seed=3, start=dt.date(2026, 10, 1))
    generate_fleet(spec, folder / "fleet")
    [month] = sorted((folder / "fleet" / "billing").glob("focus-*.parquet"))
    target = folder / "bill.parquet"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    base = con.execute(f"SELECT count(*) FROM read_parquet('{month}')").fetchone()
    copies = -(-rows // int(base[0] if base else 1))
    con.execute(
        f"""COPY (SELECT b.* REPLACE (b.ResourceId || '#' || k AS ResourceId,
                                     b.ResourceName || '-' || k AS ResourceName)
                  FROM read_parquet('{month}') b, range({copies}) t(k) LIMIT {rows})
            TO '{target}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    con.close()
    shutil.rmtree(folder / "fleet")
    return target


def floor_seconds(bill: Path, folder: Path) -> float:
    """A bare DuckDB read_parquet -> CREATE TABLE AS of the bill into a DuckDB file."""
    con = duckdb.connect(str(folder / "floor.duckdb"))
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    con.execute(f"CREATE TABLE bill AS SELECT * FROM read_parquet('{bill}')")
    con.close()
    return time.perf_counter() - started


def ingest_seconds(bill: Path, folder: Path) -> tuple[int, dict[str, float]]:
    """Rows loaded and seconds per step, through costplane.sources into a DuckDB warehouse."""
    state = state_engine(f"sqlite:///{folder / 'state.db'}")
    upgrade(state)
    steps: dict[str, float] = {}
    with connect_warehouse(f"duckdb:///{folder / 'warehouse.duckdb'}") as warehouse:
        warehouse.ensure_schema()
        started = time.perf_counter()
        with read_focus_bill([bill], FocusOptions()) as checked:
            steps["check_and_prepare"] = time.perf_counter() - started
            middle = time.perf_counter()
            results = ingest(warehouse, state, checked.loads)
            steps["ingest"] = time.perf_counter() - middle
    state.dispose()
    return sum(r.rows_written for r in results), steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="focus-bench-", dir=args.scratch))
    try:
        bill = make_bill(args.rows, folder)
        floor = floor_seconds(bill, folder)
        rows, steps = ingest_seconds(bill, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = sum(steps.values())
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
                "steps": {name: round(value, 2) for name, value in steps.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
