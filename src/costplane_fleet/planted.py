"""Which problems are planted where: a deterministic few percent of eligible tenants per kind.

This module only chooses; the generators read `Plants` to bend their output,
and `planted_records` (in `findings.py`, one function per kind in its `RECORDS` table)
states each planted problem with its waste.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.catalog import EnvironmentKind, Tenancy
from costplane_fleet.offering import sleeps
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile

KINDS = (
    "labels-missing",
    "requests-oversized",
    "nonprod-idle",
    "snapshot-stale",
    "volume-orphaned",
    "backup-older-than-rpo",
    "restore-unverified",
    "redis-maxmemory-unset",
    "database-over-band",
    "image-tag-mutable",
    "ingress-no-tls",
    "ingress-no-rate-limit",
    "log-retention-exceeds-class",
)
RIGHTSIZING_KINDS = (
    "requests-under",
    "odoo-workers-excess",
    "odoo-workers-short",
)
"""Planted for `costplane recommend workloads`, answered in rightsizing.json (no policy
finds them, so they stay out of planted.json, the policies' scoring contract). Chosen
after KINDS, so adding them moved none of the policies' plants."""
SHARE = 0.02
"""Fraction of eligible tenants that get each kind."""

KRR_DAYS = 14
KRR_MIN_SAMPLES = 100
IDLE_DAYS = 7

_NONPROD = (EnvironmentKind.DEVELOPMENT, EnvironmentKind.STAGING)


@dataclass(frozen=True)
class Plants:
    """kind -> {tenant id -> environment the problem lives in}."""

    by_kind: dict[str, dict[str, EnvironmentKind]]

    def env(self, kind: str, tenant: str) -> EnvironmentKind | None:
        return self.by_kind.get(kind, {}).get(tenant)

    def has(self, kind: str, tenant: str, environment: EnvironmentKind | None = None) -> bool:
        got = self.env(kind, tenant)
        return got is not None and (environment is None or got == environment)


def _nonprod_env(t: TenantProfile) -> EnvironmentKind | None:
    return next((e for e in _NONPROD if e in t.environments), None)


def _eligible(kind: str, t: TenantProfile, spec: FleetSpec) -> EnvironmentKind | None:
    """The environment a kind would be planted in for this tenant, None when not eligible."""
    prod = EnvironmentKind.PRODUCTION
    enough_samples = min(spec.days, KRR_DAYS) * 24 >= KRR_MIN_SAMPLES
    if kind in ("requests-oversized", "requests-under"):
        return prod if enough_samples else None
    if kind.startswith("odoo-workers-"):
        # an HPA sizes the web pod's CPU for its target, not by the plain p95: left out so
        # the planted answer is the plain rule of docs/rightsizing.md
        return prod if enough_samples and not t.hpa else None
    if kind == "nonprod-idle":
        # Idle waste is judged at the end, when every sleeping namespace is asleep (00:00
        # UTC is night in Europe), and a namespace asleep is not idle waste: only an
        # environment that never sleeps can be planted idle.
        env = _nonprod_env(t)
        return env if env is not None and not sleeps(t.service_class, env) else None
    if kind == "redis-maxmemory-unset":
        return prod if t.tenancy is Tenancy.DEDICATED else None
    if kind in ("image-tag-mutable", "ingress-no-tls"):
        return _nonprod_env(t) or prod
    return prod


def choose_plants(tenants: tuple[TenantProfile, ...], spec: FleetSpec) -> Plants:
    """Spread kinds over distinct tenants where possible; at least one of each when N >= 20."""
    used: set[str] = set()
    by_kind: dict[str, dict[str, EnvironmentKind]] = {}
    for kind in (*KINDS, *RIGHTSIZING_KINDS):
        eligible = [(t, e) for t in tenants if (e := _eligible(kind, t, spec)) is not None]
        count = round(SHARE * len(eligible))
        if spec.tenants >= 20 and eligible:
            count = max(1, count)
        order = rng(spec.seed, "planted", kind).permutation(len(eligible))
        ranked = sorted(
            (eligible[int(i)] for i in order), key=lambda te: te[0].id in used
        )  # stable: unused tenants first, in the shuffled order
        chosen = ranked[:count]
        by_kind[kind] = {t.id: e for t, e in chosen}
        used.update(t.id for t, _ in chosen)
    return Plants(by_kind)


def plant_factor(spec: FleetSpec, kind: str, tenant: str, low: float, high: float) -> float:
    """A deterministic size for one planted problem (how stale, how oversized...)."""
    return float(low + (high - low) * rng(spec.seed, "planted-size", kind, tenant).random())


__all__ = ["KINDS", "RIGHTSIZING_KINDS", "Plants", "choose_plants", "plant_factor"]
