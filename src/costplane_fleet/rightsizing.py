"""rightsizing.json: the answers `costplane recommend workloads` is scored against.

The planted containers (requests-oversized's Odoo cron, requests-under's) and Odoo web
pods (odoo-workers-excess, odoo-workers-short) with the recommendation of the default
`simple` strategy (KRR 1.29) and the money, computed here from the generated samples by
the formulas of docs/rightsizing.md, independently of the command. Prices are the price
sheet's canonical ones, as in planted.json. No policy finds these (the command does), so
they are kept out of planted.json, whose every record a policy must find.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from costplane.catalog import EnvironmentKind
from costplane.quantity import cpu_quantity, memory_quantity
from costplane_fleet.findings import MIB, MONTH_HOURS, Evidence, _money, _prefix
from costplane_fleet.offering import CURRENCY, PRICE_SHEET
from costplane_fleet.planted import KRR_DAYS, Plants
from costplane_fleet.spec import FleetSpec
from costplane_fleet.workloads import GI, Container, Namespace, Workload, namespace_name

WORKER_MEMORY = int(Decimal("0.8") * 150 * MIB + Decimal("0.2") * 1024 * MIB)
"""Odoo's deployment guide: 80 % light requests near 150 MB, 20 % heavy near 1 GB."""
USERS_PER_WORKER = 6
"""Odoo's deployment guide: one worker for about 6 concurrent users."""
BUSY_HOUR_SHARE = Decimal("0.125")
REQUESTS_PER_USER_HOUR = 360
"""The command's two traffic assumptions (docs/rightsizing.md, "Odoo workers")."""
THRESHOLD = 2
"""What the command must find and nothing else: a request more than this many times the
recommendation (oversized, outside `nonprod-idle` namespaces) or a recommendation more
than this many times the request (under-requested); Odoo workers more than this many
times the recommended, or this many times fewer or worse. Ordinary workloads' KRR
recommendations are 70-100 % of their requests (up to about 1.5 x for pods that churn)
and ordinary web pods run 4 workers where 2 to 5 are recommended."""


@dataclass(frozen=True)
class Sized:
    """KRR's simple strategy for one container of one workload over the last 14 days."""

    samples: int
    cpu: Decimal
    memory: int


def _sized(e: Evidence, cluster: str, ns: str, w: Workload, c: Container) -> Sized:
    sel = (
        e.samples.where(cluster, ns)
        & e.hours_since(KRR_DAYS)
        & e.samples.matches("container", c.name.__eq__)
        & e.samples.matches("pod", _prefix(w.name))
    )
    pods = e.samples.values("pod")[sel]
    cpu_values = e.samples.values("cpu_usage_cores")[sel]
    p95 = max(float(np.percentile(cpu_values[pods == pod], 95)) for pod in np.unique(pods))
    peak = float(e.samples.values("memory_peak_bytes")[sel].max())
    return Sized(
        samples=int(sel.sum()),
        cpu=Decimal(max(math.ceil(p95 * 10**3), 10)) / 1000,
        memory=max(math.ceil(peak * (1 + 15 / 100) * (1 / MIB)), 100) * MIB,
    )


def _saving(replicas: int, c: Container, cpu: Decimal, memory: int) -> Decimal:
    per_hour = (
        max(Decimal(0), Decimal(c.cpu_request_m) / 1000 - cpu) * PRICE_SHEET.cpu.canonical
        + Decimal(max(0, c.memory_request - memory)) / GI * PRICE_SHEET.memory.canonical
    )
    return replicas * per_hour * MONTH_HOURS


def _container_record(
    kind: str, tenant: str, ns: Namespace, w: Workload, c: Container, s: Sized
) -> dict[str, Any]:
    cpu_req, mem_req = Decimal(c.cpu_request_m) / 1000, c.memory_request
    risks = [
        name
        for name, short in (("oom-kill", s.memory > mem_req), ("throttling", s.cpu > cpu_req))
        if short
    ]
    extra = w.replicas * (
        max(Decimal(0), s.cpu - cpu_req) * PRICE_SHEET.cpu.canonical
        + Decimal(max(0, s.memory - mem_req)) / GI * PRICE_SHEET.memory.canonical
    )
    return {
        "kind": kind,
        "tenant": tenant,
        "cluster": ns.cluster,
        "namespace": ns.name,
        "workload_kind": w.kind,
        "workload": w.name,
        "container": c.name,
        "pods": w.replicas,
        "cpu_request": cpu_quantity(cpu_req),
        "cpu_recommended": cpu_quantity(s.cpu),
        "memory_request": memory_quantity(mem_req),
        "memory_recommended": memory_quantity(s.memory),
        "samples": s.samples,
        "monthly_saving": _money(_saving(w.replicas, c, s.cpu, s.memory)),
        "monthly_cost_to_fix": _money(extra * MONTH_HOURS),
        "risk": ", ".join(risks) or None,
        "currency": CURRENCY,
    }


def _requests_p95(e: Evidence, ns: Namespace) -> float | None:
    """The namespace's Traefik requests per day, p95 over the command's days."""
    rows = (
        e.logs.where(ns.cluster, ns.name)
        & e.logs.matches("service", "traefik".__eq__)
        & e.logs.matches("metric", "requests".__eq__)
    )
    if not rows.any():
        return None
    days = e.logs.values("day")[rows].astype("datetime64[D]")
    first = np.datetime64(e.spec.end_at.date() - dt.timedelta(days=KRR_DAYS))
    keep = days >= first
    per_day: dict[Any, float] = {}
    for day, q in zip(days[keep], e.logs.values("quantity")[rows][keep], strict=True):
        per_day[day] = per_day.get(day, 0.0) + float(q)
    return float(np.percentile(list(per_day.values()), 95))


def _odoo_record(kind: str, tenant: str, ns: Namespace, e: Evidence) -> dict[str, Any]:
    w = next(w for w in ns.workloads if w.name == "odoo-web")
    c = w.containers[0]
    s = _sized(e, ns.cluster, ns.name, w, c)
    workers = int(next(a for a in c.args if a.startswith("--workers=")).split("=")[1])
    p95 = _requests_p95(e, ns)
    users = None if p95 is None else Decimal(repr(p95)) * BUSY_HOUR_SHARE / REQUESTS_PER_USER_HOUR
    for_users = max(2, math.ceil(users / USERS_PER_WORKER) if users else 0)
    ceiling = 2 * max(1, math.ceil(s.cpu)) + 1
    recommended = min(for_users, ceiling)
    memory = -(-max(s.memory, recommended * WORKER_MEMORY) // MIB) * MIB
    return {
        "kind": kind,
        "tenant": tenant,
        "cluster": ns.cluster,
        "namespace": ns.name,
        "workload": w.name,
        "container": c.name,
        "pods": w.replicas,
        "workers": workers,
        "workers_recommended": recommended,
        "workers_ceiling": ceiling,
        "workers_for_users": for_users,
        "requests_p95_per_day": None if p95 is None else round(p95),
        "cpu_recommended": cpu_quantity(s.cpu),
        "memory_recommended": memory_quantity(memory),
        "monthly_saving": _money(_saving(w.replicas, c, s.cpu, memory)),
        "currency": CURRENCY,
    }


def rightsizing_records(
    namespaces: list[Namespace], plants: Plants, evidence: Evidence, spec: FleetSpec
) -> dict[str, Any]:
    """rightsizing.json: {"containers": [...], "odoo": [...]}, each sorted by kind and tenant."""
    del spec
    by_name = {ns.name: ns for ns in namespaces if ns.tenant is not None}
    containers: list[dict[str, Any]] = []
    for kind in ("requests-oversized", "requests-under"):
        for tid, env in sorted(plants.by_kind.get(kind, {}).items()):
            if kind == "requests-under" and plants.has("requests-oversized", tid, env):
                continue  # the workloads module plants one of the two on a cron container
            ns = by_name[namespace_name(tid, env)]
            w = next(w for w in ns.workloads if w.name == "odoo-cron")
            c = w.containers[0]
            s = _sized(evidence, ns.cluster, ns.name, w, c)
            containers.append(_container_record(kind, tid, ns, w, c, s))
    odoo = [
        _odoo_record(kind, tid, by_name[namespace_name(tid, env)], evidence)
        for kind in ("odoo-workers-excess", "odoo-workers-short")
        for tid, env in sorted(plants.by_kind.get(kind, {}).items())
        if env is EnvironmentKind.PRODUCTION
    ]
    return {"threshold": THRESHOLD, "containers": containers, "odoo": odoo}
