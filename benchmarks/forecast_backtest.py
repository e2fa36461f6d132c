"""The database forecast's backtest over the fleet's growth shapes (docs/forecasting.md).

For each seed, a fleet's tenants (`--tenants`) get their production database's size
history by their drawn shape (`costplane_fleet.growth.production_histories`, the same
code the fleet generator uses) over `--history` + `--holdout` days; the forecast is made
from the history and scored on the days held out, against the last value (naive) and the
drift. Prints a Markdown table per shape and, as its last line, JSON of the same numbers.

    python benchmarks/forecast_backtest.py --tenants 100 --seeds 5 --history 60
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import time

from costplane.insight.forecast import Series, backtest
from costplane_fleet.growth import production_histories
from costplane_fleet.spec import FleetSpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--history", type=int, default=60, help="days the forecast sees")
    parser.add_argument("--holdout", type=int, default=30, help="days it is scored on")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 7, 1))
    args = parser.parse_args()
    series = []
    for seed in range(1, args.seeds + 1):
        spec = FleetSpec(args.tenants, args.history + args.holdout, seed, args.start)
        series += [
            Series(shape.shape, spec.start, tuple(sizes.tolist()))
            for _, shape, sizes in production_histories(spec)
        ]
    began = time.perf_counter()
    scored = backtest(series, holdout=args.holdout)
    seconds = time.perf_counter() - began
    print(f"{len(series)} series, {args.history} days of history, {args.holdout} held out")
    print("| shape | series | forecast MAPE % | naive MAPE % | drift MAPE % | p10-p90 coverage |")
    print("|---|---|---|---|---|---|")
    for s in (*scored.by_label, scored.total):
        print(
            f"| {s.label} | {s.series} | {s.forecast:.3f} | {s.naive:.3f} | {s.drift:.3f} "
            f"| {s.coverage:.0%} |"
        )
    print(f"forecasting took {seconds:.1f} s ({1000 * seconds / len(series):.1f} ms a series)")
    print(
        json.dumps(
            {
                "arguments": {k: str(v) for k, v in vars(args).items()},
                "seconds": round(seconds, 2),
                "scores": [dataclasses.asdict(s) for s in (*scored.by_label, scored.total)],
            }
        )
    )


if __name__ == "__main__":
    main()
