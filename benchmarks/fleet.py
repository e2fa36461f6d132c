"""Benchmark the synthetic fleet generator against a bare DuckDB COPY of as many rows.

Prints, as its last line, JSON with tenants, days, usage_rows, openmetrics_bytes,
seconds, peak_rss_mb, floor_seconds, ratio (seconds / floor_seconds) and steps (the
seconds between one progress step and the next; "openmetrics" is the wait for the
background writer after the last other step). Scratch files go under
benchmarks/out/ (git-ignored) unless --scratch says otherwise, and are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from costplane_fleet import FleetSpec, generate_fleet

SCRATCH = Path(__file__).resolve().parent / "out"


def floor_seconds(rows: int, folder: Path) -> float:
    """A bare DuckDB COPY of `rows` random usage-like rows to Parquet: the I/O floor."""
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    started = time.perf_counter()
    con.execute(
        f"""COPY (SELECT TIMESTAMP '2025-01-01' + to_hours(i % 720) AS hour,
                  'eu-shared-1' AS cluster, 'node-' || (i % 2000) AS node,
                  'tenant-' || (i % 12000) AS namespace, 'pod-' || (i % 30000) AS pod,
                  'odoo' AS container, random() AS cpu_request_cores, random() AS cpu_limit_cores,
                  random() AS cpu_usage_cores, random() AS cpu_usage_max_cores,
                  (random() * 1e9)::BIGINT AS memory_request_bytes,
                  (random() * 1e9)::BIGINT AS memory_limit_bytes,
                  random() * 1e9 AS memory_usage_bytes, random() * 1e9 AS memory_peak_bytes,
                  'Deployment' AS workload_kind, 'odoo-' || (i % 3) AS workload_name
              FROM range({rows}) t(i))
            TO '{folder / "floor.parquet"}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="fleet-bench-", dir=args.scratch))
    steps: dict[str, float] = {}
    try:
        started = last = time.perf_counter()

        def progress(step: str, done: int, total: int) -> None:
            nonlocal last
            now = time.perf_counter()
            steps[step] = round(now - last, 2)
            last = now

        summary = generate_fleet(
            FleetSpec(args.tenants, args.days, args.seed, dt.date(2025, 5, 1)),
            folder / "fleet",
            progress,
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        shutil.rmtree(folder / "fleet")
        floor = floor_seconds(summary.usage_rows, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        json.dumps(
            {
                "tenants": args.tenants,
                "days": args.days,
                "usage_rows": summary.usage_rows,
                "openmetrics_bytes": summary.openmetrics_bytes,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak_mb, 1),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
                "steps": steps,
            }
        )
    )


if __name__ == "__main__":
    main()
