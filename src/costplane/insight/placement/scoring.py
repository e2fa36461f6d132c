"""Shared or dedicated, per tenant: five criteria, each scored 0 to 1, weighted.

The operating model places tenants "by workload profile, margin model and risk posture";
dedicated suits "custom modules, strict performance isolation, region-specific
residency, enhanced security controls, or integration-heavy operations". Each criterion
is one of those, scored from 0 (shared is fine) to 1 (dedicated is called for), its
parts kept so a reader can check it:

- custom_modules: custom modules / `custom_modules_full`.
- isolation: the larger of (its share of its cluster at the cluster's peak hour /
  `peak_share_full`) and (its p95 production use over its class's production quota,
  the larger of CPU and memory, / `p95_full`).
- compliance: 1 for a regulated sector, 0.5 when only residency is required, else 0.
- integration: the largest of ingress requests per day / `requests_per_day_full`, queue
  jobs per month / `queue_jobs_per_month_full` and declared integrations /
  `integrations_full`.
- margin: 1 when the dedicated model earns more (fee − cost) than the shared one at the
  fee the tenant pays now (its dedicated environment costs less than its place on the
  shared platform), else 0.

Each ratio is capped at 1. The score is Σ weight × criterion score / Σ weights; at
`dedicated_at` or above the recommendation is dedicated. See docs/placement.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.allocation import Margins, TenantMargin
from costplane.catalog import Catalog, EnvironmentKind, PlacementRules, Tenancy, Tenant
from costplane.errors import InputError
from costplane.insight.placement.footprint import Footprint
from costplane.insight.placement.rendered import RenderedCost, rendered_cost
from costplane.insight.placement.traffic import Traffic
from costplane.insight.placement.workload import NO_WORKLOAD, Workload
from costplane.money import cents

CRITERIA = ("custom_modules", "isolation", "compliance", "integration", "margin")


@dataclass(frozen=True)
class Evidence:
    """What the warehouse says about one tenant, for placement and migration."""

    workload: Workload
    footprint: Footprint | None
    traffic: Traffic | None


@dataclass(frozen=True)
class Criterion:
    criterion: str
    weight: float
    """Its weight over the sum of the weights."""
    score: float
    """0 (shared is fine) to 1 (dedicated is called for), to three decimals."""
    contribution: float
    """weight × score, to three decimals."""
    reason: str
    parts: Mapping[str, Any]


@dataclass(frozen=True)
class PlacementMoney:
    """The month's money under each model at the fee the tenant pays now: the current
    model's cost is the allocation's, the other's rendered from its class (`rendered`).
    `alternative_list_fee` is the other class's list fee for the same days, and the
    margin the other model would earn at it: what a change of contract would bring."""

    shared_class: str
    dedicated_class: str
    fee: Decimal
    cost_shared: Decimal
    cost_dedicated: Decimal
    margin_shared: Decimal
    margin_dedicated: Decimal
    alternative_list_fee: Decimal
    alternative_margin_at_list_fee: Decimal
    rendered: RenderedCost

    @property
    def dedicated_gain(self) -> Decimal:
        """What dedicated earns more than shared at the same fee (negative: less)."""
        return self.margin_dedicated - self.margin_shared


@dataclass(frozen=True)
class TenantPlacement:
    tenant: str
    service_class: str
    current: Tenancy
    recommended: Tenancy
    change: bool
    score: float
    criteria: tuple[Criterion, ...]
    money: PlacementMoney
    reasons: tuple[str, ...]
    """Why, strongest first, and the money."""

    def criterion(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.criterion == name)


def compared_classes(catalog: Catalog) -> tuple[str, str]:
    """(shared class, dedicated class) the models are rendered from: the catalog's choice,
    else the dearest shared class and the cheapest dedicated one."""
    rules = catalog.placement
    chosen = []
    for tenancy, named, pick in (
        (Tenancy.SHARED, rules.shared_class, max),
        (Tenancy.DEDICATED, rules.dedicated_class, min),
    ):
        ids = sorted(i for i, c in catalog.service_classes.items() if c.tenancy is tenancy)
        key = f"placement.{tenancy.value}_class"
        if named is not None:
            if named not in ids:
                raise InputError(
                    f"costplane.yaml: {key} {named!r} is not a service class with tenancy "
                    f"{tenancy.value} (those are: {', '.join(ids) or 'none'})"
                )
            chosen.append(named)
        elif not ids:
            raise InputError(
                f"costplane.yaml: placement compares shared and dedicated, and no service "
                f"class has tenancy {tenancy.value}"
            )
        else:
            chosen.append(pick(ids, key=lambda i: (catalog.service_classes[i].monthly_fee, i)))
    return chosen[0], chosen[1]


def place_tenant(
    catalog: Catalog,
    tenant: Tenant,
    charged: TenantMargin,
    evidence: Evidence,
    margins: Margins,
) -> TenantPlacement:
    rules = catalog.placement
    money = placement_money(catalog, tenant, charged, evidence.footprint, margins)
    weights = _weights(rules)
    scored = [
        _custom_modules(tenant, evidence.footprint, rules),
        _isolation(catalog, tenant, evidence.workload, rules),
        _compliance(tenant),
        _integration(tenant, evidence.traffic, evidence.footprint, rules),
        _margin(money),
    ]
    criteria = tuple(
        Criterion(name, round(weights[name], 3), score, round(weights[name] * score, 3), why, parts)
        for name, (score, why, parts) in zip(CRITERIA, scored, strict=True)
    )
    total = round(
        sum(weights[name] * score for name, (score, _, _) in zip(CRITERIA, scored, strict=True)), 3
    )
    current = catalog.service_classes[tenant.service_class].tenancy
    recommended = Tenancy.DEDICATED if total >= float(rules.dedicated_at) else Tenancy.SHARED
    strongest = sorted(
        (c for c in criteria if c.score > 0), key=lambda c: (-c.contribution, c.criterion)
    )
    reasons = [*(c.reason for c in strongest), _money_reason(money, catalog.currency)]
    return TenantPlacement(
        tenant=tenant.id,
        service_class=tenant.service_class,
        current=current,
        recommended=recommended,
        change=recommended is not current,
        score=total,
        criteria=criteria,
        money=money,
        reasons=tuple(reasons),
    )


def placement_money(
    catalog: Catalog,
    tenant: Tenant,
    charged: TenantMargin,
    footprint: Footprint | None,
    margins: Margins,
) -> PlacementMoney:
    """The current model from the allocation, the other rendered from its class."""
    shared_class, dedicated_class = compared_classes(catalog)
    period = margins.period
    share = Decimal(len(period.allocated_days)) / Decimal(period.days_in_month)
    contract_share = Decimal(charged.contract_days) / Decimal(period.days_in_month)
    current = catalog.service_classes[tenant.service_class].tenancy
    other = dedicated_class if current is Tenancy.SHARED else shared_class
    rendered = rendered_cost(catalog, other, tenant, footprint, share)
    list_fee = cents(catalog.service_classes[other].monthly_fee * contract_share)
    shared, dedicated = (
        (charged.cost, rendered.total)
        if current is Tenancy.SHARED
        else (rendered.total, charged.cost)
    )
    return PlacementMoney(
        shared_class=tenant.service_class if current is Tenancy.SHARED else shared_class,
        dedicated_class=tenant.service_class if current is Tenancy.DEDICATED else dedicated_class,
        fee=charged.fee,
        cost_shared=shared,
        cost_dedicated=dedicated,
        margin_shared=charged.fee - shared,
        margin_dedicated=charged.fee - dedicated,
        alternative_list_fee=list_fee,
        alternative_margin_at_list_fee=list_fee - rendered.total,
        rendered=rendered,
    )


def _weights(rules: PlacementRules) -> dict[str, float]:
    given = rules.weights.model_dump()
    total = sum(given.values())
    return {name: float(given[name] / total) for name in CRITERIA}


def _capped(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


Scored = tuple[float, str, dict[str, Any]]


def _custom_modules(tenant: Tenant, footprint: Footprint | None, rules: PlacementRules) -> Scored:
    names = None if footprint is None else footprint.custom_modules
    count = tenant.custom_modules if names is None else len(names)
    source = "catalog" if names is None else "collector"
    parts: dict[str, Any] = {"count": count, "source": source, "full_at": rules.custom_modules_full}
    if names is not None:
        parts["modules"] = list(names)
    listed = f": {', '.join(names)}" if names else ""
    reason = f"{count} custom module{'s' if count != 1 else ''} ({source}){listed}"
    return _capped(count / rules.custom_modules_full), reason, parts


def _isolation(
    catalog: Catalog, tenant: Tenant, workload: Workload, rules: PlacementRules
) -> Scored:
    quota = catalog.service_classes[tenant.service_class].quota.get(EnvironmentKind.PRODUCTION)
    cpu_of_quota = (
        workload.p95_cpu_cores / float(quota.cpu) if quota is not None and quota.cpu else 0.0
    )
    memory_of_quota = (
        workload.p95_memory_bytes / quota.memory if quota is not None and quota.memory else 0.0
    )
    of_quota = max(cpu_of_quota, memory_of_quota)
    share_score = _capped(workload.peak_share / float(rules.peak_share_full))
    p95_score = _capped(of_quota / float(rules.p95_full))
    parts = {
        "cluster": workload.cluster,
        "peak_hour": workload.peak_hour,
        "peak_share": round(workload.peak_share, 4),
        "peak_share_score": share_score,
        "p95_cpu_cores": round(workload.p95_cpu_cores, 3),
        "p95_memory_bytes": round(workload.p95_memory_bytes),
        "quota_cpu_cores": None if quota is None else quota.cpu,
        "quota_memory_bytes": None if quota is None else quota.memory,
        "p95_of_quota": round(of_quota, 3),
        "p95_score": p95_score,
        "hours": workload.hours,
    }
    if workload is NO_WORKLOAD or workload.hours == 0:
        return 0.0, "no production usage reported", parts
    reason = (
        f"{workload.peak_share:.1%} of {workload.cluster} at its peak hour; "
        f"p95 at {of_quota:.0%} of the {tenant.service_class} production quota"
    )
    return max(share_score, p95_score), reason, parts


def _compliance(tenant: Tenant) -> Scored:
    flags = tenant.compliance
    parts = {
        "regulated_sector": flags.regulated_sector,
        "residency_required": flags.residency_required,
        "region": tenant.region,
    }
    if flags.regulated_sector:
        return 1.0, f"regulated sector: {flags.regulated_sector}", parts
    if flags.residency_required:
        return 0.5, f"data must stay in {tenant.region}", parts
    return 0.0, "no compliance flag", parts


def _integration(
    tenant: Tenant, traffic: Traffic | None, footprint: Footprint | None, rules: PlacementRules
) -> Scored:
    requests = 0.0 if traffic is None else traffic.requests_per_day
    jobs = None if footprint is None else footprint.queue_jobs_month
    declared = len(tenant.integrations)
    scores = {
        "requests": _capped(requests / rules.requests_per_day_full),
        "queue_jobs": _capped((jobs or 0) / rules.queue_jobs_per_month_full),
        "integrations": _capped(declared / rules.integrations_full),
    }
    parts = {
        "requests_per_day": round(requests),
        "queue_jobs_month": jobs,
        "integrations": list(tenant.integrations),
        **{f"{name}_score": score for name, score in scores.items()},
    }
    jobs_text = "" if jobs is None else f", {jobs:,} queue jobs this month"
    named = f" ({', '.join(tenant.integrations)})" if tenant.integrations else ""
    reason = f"{requests:,.0f} requests a day{jobs_text}, {declared} integrations{named}"
    return max(scores.values()), reason, parts


def _margin(money: PlacementMoney) -> Scored:
    parts = {
        "margin_shared": money.margin_shared,
        "margin_dedicated": money.margin_dedicated,
        "dedicated_gain": money.dedicated_gain,
    }
    gain = money.dedicated_gain
    if gain > 0:
        return 1.0, f"dedicated costs {gain:,.2f} less than shared this month", parts
    return 0.0, f"dedicated costs {-gain:,.2f} more than shared this month", parts


def _money_reason(money: PlacementMoney, currency: str) -> str:
    return (
        f"at its fee of {money.fee:,.2f} {currency}: margin {money.margin_shared:,.2f} shared "
        f"({money.shared_class}), {money.margin_dedicated:,.2f} dedicated "
        f"({money.dedicated_class})"
    )
