"""Benchmark rightsizing: recommendations for every container of a generated fleet over
its last 14 days of hourly usage, against a bare DuckDB quantile group-by.

A fleet is generated and ingested into a DuckDB warehouse (not timed). A child process
that does nothing else then runs `recommend_containers()` with the default strategy
(KRR's simple) over the whole warehouse: the inventory read, the per-pod group-by, the
pods tied to their workloads, KRR's rounding, the money (timed); its peak RSS is
`VmHWM` (peak.py). The floor is a bare DuckDB group-by of the same window's usage rows
by pod container with `quantile_cont(cpu_usage_cores, 0.95)` and the peak memory,
materialised as a temporary table, timed in the same run on the same file.

Prints, as its last line, JSON with containers, usage_rows, seconds, floor_seconds,
ratio (seconds / floor_seconds) and peak_rss_mb (and tenants, days); and the same
ratio in CPU seconds (every thread's; `cpu_seconds`, `floor_cpu_seconds`, `cpu_ratio`),
which other processes on a shared machine move much less than the wall clock. Scratch files go
under benchmarks/out/ (git-ignored) unless --scratch says otherwise, and are removed
unless --keep, which keeps the ingested warehouse and reuses it next time.
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
from decimal import Decimal
from pathlib import Path

import duckdb

from costplane.catalog import load_catalog
from costplane.insight.rightsizing import (
    DEFAULT_STRATEGY,
    StrategyOptions,
    recommend_containers,
    strategy_named,
)
from costplane.sources import fleet_loads
from costplane.warehouse import connect_warehouse
from costplane_fleet import GENERATOR_VERSION, FleetSpec, generate_fleet
from peak import peak_rss_mb

SCRATCH = Path(__file__).resolve().parent / "out"
START = dt.date(2025, 5, 1)
WAREHOUSE = "warehouse.duckdb"
CATALOG = "costplane.yaml"
READY = "ready.json"


def prepare(spec: FleetSpec, folder: Path) -> None:
    """Generate the fleet and ingest it into `folder` (reusing a complete `--keep` run)."""
    if (folder / READY).exists():
        return
    for leftover in [*folder.iterdir()]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    fleet = folder / "fleet"
    generate_fleet(spec, fleet)
    (fleet / "prometheus" / "usage.om").unlink(missing_ok=True)  # nothing ingests it
    shutil.copyfile(fleet / CATALOG, folder / CATALOG)
    catalog = load_catalog(folder / CATALOG)
    with connect_warehouse(f"duckdb:///{folder / WAREHOUSE}") as warehouse:
        warehouse.ingest(fleet_loads(fleet, catalog.labels))
    shutil.rmtree(fleet)
    (folder / READY).write_text("{}")


def recommend_once(folder: Path, end: dt.datetime) -> dict[str, float | int]:
    """The timed part, run in a child process."""
    catalog = load_catalog(folder / CATALOG)
    sheet = {
        "cpu": catalog.price_sheet.cpu.canonical,
        "memory": catalog.price_sheet.memory.canonical,
    }

    def price(name: str, cluster: str) -> Decimal | None:
        return sheet.get(name)

    with connect_warehouse(f"duckdb:///{folder / WAREHOUSE}") as warehouse:
        started, cpu = time.perf_counter(), time.process_time()
        result = recommend_containers(
            warehouse,
            strategy_named(DEFAULT_STRATEGY),
            StrategyOptions(),
            price,
            catalog.currency,
            end=end,
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak_rss_mb(),
        "containers": len(result.containers),
    }


def in_child(folder: Path, end: dt.datetime) -> dict[str, float | int]:
    argv = [__file__, "--child", str(folder), end.isoformat()]
    done = subprocess.run([sys.executable, *argv], stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def floor_seconds(folder: Path, start: dt.datetime, end: dt.datetime) -> tuple[float, float, int]:
    """A bare DuckDB quantile group-by of the window's rows by pod container: its seconds,
    its CPU seconds (all threads); and the rows."""
    con = duckdb.connect(str(folder / WAREHOUSE), read_only=True)
    try:
        window = "hour >= ? AND hour < ?"
        (rows,) = con.execute(
            f"SELECT count(*) FROM usage_samples WHERE {window}", [start, end]
        ).fetchone() or (0,)
        started, cpu = time.perf_counter(), time.process_time()
        con.execute(
            f"""CREATE TEMP TABLE floor AS
               SELECT cluster, namespace, pod, container,
                      quantile_cont(cpu_usage_cores, 0.95) AS cpu,
                      max(memory_peak_bytes) AS memory
               FROM usage_samples WHERE {window}
               GROUP BY cluster, namespace, pod, container""",
            [start, end],
        )
        return time.perf_counter() - started, time.process_time() - cpu, int(rows)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    parser.add_argument(
        "--keep", action="store_true", help="keep the ingested warehouse and reuse it next time"
    )
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "END"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder, end = args.child
        print(json.dumps(recommend_once(Path(folder), dt.datetime.fromisoformat(end))))
        return
    spec = FleetSpec(args.tenants, args.days, args.seed, START)
    end = dt.datetime.combine(spec.start + dt.timedelta(days=spec.days), dt.time())
    start = end - dt.timedelta(days=StrategyOptions().window_days)
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.keep:
        name = f"rightsizing-{spec.tenants}x{spec.days}-seed{spec.seed}-v{GENERATOR_VERSION}"
        folder = args.scratch / name
        folder.mkdir(exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="rightsizing-bench-", dir=args.scratch))
    try:
        prepare(spec, folder)
        timed = in_child(folder, end)
        floor, floor_cpu, usage_rows = floor_seconds(folder, start, end)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    seconds = float(timed["seconds"])
    print(
        json.dumps(
            {
                "tenants": spec.tenants,
                "days": spec.days,
                "containers": timed["containers"],
                "usage_rows": usage_rows,
                "seconds": round(seconds, 2),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
                "peak_rss_mb": round(float(timed["peak_rss_mb"]), 1),
                "cpu_seconds": round(float(timed["cpu_seconds"]), 2),
                "floor_cpu_seconds": round(floor_cpu, 2),
                "cpu_ratio": round(float(timed["cpu_seconds"]) / floor_cpu, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
