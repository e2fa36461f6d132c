"""Benchmark the REST API: latency and throughput of its main routes under bounded load.

A fleet is generated, ingested, allocated and governed into a project (not timed: the
demo's own steps, `run_demo`, without the OpenMetrics file nothing reads). A real
`costplane serve` process then serves it on loopback, and an httpx async client keeps
`--concurrency` requests in flight against each route in turn (after a warm-up), for
`--requests` answers per route:

- `showback`: `GET /api/v1/cost/showback?period=M` with an admin's token (every tenant);
- `findings`: `GET /api/v1/findings` (the first page of 100, most money first), admin;
- `tenant_cost`: `GET /api/v1/cost/showback?period=M` with a tenant's token (its own
  lines);
- `web_tenant`: the dashboard's page of that tenant, `GET /tenants/T?period=M`, signed in
  with the tenant's token (its login cookie).

The two tenant routes cycle over `--tenant-count` tenants (each with its own token), not
one tenant asked again and again: the server keeps reports per data version, and a single
tenant would time its cache alone. With `--requests` 200 over 50 tenants, each tenant is
asked 4 times, its first answer computed (the warm-up asks the first few tenants only).

Prints, as its last line, JSON with tenants, days, concurrency, per route `p50_ms`,
`p99_ms` and `rps`, and the machine's load average before the run (other processes share
it). Scratch files go under benchmarks/out/ unless --scratch says otherwise; with --keep
the prepared project is kept and reused by the next run with the same arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles

import httpx

from costplane.service import Project, Role, TokenRequest, create_token, run_demo
from costplane.settings import Settings
from costplane_fleet import GENERATOR_VERSION, FleetSpec, FleetSummary, generate_fleet

SCRATCH = Path(__file__).resolve().parent / "out"
START = dt.date(2026, 10, 1)
READY = "ready.json"


def generate_without_openmetrics(spec: FleetSpec, out: Path) -> FleetSummary:
    summary = generate_fleet(spec, out)
    (out / "prometheus" / "usage.om").unlink(missing_ok=True)  # gigabytes nothing ingests
    return summary


def prepare(spec: FleetSpec, home: Path) -> dict[str, object]:
    """The demo's project at `spec`'s size in `home`, reused when a kept run finished it."""
    ready = home / READY
    if ready.exists():
        prepared: dict[str, object] = json.loads(ready.read_text())
        return prepared
    if home.exists():
        shutil.rmtree(home)
    started = time.perf_counter()
    project = Project(Settings(home=home))
    try:
        demo = run_demo(project, spec, generate=generate_without_openmetrics)
        shutil.rmtree(home / "fleet")
        prepared = {
            "findings": len(demo.findings),
            "tenant": demo.catalog.tenants[0].id,
            "prepare_seconds": round(time.perf_counter() - started, 1),
        }
    finally:
        project.close()
    ready.write_text(json.dumps(prepared))
    return prepared


def tokens(home: Path, count: int) -> tuple[str, list[tuple[str, str]]]:
    """An admin's token, and `count` tenants (catalog order) each with its own token."""
    project = Project(Settings(home=home))
    try:
        admin = create_token(project, TokenRequest(Role.ADMIN, subject="benchmark"))
        tenants = [t.id for t in project.catalog().tenants[:count]]
        own = [
            (t, create_token(project, TokenRequest(Role.TENANT, t, subject="benchmark")).token)
            for t in tenants
        ]
        return admin.token, own
    finally:
        project.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    program = "from costplane.surfaces.cli import main; main()"  # the `costplane` script's
    command = [sys.executable, "-c", program, "--home", str(home), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"costplane serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"costplane serve was not ready within {seconds} s")


Asked = list[tuple[str, str]]
"""The requests a route cycles over: (URL, token)."""


def headers_of(url: str, token: str) -> dict[str, str]:
    if url.startswith("/api/"):
        return {"Authorization": f"Bearer {token}"}
    return {"Cookie": f"costplane_token={token}"}  # a dashboard page: the login cookie


async def load(
    client: httpx.AsyncClient, asked: Asked, requests: int, concurrency: int
) -> dict[str, float]:
    """`requests` answers with `concurrency` in flight, cycling over `asked`: p50, p99 and
    requests per second."""
    latencies: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for number in queue:
            url, token = asked[number % len(asked)]
            started = time.perf_counter()
            answer = await client.get(url, headers=headers_of(url, token))
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cuts = quantiles(latencies, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "rps": round(requests / elapsed, 1),
    }


async def measure(
    base: str,
    admin: str,
    tenants: list[tuple[str, str]],
    period: str,
    requests: int,
    concurrency: int,
) -> dict[str, dict[str, float]]:
    showback = f"/api/v1/cost/showback?period={period}"
    routes: dict[str, Asked] = {
        "showback": [(showback, admin)],
        "findings": [("/api/v1/findings", admin)],
        "tenant_cost": [(showback, token) for _, token in tenants],
        "web_tenant": [(f"/tenants/{t}?period={period}", token) for t, token in tenants],
    }
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        results = {}
        for name, asked in routes.items():
            await load(client, asked, max(concurrency, 2), concurrency)  # warm-up
            results[name] = await load(client, asked, requests, concurrency)
            print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="answers timed per route")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    parser.add_argument("--keep", action="store_true", help="keep the project for the next run")
    parser.add_argument(
        "--tenant-count", type=int, default=50, help="tenants the tenant routes cycle over"
    )
    args = parser.parse_args()
    spec = FleetSpec(args.tenants, args.days, args.seed, START)
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.keep:
        name = f"api-{spec.tenants}x{spec.days}-seed{spec.seed}-v{GENERATOR_VERSION}"
        folder = args.scratch / name
    else:
        folder = Path(tempfile.mkdtemp(prefix="api-bench-", dir=args.scratch))
    home = folder / "project"
    load_before = os.getloadavg()
    try:
        prepared = prepare(spec, home)
        admin, tenants = tokens(home, args.tenant_count)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(home, port)
        try:
            wait_ready(base, server)
            routes = asyncio.run(
                measure(
                    base,
                    admin,
                    tenants,
                    f"{START:%Y-%m}",
                    args.requests,
                    args.concurrency,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    result = {
        "tenants": spec.tenants,
        "days": spec.days,
        "concurrency": args.concurrency,
        "requests_per_route": args.requests,
        "tenants_asked": len(tenants),
        **{f"{route}_{key}": value for route, m in routes.items() for key, value in m.items()},
        "findings": prepared["findings"],
        "prepare_seconds": prepared["prepare_seconds"],
        "load_average_before": [round(x, 2) for x in load_before],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
