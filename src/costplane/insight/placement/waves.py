"""A migration in waves: low risk and small first, custom modules and heavy integrations
later, each wave's data under a bound a maintenance window can move.

- risk: the tenant's custom-module, integration and compliance scores from the placement,
  added (0 to 3): low below 0.5, medium below 1.5, high from 1.5. A wave never mixes bands.
- data: its production databases and its production file store (attachments), as last
  collected; staging, development and DR copies are made ahead, outside the window.
- cutover: data / the declared throughput, rounded up to the minute, plus the per-tenant
  overhead (freeze, checks, DNS switch); a wave's cutover is its tenants' in a row.
- packing: tenants sorted by band, then data, then id; a tenant joins the open wave while
  the band is the same, the wave stays within the data bound, the window and the tenant
  limit; otherwise it opens the next wave. A tenant that alone exceeds the window gets a
  wave of its own, marked not within the window.
- rollback: each tenant's row counts, attachments (count and bytes) and business signals
  of the month, read on the source at the freeze and on the target after the copy; any
  difference rolls the tenant back. The values shown are as last collected, for scale.
- cost: before, the allocation's cost of the month; after, the target class rendered and
  priced (docs/placement.md); a move to another cluster keeps the class and its prices.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import Window, margin
from costplane.catalog import Catalog, MigrationRules, Tenancy
from costplane.errors import InputError
from costplane.insight.placement.placement import Placement, gather_evidence, placement_of
from costplane.insight.placement.rendered import rendered_cost
from costplane.insight.placement.scoring import Evidence, TenantPlacement
from costplane.warehouse import Warehouse

MIB = 2**20
GIB = 2**30
BANDS = ("low", "medium", "high")
RISK_CRITERIA = ("custom_modules", "integration", "compliance")


@dataclass(frozen=True)
class Rollback:
    """What must read the same on the target as on the source, or the tenant rolls back."""

    taken_at: dt.datetime | None
    row_counts: Mapping[str, int]
    row_counts_exact: bool
    """False when the counts are PostgreSQL's estimates (no exact Odoo counts collected)."""
    attachments: int
    attachment_bytes: int
    business_signals: Mapping[str, int]
    """Per signal, the count over the month."""


@dataclass(frozen=True)
class MigratingTenant:
    tenant: str
    service_class: str
    risk: str
    risk_score: float
    database_bytes: int
    file_store_bytes: int
    data_bytes: int
    cutover_minutes: int
    cost_before: Decimal
    cost_after: Decimal
    rollback: Rollback


@dataclass(frozen=True)
class Wave:
    wave: int
    risk: str
    tenants: tuple[MigratingTenant, ...]
    data_bytes: int
    cutover_minutes: int
    within_window: bool
    within_bound: bool
    rollback_criteria: tuple[str, ...]
    cost_before: Decimal
    cost_after: Decimal


@dataclass(frozen=True)
class MigrationPlan:
    to: str
    target: str
    """"class" or "cluster"."""
    period: str
    currency: str
    throughput_mib_per_second: Decimal
    window_hours: Decimal
    wave_bound_bytes: int
    waves: tuple[Wave, ...]
    cost_before: Decimal
    cost_after: Decimal
    notes: tuple[str, ...]


def plan_waves(
    warehouse: Warehouse,
    catalog: Catalog,
    window: Window,
    to: str,
    tenants: Sequence[str] = (),
    rules: MigrationRules | None = None,
) -> MigrationPlan:
    """The plan to move `tenants` (default: those the placement sends there) to the class
    or cluster `to`, read on the month `window`."""
    margins = margin(warehouse, catalog, window)
    evidence = gather_evidence(warehouse, catalog, window)
    placement = placement_of(catalog, margins, evidence)
    usage = warehouse.table("usage_samples")
    clusters = {
        row["cluster"] for row in usage.select("cluster").distinct().to_pyarrow().to_pylist()
    }
    return waves_of(catalog, placement, evidence, to, tenants, clusters, rules or catalog.migration)


def waves_of(
    catalog: Catalog,
    placement: Placement,
    evidence: Mapping[str, Evidence],
    to: str,
    tenants: Sequence[str],
    clusters: set[str],
    rules: MigrationRules,
) -> MigrationPlan:
    """The plan from a placement and its evidence (no warehouse: testable by hand)."""
    target = _target(catalog, to, clusters)
    notes: list[str] = []
    chosen = _chosen(catalog, placement, evidence, to, target, tenants, notes)
    throughput = rules.throughput_mib_per_second * MIB
    window_minutes = rules.window_hours * 60
    bound = int(
        rules.wave_max_gib * GIB
        if rules.wave_max_gib is not None
        else throughput * rules.window_hours * 3600
    )
    moving = [
        _migrating(catalog, placed, evidence.get(placed.tenant), to, target, rules, placement)
        for placed in chosen
    ]
    moving.sort(key=lambda m: (BANDS.index(m.risk), m.data_bytes, m.tenant))
    waves: list[list[MigratingTenant]] = []
    for tenant in moving:
        open_wave = waves[-1] if waves else None
        if open_wave is not None and _fits(open_wave, tenant, bound, window_minutes, rules):
            open_wave.append(tenant)
        else:
            waves.append([tenant])
    built = tuple(_wave(i + 1, wave, window_minutes, bound) for i, wave in enumerate(waves))
    for wave in built:
        if not wave.within_window:
            notes.append(
                f"wave {wave.wave} ({wave.tenants[0].tenant}) needs {wave.cutover_minutes} "
                f"minutes, more than a {rules.window_hours}-hour window: split its copy "
                "(copy ahead and sync) or declare a longer window"
            )
        if not wave.within_bound:
            notes.append(
                f"wave {wave.wave} ({wave.tenants[0].tenant}) moves {wave.data_bytes:,} bytes, "
                f"more than the bound of {bound:,} a wave may move"
            )
    if not built:
        notes.append("no tenant to move")
    return MigrationPlan(
        to=to,
        target=target,
        period=placement.period,
        currency=placement.currency,
        throughput_mib_per_second=rules.throughput_mib_per_second,
        window_hours=rules.window_hours,
        wave_bound_bytes=bound,
        waves=built,
        cost_before=sum((w.cost_before for w in built), Decimal(0)),
        cost_after=sum((w.cost_after for w in built), Decimal(0)),
        notes=tuple(notes),
    )


def _target(catalog: Catalog, to: str, clusters: set[str]) -> str:
    if to in catalog.service_classes:
        return "class"
    if to in clusters:
        return "cluster"
    raise InputError(
        f"--to {to!r}: neither a service class ({', '.join(sorted(catalog.service_classes))}) "
        f"nor a cluster with usage ({', '.join(sorted(clusters)) or 'none'})"
    )


def _chosen(
    catalog: Catalog,
    placement: Placement,
    evidence: Mapping[str, Evidence],
    to: str,
    target: str,
    tenants: Sequence[str],
    notes: list[str],
) -> list[TenantPlacement]:
    if tenants:
        unknown = [t for t in tenants if catalog.tenant(t) is None]
        if unknown:
            raise InputError(f"--tenants: not in the catalog: {', '.join(unknown)}")
        skipped = {s.tenant: s.reason for s in placement.skipped}
        chosen = []
        for tenant_id in dict.fromkeys(tenants):
            placed = placement.tenant(tenant_id)
            if placed is None:
                reason = skipped.get(tenant_id, "no contract or cost in the month")
                notes.append(f"{tenant_id} left out: {reason}")
            elif target == "class" and placed.service_class == to:
                notes.append(f"{tenant_id} left out: already in {to}")
            else:
                chosen.append(placed)
        return chosen
    if target == "class":
        tenancy = catalog.service_classes[to].tenancy
        notes.append(f"tenants: those the placement moves to {tenancy.value} (--tenants to choose)")
        return [p for p in placement.tenants if p.change and p.recommended is tenancy]
    notes.append(f"tenants: every tenant whose production runs outside {to}")
    return [p for p in placement.tenants if _cluster(evidence.get(p.tenant)) != to]


def _cluster(found: Evidence | None) -> str | None:
    return None if found is None else found.workload.cluster


def _migrating(
    catalog: Catalog,
    placed: TenantPlacement,
    found: Evidence | None,
    to: str,
    target: str,
    rules: MigrationRules,
    placement: Placement,
) -> MigratingTenant:
    footprint = None if found is None else found.footprint
    traffic = None if found is None else found.traffic
    tenant = catalog.tenant(placed.tenant)
    assert tenant is not None  # placed tenants are catalog tenants
    risk_score = round(sum(placed.criterion(name).score for name in RISK_CRITERIA), 3)
    risk = "low" if risk_score < 0.5 else "medium" if risk_score < 1.5 else "high"
    database = 0 if footprint is None else footprint.production_bytes
    store = 0 if footprint is None else footprint.file_store_bytes
    data = database + store
    copy_minutes = math.ceil(data / float(rules.throughput_mib_per_second * MIB) / 60)
    money = placed.money
    before = money.cost_shared if placed.current is Tenancy.SHARED else money.cost_dedicated
    after = before
    if target == "class":
        share = Decimal(placement.allocated_days) / Decimal(placement.days_in_month)
        after = rendered_cost(catalog, to, tenant, footprint, share).total
    rollback = Rollback(
        taken_at=None if footprint is None else footprint.taken_at,
        row_counts={} if footprint is None else footprint.row_counts,
        row_counts_exact=False if footprint is None else footprint.row_counts_exact,
        attachments=0 if footprint is None else footprint.attachments,
        attachment_bytes=store,
        business_signals={} if traffic is None else traffic.business_signals,
    )
    return MigratingTenant(
        tenant=placed.tenant,
        service_class=placed.service_class,
        risk=risk,
        risk_score=risk_score,
        database_bytes=database,
        file_store_bytes=store,
        data_bytes=data,
        cutover_minutes=copy_minutes + rules.cutover_overhead_minutes,
        cost_before=before,
        cost_after=after,
        rollback=rollback,
    )


def _fits(
    wave: list[MigratingTenant],
    tenant: MigratingTenant,
    bound: int,
    window_minutes: Decimal,
    rules: MigrationRules,
) -> bool:
    return (
        wave[0].risk == tenant.risk
        and len(wave) < rules.wave_max_tenants
        and sum(t.data_bytes for t in wave) + tenant.data_bytes <= bound
        and sum(t.cutover_minutes for t in wave) + tenant.cutover_minutes <= window_minutes
    )


def _wave(number: int, tenants: list[MigratingTenant], window_minutes: Decimal, bound: int) -> Wave:
    minutes = sum(t.cutover_minutes for t in tenants)
    signals = sorted({s for t in tenants for s in t.rollback.business_signals})
    tables = sorted({r for t in tenants for r in t.rollback.row_counts})
    criteria = [
        f"row counts equal on source and target for {len(tables)} tables"
        + (f" ({', '.join(tables)})" if tables else ""),
        "attachments equal in count and bytes (file store)",
    ]
    if signals:
        criteria.append(f"business signals of the month equal: {', '.join(signals)}")
    criteria.append("any difference, or a cutover past the window: roll the tenant back")
    return Wave(
        wave=number,
        risk=tenants[0].risk,
        tenants=tuple(tenants),
        data_bytes=sum(t.data_bytes for t in tenants),
        cutover_minutes=minutes,
        within_window=minutes <= window_minutes,
        within_bound=sum(t.data_bytes for t in tenants) <= bound,
        rollback_criteria=tuple(criteria),
        cost_before=sum((t.cost_before for t in tenants), Decimal(0)),
        cost_after=sum((t.cost_after for t in tenants), Decimal(0)),
    )
