"""Benchmark `costplane collect prometheus` on 30 days x 2,000 containers in a real Prometheus.

A fleet is generated, its OpenMetrics backfilled with `promtool tsdb
create-blocks-from openmetrics` and served by Debian's `prometheus` on a free
loopback port (none of this is timed). Then the whole window is collected
(timed): discovery, the split range queries, JSON decoding and the rows, in a
child process that does nothing else, so its peak RSS (`VmHWM`, see peak.py) is the
collector's alone. The floor is the same range queries (the same plan, the
same concurrency) sent with bare httpx, their bodies read and thrown away: the
time Prometheus takes to answer, which the collector cannot go below. The floor
runs once to warm the server's page cache, then collection and floor alternate
`--repeat` times (2); on a shared machine the best of each counts, and the
highest peak RSS.

Prints, as its last line, JSON with containers (running in an average hour), days,
samples (points read), seconds, peak_rss_mb, floor_seconds, ratio (seconds /
floor_seconds), and more: among them collector_cpu_seconds, the collecting
process's own CPU time (imports included), steadier than wall time on a shared
machine.

Scratch files go under benchmarks/out/ (git-ignored) unless --scratch says
otherwise, and are removed unless --keep, which keeps the TSDB and reuses it
on the next run with the same arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from costplane.sources.prometheus import (
    CONCURRENCY,
    DEFAULT_MAX_POINTS,
    PrometheusRequest,
    collect_prometheus,
    prometheus_target,
)
from costplane.sources.prometheus.client import PrometheusClient
from costplane.sources.prometheus.discovery import discover
from costplane.sources.prometheus.plan import Unit, plan
from costplane.sources.prometheus.promql import (
    Field,
    Selector,
    capacity_field,
    container_fields,
    log_field,
    traefik_field,
)
from costplane.sources.prometheus.window import Window
from costplane_fleet import GENERATOR_VERSION, FleetSpec, generate_fleet
from peak import peak_rss_mb

SCRATCH = Path(__file__).resolve().parent / "out"
START = dt.date(2025, 5, 1)
TENANTS = 520
"""About 2,000 containers running in an average hour (sleeping namespaces start new pods
at every wake-up, so the window holds many more distinct container series)."""
READY = "ready.json"
MAX_BLOCK = "--max-block-duration=744h"
"""promtool parses the whole file once per block: 2-hour blocks (its default) would read a
30-day file 360 times. The flag is hidden in promtool's help but documented upstream."""
CLUSTER = "eu-shared-1"


def prepare(spec: FleetSpec, folder: Path) -> dict[str, int]:
    """The fleet's TSDB in `folder/tsdb` (reused when a `--keep` run left it complete)."""
    ready = folder / READY
    if ready.exists():
        counts: dict[str, int] = json.loads(ready.read_text())
        return counts
    for leftover in [*folder.iterdir()]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    fleet = folder / "fleet"
    summary = generate_fleet(spec, fleet)
    print(f"   fleet: {summary.usage_rows:,} usage rows", file=sys.stderr, flush=True)
    subprocess.run(
        [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            MAX_BLOCK,
            str(fleet / "prometheus" / "usage.om"),
            str(folder / "tsdb"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(fleet)
    counts = {"usage_rows": summary.usage_rows}
    ready.write_text(json.dumps(counts))
    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def prometheus(tsdb: Path) -> Iterator[str]:
    """Debian's prometheus over `tsdb`, on loopback, until the block ends."""
    config = tsdb.parent / "prometheus.yml"
    config.write_text("scrape_configs: []\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tsdb.parent / "prometheus.log").open("wb")
    server = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={tsdb}",
            "--storage.tsdb.retention.time=10y",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not become ready; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def request_for(spec: FleetSpec, max_points: int, concurrency: int) -> PrometheusRequest:
    start = dt.datetime.combine(spec.start, dt.time())
    window = Window(start, start + dt.timedelta(days=spec.days), 3600)
    log_bytes = Selector("costplane_log_bytes_total", (f'cluster="{CLUSTER}"',))
    return PrometheusRequest(window, CLUSTER, max_points, log_bytes, (), concurrency)


def collect_once(url: str, request: PrometheusRequest) -> dict[str, object]:
    """The timed part, run in a child process."""
    started = time.perf_counter()
    collected = collect_prometheus(prometheus_target(url, {}), request)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "cpu": cpu,
        **collected.summary,
    }


def collect_in_child(
    url: str, spec: FleetSpec, max_points: int, concurrency: int
) -> dict[str, Any]:
    argv = [__file__, "--child", url, "--days", str(spec.days)]
    argv += ["--max-points", str(max_points), "--concurrency", str(concurrency)]
    done = subprocess.run([sys.executable, *argv], stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def floor_seconds(url: str, request: PrometheusRequest) -> tuple[float, int]:
    """The collector's range queries with bare httpx, bodies read and not decoded."""
    window, extra = request.window, request.selector
    with PrometheusClient(prometheus_target(url, {})) as client:
        found = discover(client, window, extra, request.log_bytes)
    queries: list[tuple[Field, str, int, int]] = []

    def add(fields: tuple[Field, ...], label: str, units: list[Unit]) -> None:
        for batch in plan(label, units, window.steps, request.max_points):
            for one in fields:
                for chunk in batch.chunks:
                    first, last = window.evaluation(chunk.first), window.evaluation(chunk.last)
                    queries.append((one, batch.matcher, first, last))

    add(container_fields(extra), "namespace", found.containers)
    if found.traefik is not None:
        add(
            (traefik_field(found.traefik, found.traefik_label),),
            found.traefik_label,
            found.traefik_units,
        )
    add((log_field(request.log_bytes.where(*extra)),), "namespace", found.logs)
    add((capacity_field(extra),), "node", found.nodes)
    with httpx.Client(timeout=600) as http:

        def send(query: tuple[Field, str, int, int]) -> int:
            one, matcher, first, last = query
            form = {
                "query": one.query([matcher], window.step),
                "start": str(first),
                "end": str(last),
                "step": str(window.step),
            }
            response = http.post(f"{url}/api/v1/query_range", data=form)
            response.raise_for_status()
            return len(response.content)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=request.concurrency) as pool:
            sizes = list(pool.map(send, queries))
        return time.perf_counter() - started, sum(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=TENANTS)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-points", type=int, default=DEFAULT_MAX_POINTS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--repeat", type=int, default=2, help="timed collections (and floors); the best counts"
    )
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    parser.add_argument("--keep", action="store_true", help="keep the TSDB and reuse it next time")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    spec = FleetSpec(args.tenants, args.days, args.seed, START)
    request = request_for(spec, args.max_points, args.concurrency)
    if args.child:
        print(json.dumps(collect_once(args.child, request), default=str))
        return
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.keep:
        name = f"prometheus-{spec.tenants}x{spec.days}-seed{spec.seed}-v{GENERATOR_VERSION}"
        folder = args.scratch / name
        folder.mkdir(exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="prometheus-bench-", dir=args.scratch))
    try:
        counts = prepare(spec, folder)
        with prometheus(folder / "tsdb") as url:
            floors = [floor_seconds(url, request)[0]]
            print(f"   floor (warm-up): {floors[0]:.2f} s", file=sys.stderr, flush=True)
            runs = []
            for _ in range(args.repeat):
                runs.append(collect_in_child(url, spec, args.max_points, args.concurrency))
                floor, body_bytes = floor_seconds(url, request)
                floors.append(floor)
                print(
                    f"   collected in {runs[-1]['seconds']:.2f} s, floor {floor:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    collected = min(runs, key=lambda run: float(run["seconds"]))
    seconds = float(collected["seconds"])
    floor = min(floors)
    print(
        json.dumps(
            {
                "containers": round(int(collected["usage_rows"]) / (spec.days * 24)),
                "days": spec.days,
                "samples": collected["samples"],
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(max(float(run["peak_rss_mb"]) for run in runs), 1),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
                "tenants": spec.tenants,
                "container_series": collected["containers"],
                "usage_rows": collected["usage_rows"],
                "fleet_usage_rows": counts["usage_rows"],
                "queries": collected["queries"],
                "max_points": args.max_points,
                "points_per_query_max": collected["points_per_query_max"],
                "concurrency": args.concurrency,
                "collector_cpu_seconds": round(float(collected["cpu"]), 2),
                "response_mb": round(body_bytes / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
