"""`generate_fleet`: runs every generator in order and writes the fleet directory.

The same FleetSpec always gives byte-identical files: every random draw comes
from a named stream of the seed, rows are written in a fixed order, and Parquet
writer options are fixed. `fleet.json` lists the sha256 of every other file,
except the OpenMetrics text, which nothing ingests: it lists that one's size.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from costplane.errors import InputError
from costplane.written_file import make_directories, os_error, shown, write_text
from costplane_fleet.anomalies import anomalies_json, bend_logs, choose_anomalies
from costplane_fleet.backups import generate_backups
from costplane_fleet.billing import write_bill, write_parquet
from costplane_fleet.cache import generate_cache
from costplane_fleet.catalog import build_catalog, write_catalog
from costplane_fleet.charges import fleet_charges
from costplane_fleet.clusters import place
from costplane_fleet.databases import generate_databases
from costplane_fleet.findings import Evidence, growth_records, planted_records
from costplane_fleet.idle_pools import idle_pool_records
from costplane_fleet.kubernetes import RESOURCES, Inventory, kubectl_list, render_inventory
from costplane_fleet.offering import SERVICE_CLASSES
from costplane_fleet.openmetrics import write_openmetrics
from costplane_fleet.planted import choose_plants
from costplane_fleet.rightsizing import rightsizing_records
from costplane_fleet.services import generate_services, service_usage_table
from costplane_fleet.signals import (
    business_counts,
    business_signals_table,
    daily_orders,
    edi_spikes,
    hourly_activity,
)
from costplane_fleet.spec import GENERATOR_VERSION, FleetSpec, FleetSummary
from costplane_fleet.tenants import CLUSTERS, tenant_population
from costplane_fleet.usage import generate_usage
from costplane_fleet.workloads import fleet_namespaces

OPENMETRICS_FILE = "prometheus/usage.om"
Progress = Callable[[str, int, int], None]
"""Called as progress(step, done, total) after each step."""

STEPS = (
    "tenants",
    "placement",
    "usage",
    "databases",
    "services",
    "cache",
    "backups",
    "business",
    "kubernetes",
    "billing",
    "catalog",
    "planted",
    "openmetrics",
    "manifest",
)


UNHASHED = frozenset({OPENMETRICS_FILE})
"""Files `fleet.json` lists by size, not sha256: nothing ingests them (Prometheus reads the
OpenMetrics after `promtool tsdb create-blocks-from openmetrics`), and hashing 20 GB of
text would cost more than writing it."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def generate_fleet(spec: FleetSpec, out: Path, progress: Progress | None = None) -> FleetSummary:
    """Write a complete synthetic fleet for `spec` into `out` (created if missing).

    The OpenMetrics file, by far the largest, is written by a background thread
    from the moment its inputs exist, while the other files are generated.
    """
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(name, done, len(STEPS))

    def table(rows: pa.Table, name: str, count: str) -> None:
        make_directories((out / name).parent, root=out)
        write_parquet(rows, out / name)
        counts[count] = rows.num_rows

    _make_out(out)
    for folder in ("billing", "prometheus"):  # written by the modules they are named after
        make_directories(out / folder, root=out)
    counts: dict[str, int] = {"tenants": spec.tenants}
    tenants = tenant_population(spec)
    plants = choose_plants(tenants, spec)
    namespaces = fleet_namespaces(tenants, plants, spec)
    step("tenants")
    nodes, slots = place(namespaces, spec)
    counts["nodes"] = len(nodes)
    step("placement")
    orders = daily_orders(tenants, spec)
    signal_counts = business_counts(orders, spec)
    activity = hourly_activity(tenants, orders, spec)
    usage = generate_usage(namespaces, slots, tenants, activity, edi_spikes(tenants, spec), spec)
    pods = Counter((s.node.cluster, s.workload.namespace) for s in slots)
    traffic = generate_services(namespaces, usage.namespace_awake, pods, tenants, activity, spec)
    anomalies = choose_anomalies(namespaces, spec)
    traffic = bend_logs(traffic, anomalies, spec)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="openmetrics") as background:
        openmetrics = background.submit(
            write_openmetrics,
            out / OPENMETRICS_FILE,
            usage,
            traffic,
            nodes,
            namespaces,
            spec,
            stop,
        )
        try:
            table(usage.table, "usage/usage_samples.parquet", "usage_samples")
            step("usage")
            sleeping = {
                (ns.tenant.id, ns.environment): ns.sleeps
                for ns in namespaces
                if ns.tenant is not None and ns.environment is not None
            }
            db = generate_databases(tenants, signal_counts, plants, sleeping, spec)
            table(db.table, "postgres/database_stats.parquet", "database_stats")
            step("databases")
            service_usage = service_usage_table(traffic, namespaces, tenants, db.stored_bytes, spec)
            table(service_usage, "usage/service_usage.parquet", "service_usage")
            step("services")
            cache = generate_cache(tenants, orders, plants, spec)
            table(cache.table, "redis/cache_stats.parquet", "cache_stats")
            step("cache")
            backups = generate_backups(db, plants, spec)
            table(backups.table, "backups/backup_records.parquet", "backup_records")
            step("backups")
            business = business_signals_table(tenants, signal_counts, spec)
            table(business, "business/business_signals.parquet", "business_signals")
            step("business")
            inventory = render_inventory(namespaces, nodes, slots, plants, spec)
            counts.update(_write_inventory(inventory, out))
            step("kubernetes")
            charges = fleet_charges(
                nodes,
                inventory,
                namespaces,
                db,
                cache,
                backups,
                traffic,
                service_usage,
                plants,
                spec,
            )
            bills = write_bill(charges, out / "billing", spec)
            counts["billing_rows"] = sum(len(c) for c in charges.res)
            step("billing")
            total = Decimal(sum(int(c.sum()) for c in charges.cost)) / 10**10
            monthly = total * Decimal(30) / Decimal(spec.days)
            share = {
                k: Decimal(sum(1 for t in tenants if t.service_class == k)) / Decimal(len(tenants))
                for k in SERVICE_CLASSES
            }
            write_catalog(build_catalog(tenants, monthly, share), out / "costplane.yaml")
            step("catalog")
            evidence = Evidence.of(plants, usage.table, service_usage, db, spec)
            records = sorted(
                planted_records(tenants, namespaces, plants, evidence)
                + idle_pool_records(nodes, usage.table),
                key=lambda r: (
                    r["kind"],
                    r["tenant"] or "",
                    r["resource"]["kind"],
                    r["resource"]["namespace"] or "",
                    r["resource"]["name"],
                ),
            )
            write_text(
                out / "planted.json", json.dumps(records, indent=2, sort_keys=True) + "\n", root=out
            )
            counts["planted"] = len(records)
            answers = rightsizing_records(namespaces, plants, evidence, spec)
            write_text(
                out / "rightsizing.json",
                json.dumps(answers, indent=2, sort_keys=True) + "\n",
                root=out,
            )
            counts["rightsizing_planted"] = len(answers["containers"]) + len(answers["odoo"])
            if spec.anomalies:
                write_text(out / "anomalies.json", anomalies_json(anomalies), root=out)
                counts["anomalies"] = len(anomalies)
            growth = growth_records(db)
            write_text(
                out / "growth.json", json.dumps(growth, indent=2, sort_keys=True) + "\n", root=out
            )
            step("planted")
        except BaseException:
            stop.set()  # the file is abandoned: let the thread end now rather than finish it
            raise
        counts["openmetrics_bytes"] = openmetrics.result()
        step("openmetrics")
    files, unhashed = _write_manifest(out, spec, counts, [p.name for p in bills])
    step("manifest")
    return FleetSummary(
        out=out, spec=spec, clusters=CLUSTERS, counts=counts, files=files, unhashed=unhashed
    )


def _make_out(out: Path) -> None:
    """`--out`: a directory, made if missing; anything else there is refused (exit 2)."""
    label = f"--out {shown(out)}"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{label}: exists and is not a directory") from None
    except OSError as exc:
        raise os_error(out, exc, label) from exc


def _write_inventory(inventory: Inventory, out: Path) -> dict[str, int]:
    """One kubectl-style List per cluster and resource; returns the item count per resource."""
    counts: dict[str, int] = {}
    for cluster, lists in sorted(inventory.lists.items()):
        folder = out / "kubernetes" / cluster
        make_directories(folder, root=out)
        for resource in RESOURCES:
            items = lists.get(resource, [])
            key = f"kubernetes.{resource}"
            counts[key] = counts.get(key, 0) + len(items)
            text = json.dumps(kubectl_list(items), separators=(",", ":"), ensure_ascii=False)
            write_text(folder / f"{resource}.json", text + "\n", root=out)
    return counts


def _write_manifest(
    out: Path, spec: FleetSpec, counts: dict[str, int], billing_periods: list[str]
) -> tuple[dict[str, str], dict[str, int]]:
    """`fleet.json`; returns the sha256 of the hashed files and the size of the others."""
    written = {
        p.relative_to(out).as_posix(): p
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "fleet.json"
    }
    files = {name: _sha256(p) for name, p in written.items() if name not in UNHASHED}
    unhashed = {name: p.stat().st_size for name, p in written.items() if name in UNHASHED}
    manifest = {
        "generator": "costplane.fleet",
        "generator_version": GENERATOR_VERSION,
        "arguments": {
            "tenants": spec.tenants,
            "days": spec.days,
            "seed": spec.seed,
            "start": spec.start.isoformat(),
            **({"anomalies": True} if spec.anomalies else {}),
        },
        "window": {"start": spec.start_at.isoformat() + "Z", "end": spec.end_at.isoformat() + "Z"},
        "clusters": list(CLUSTERS),
        "billing_periods": billing_periods,
        "counts": dict(sorted(counts.items())),
        "files": files,
        "unhashed": unhashed,
    }
    write_text(out / "fleet.json", json.dumps(manifest, indent=2) + "\n", root=out)
    return files, unhashed
