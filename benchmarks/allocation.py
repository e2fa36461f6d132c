"""Benchmark the daily allocation of a generated fleet against a bare DuckDB group-by.

A fleet with hourly usage and its FOCUS bill is generated and ingested into a
DuckDB warehouse (not timed). Then `allocate()` computes the whole window and
writes the `allocations` table (timed), in a child process that does nothing
else, so its peak RSS (`VmHWM`, see peak.py) is the allocation's alone:
the interpreter, Costplane and DuckDB's own memory, never the generator's.
The floor is a bare DuckDB group-by of the same usage rows by namespace and day,
materialised as a temporary table, timed in the same run on the same file.

Prints, as its last line, JSON with tenants, days, usage_rows, seconds,
peak_rss_mb, floor_seconds, ratio (seconds / floor_seconds) and allocation_rows.
Scratch files go under benchmarks/out/ (git-ignored) unless --scratch says
otherwise, and are removed unless --keep, which keeps the ingested warehouse
and reuses it on the next run with the same arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from costplane.allocation import Window, allocate
from costplane.catalog import load_catalog
from costplane.sources import fleet_loads
from costplane.warehouse import connect_warehouse
from costplane_fleet import GENERATOR_VERSION, FleetSpec, generate_fleet
from peak import peak_rss_mb

SCRATCH = Path(__file__).resolve().parent / "out"
START = dt.date(2025, 5, 1)
WAREHOUSE = "warehouse.duckdb"
CATALOG = "costplane.yaml"
READY = "ready.json"


def prepare(spec: FleetSpec, folder: Path) -> int:
    """Generate the fleet and ingest it into `folder`; return the usage rows.

    Reuses a warehouse a previous `--keep` run left complete in `folder`.
    """
    ready = folder / READY
    if ready.exists():
        usage_rows: int = json.loads(ready.read_text())["usage_rows"]
        return usage_rows
    for leftover in [*folder.iterdir()]:  # an earlier run that stopped midway
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    fleet = folder / "fleet"
    summary = generate_fleet(spec, fleet)
    (fleet / "prometheus" / "usage.om").unlink(missing_ok=True)  # 20 GB nothing ingests
    shutil.copyfile(fleet / CATALOG, folder / CATALOG)
    catalog = load_catalog(folder / CATALOG)
    with connect_warehouse(f"duckdb:///{folder / WAREHOUSE}") as warehouse:
        warehouse.ingest(fleet_loads(fleet, catalog.labels))
    shutil.rmtree(fleet)
    ready.write_text(json.dumps({"usage_rows": summary.usage_rows}))
    return summary.usage_rows


def allocate_once(folder: Path, start: dt.date, end: dt.date) -> dict[str, float | int]:
    """The timed part, run in a child process: `allocate()` over the whole window."""
    catalog = load_catalog(folder / CATALOG)
    with connect_warehouse(f"duckdb:///{folder / WAREHOUSE}") as warehouse:
        started = time.perf_counter()
        run = allocate(warehouse, catalog, Window(start, end))
        seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    return {"seconds": seconds, "peak_rss_mb": peak_mb, "rows": run.rows if run else 0}


def allocate_in_child(folder: Path, spec: FleetSpec) -> dict[str, float | int]:
    end = spec.start + dt.timedelta(days=spec.days)
    argv = [__file__, "--child", str(folder), spec.start.isoformat(), end.isoformat()]
    done = subprocess.run([sys.executable, *argv], stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def clear_allocations(folder: Path) -> None:
    """Start each timed run from an empty `allocations` table (a kept warehouse has one)."""
    con = duckdb.connect(str(folder / WAREHOUSE))
    try:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "allocations" in tables:
            con.execute("DELETE FROM allocations")
            con.execute("CHECKPOINT")
    finally:
        con.close()


def floor_seconds(folder: Path) -> float:
    """A bare DuckDB group-by of the usage rows by namespace and day: the engine's floor."""
    con = duckdb.connect(str(folder / WAREHOUSE), read_only=True)
    try:
        started = time.perf_counter()
        con.execute(
            """CREATE TEMP TABLE floor AS
               SELECT namespace, CAST(hour AS DATE) AS day,
                      sum(cpu_request_cores) AS cpu_request, sum(cpu_usage_cores) AS cpu_usage,
                      sum(memory_request_bytes) AS memory_request,
                      sum(memory_usage_bytes) AS memory_usage
               FROM usage_samples GROUP BY namespace, day"""
        )
        return time.perf_counter() - started
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    parser.add_argument(
        "--keep", action="store_true", help="keep the ingested warehouse and reuse it next time"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("FOLDER", "START", "END"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        folder, start, end = args.child
        result = allocate_once(
            Path(folder), dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        )
        print(json.dumps(result))
        return
    spec = FleetSpec(args.tenants, args.days, args.seed, START)
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.keep:
        name = f"allocation-{spec.tenants}x{spec.days}-seed{spec.seed}-v{GENERATOR_VERSION}"
        folder = args.scratch / name
        folder.mkdir(exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="allocation-bench-", dir=args.scratch))
    try:
        usage_rows = prepare(spec, folder)
        clear_allocations(folder)
        allocated = allocate_in_child(folder, spec)
        floor = floor_seconds(folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    seconds = float(allocated["seconds"])
    print(
        json.dumps(
            {
                "tenants": spec.tenants,
                "days": spec.days,
                "usage_rows": usage_rows,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(float(allocated["peak_rss_mb"]), 1),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
                "allocation_rows": allocated["rows"],
            }
        )
    )


if __name__ == "__main__":
    main()
