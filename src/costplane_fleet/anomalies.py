"""Cost anomalies planted on purpose (opt-in: `FleetSpec.anomalies`), with their answers.

A production namespace logs more, so the tenant's observability cost moves through the
real path (the log workspace's bill grows, the allocation gives the tenant the larger
share); the story is debug logging left on. In the namespace's usual days' volume:

- spike: one day at `factor` days' volume;
- step: every day from the first at `factor` days' volume (a new level);
- drift: a linear climb, `factor` days' volume more each day from the first.

`anomalies.json` states each one with the days an anomaly detector should report it on
(`first_day` to `last_day`): the spike's day; the step's first two weeks (then it is the
new normal); the drift's days to the end. Off by default, so no existing fleet, total or
planted finding moves.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace

import numpy as np

from costplane.catalog import EnvironmentKind
from costplane_fleet.services import ServiceTraffic
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.workloads import Namespace

SHAPES = ("spike", "step", "drift")
SHARE = 0.06
"""Fraction of the tenants that get each shape (at least two each from 12 tenants on, so
a small fleet still has one of each to find twice)."""
HISTORY_DAYS = 14
"""No anomaly before this day of the window: a detector needs two weeks of history."""
STEP_DAYS = 14
"""The days of a step that are anomalous; after them it is the new level."""
FACTORS = {"spike": (20.0, 40.0), "step": (10.0, 20.0), "drift": (1.5, 3.0)}
"""Per shape, the range of its factor, in usual days' log volume (a drift's is its daily
climb): a tenant's logs are about 1-3 % of its cost, so a spike adds some 20-120 % of a
day's cost, and a drift 1.5-9 % more each day."""
MIN_DAYS = HISTORY_DAYS + 7


@dataclass(frozen=True)
class PlantedAnomaly:
    kind: str
    tenant: str
    cluster: str
    namespace: str
    cost_domain: str
    first_day: dt.date
    last_day: dt.date
    factor: float


def choose_anomalies(namespaces: list[Namespace], spec: FleetSpec) -> list[PlantedAnomaly]:
    """A few distinct tenants per shape, each on a production namespace that logs."""
    if not spec.anomalies or spec.days < MIN_DAYS:
        return []
    eligible = [
        ns
        for ns in namespaces
        if ns.tenant is not None
        and ns.environment is EnvironmentKind.PRODUCTION
        and ns.labelled
        and not ns.idle
    ]
    order = rng(spec.seed, "anomalies", "tenants").permutation(len(eligible))
    shuffled = [eligible[int(i)] for i in order]
    count = max(2 if spec.tenants >= 12 else 1, round(SHARE * spec.tenants))
    planted: list[PlantedAnomaly] = []
    last = spec.days - 1
    for k, kind in enumerate(SHAPES):
        for ns in shuffled[k * count : (k + 1) * count]:
            assert ns.tenant is not None
            draw = rng(spec.seed, "anomalies", kind, ns.tenant.id)
            latest = {"spike": last, "step": last - 2, "drift": last - 5}[kind]
            first = int(draw.integers(HISTORY_DAYS, latest + 1))
            low, high = FACTORS[kind]
            factor = round(float(low + (high - low) * draw.random()), 2)
            end = {"spike": first, "step": min(first + STEP_DAYS - 1, last), "drift": last}[kind]
            planted.append(
                PlantedAnomaly(
                    kind,
                    ns.tenant.id,
                    ns.cluster,
                    ns.name,
                    "observability",
                    spec.day(first),
                    spec.day(end),
                    factor,
                )
            )
    return planted


def daily_factors(anomaly: PlantedAnomaly, spec: FleetSpec) -> np.ndarray:
    """The namespace's log volume each day of the window, in usual days' volume: 1 where
    nothing is planted, `factor` on a spike's day and from a step's first day, and a
    climb of `factor` more each day of a drift."""
    days = np.arange(spec.days)
    first = (anomaly.first_day - spec.start).days
    if anomaly.kind == "spike":
        return np.where(days == first, anomaly.factor, 1.0)
    if anomaly.kind == "step":
        return np.where(days >= first, anomaly.factor, 1.0)
    return 1.0 + anomaly.factor * np.clip(days - first + 1, 0, None)


def bend_logs(
    traffic: ServiceTraffic, anomalies: list[PlantedAnomaly], spec: FleetSpec
) -> ServiceTraffic:
    """The traffic with each anomaly's extra log volume added to its namespace: (days'
    volume − 1) × the namespace's mean daily volume, spread evenly over the day's hours
    (debug logging does not follow the office hours; a weekend's spike is as large as a
    weekday's). Whole bytes."""
    if not anomalies:
        return traffic
    log_bytes = traffic.log_bytes.astype(np.float64, copy=True)
    rows = {key: k for k, key in enumerate(traffic.log_namespaces)}
    for anomaly in anomalies:
        row = rows[(anomaly.cluster, anomaly.namespace)]
        hourly = traffic.log_bytes[row].sum() / spec.hours
        extra = (daily_factors(anomaly, spec) - 1.0) * hourly
        log_bytes[row] += np.repeat(extra, 24)
    return replace(traffic, log_bytes=np.rint(log_bytes).astype(traffic.log_bytes.dtype))


def anomalies_json(anomalies: list[PlantedAnomaly]) -> str:
    """`anomalies.json`: the planted anomalies, sorted, dates ISO."""
    records = sorted(
        (
            {**asdict(a), "first_day": a.first_day.isoformat(), "last_day": a.last_day.isoformat()}
            for a in anomalies
        ),
        key=lambda r: (r["first_day"], r["tenant"]),
    )
    return json.dumps(records, indent=2, sort_keys=True) + "\n"
