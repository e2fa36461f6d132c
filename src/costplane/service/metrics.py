"""What the `/metrics` exposition shows, gathered from the operations the reports use.

Costs are the month of the last allocated day, to date (showback and chargeback), and
that day alone (the allocation's daily series); what no tenant carries comes by kind
(shared, idle, overhead, unallocated); findings are counted per policy, severity and
status with their monthly waste; budgets as `budgets status` evaluates them (read only,
no alert recorded); each source's last good collection as `sources status` has it.
Money stays Decimal here: only the exposition turns it into floats (docs/metrics.md).

Computing all this over a large warehouse takes seconds, and Prometheus scrapes every
few: `metrics_stamp` is the cheap question "did anything change?" a surface asks before
gathering again (the catalog file, the allocation and loads, the findings and collector
runs, the day).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import (
    AllocationStamp,
    KindCosts,
    Window,
    allocation_stamp,
    daily_cost,
    last_allocated_day,
)
from costplane.service.budgets import BudgetsRequest, budgets_report
from costplane.service.collect import collector_status
from costplane.service.findings import FindingsQuery, kept_findings
from costplane.service.project import Project
from costplane.service.reports import (
    ReportRequest,
    chargeback_report,
    reconcile_report,
    showback_report,
)
from costplane.state import StateStamp, state_stamp

ZERO = Decimal(0)
KINDS = ("direct", "shared", "idle", "overhead", "unallocated")


@dataclass(frozen=True)
class TenantCost:
    """One tenant's cost in one environment and cost domain: every kind it carries."""

    tenant: str
    environment: str | None
    cost_domain: str | None
    month_to_date: Decimal
    day: Decimal
    """The last allocated day alone."""


@dataclass(frozen=True)
class KindCost:
    """What allocation placed of one kind in one cost domain."""

    kind: str
    cost_domain: str | None
    month_to_date: Decimal
    day: Decimal
    untenanted: Decimal
    """Of `month_to_date`, what no tenant carries (the showback's lines without a tenant)."""


@dataclass(frozen=True)
class TenantCharged:
    tenant: str
    charge: Decimal
    """The month to date as chargeback charges it, its minimum included."""


@dataclass(frozen=True)
class BudgetUse:
    budget: str
    monthly_amount: Decimal
    actual: Decimal
    forecast: Decimal


@dataclass(frozen=True)
class CostMetrics:
    period: str
    """YYYY-MM: the month of `last_day`."""
    last_day: dt.date
    allocated_days: int
    currency: str
    tenants: tuple[TenantCost, ...]
    kinds: tuple[KindCost, ...]
    charges: tuple[TenantCharged, ...]
    billed: Decimal
    """The month's bill to date, as `report reconcile` reads it."""
    unreconciled: Decimal
    """Bill minus what allocation placed, month to date (`report reconcile`'s difference)."""
    budgets: tuple[BudgetUse, ...]


@dataclass(frozen=True)
class FindingsGroup:
    policy: str
    severity: str
    status: str
    currency: str
    count: int
    monthly_waste: Decimal


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    target: str
    status: str
    """The last run's: ok, partial or failed."""
    last_success: dt.datetime | None
    """UTC; None when no run of it ever succeeded."""


@dataclass(frozen=True)
class Metrics:
    costs: CostMetrics | None
    """None until something is allocated."""
    findings: tuple[FindingsGroup, ...]
    sources: tuple[SourceFreshness, ...]
    computed_at: dt.datetime
    """UTC, when gathering started."""
    gather_seconds: float
    """How long gathering took: what the first scrape after a change waits."""


@dataclass(frozen=True)
class MetricsStamp:
    """Equal stamps: `gather_metrics` would gather the same (docs/metrics.md)."""

    catalog: tuple[int, int] | None
    allocation: AllocationStamp
    state: StateStamp
    day: dt.date
    """Suppressions expire with the day, and a source's age is computed at each scrape."""


def metrics_stamp(project: Project) -> MetricsStamp:
    path = project.settings.catalog_path
    try:
        stat = path.stat()
        catalog: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        catalog = None
    with project.warehouse(create=False) as warehouse:
        allocation = allocation_stamp(warehouse)
    state = state_stamp(project.state(create=False))
    return MetricsStamp(catalog, allocation, state, dt.datetime.now(dt.UTC).date())


def gather_metrics(project: Project) -> Metrics:
    """Everything the exposition shows, exact."""
    started, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    costs = cost_metrics(project)
    findings = findings_groups(project)
    sources = tuple(
        SourceFreshness(s.source, s.target, s.status, s.last_success)
        for s in collector_status(project)
    )
    return Metrics(costs, findings, sources, started, time.perf_counter() - clock)


def cost_metrics(project: Project) -> CostMetrics | None:
    """The month of the last allocated day, to date, and that day; None before any."""
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        last = last_allocated_day(warehouse)
        if last is None:
            return None
        day = daily_cost(
            warehouse,
            last,
            last + dt.timedelta(days=1),
            ("tenant", "environment", "cost_domain", "kind"),
        )
    period = f"{last:%Y-%m}"
    showback = showback_report(
        project, ReportRequest(Window.month(period), ("tenant", "environment", "cost_domain"))
    ).body
    chargeback = chargeback_report(project, ReportRequest.of(period)).body
    reconciled = reconcile_report(project, ReportRequest.of(period)).body.total
    budgets: tuple[BudgetUse, ...] = ()
    if catalog.budgets:
        status = budgets_report(project, BudgetsRequest(Window.month(period), record=False))
        budgets = tuple(
            BudgetUse(b.budget, b.monthly_amount, b.actual, b.forecast)
            for b in status.status.budgets
        )

    tenant_month: dict[tuple[str, str | None, str | None], Decimal] = defaultdict(lambda: ZERO)
    domain_month: dict[str | None, KindCosts] = {}
    untenanted: dict[tuple[str, str | None], KindCosts] = {}
    for line in showback.lines:
        if line.tenant is not None:
            tenant_month[(line.tenant, line.environment, line.cost_domain)] += line.costs.total
        else:
            key = (line.line, line.cost_domain)
            untenanted[key] = untenanted.get(key, KindCosts()) + line.costs
        domain = line.cost_domain
        domain_month[domain] = domain_month.get(domain, KindCosts()) + line.costs
    tenant_day: dict[tuple[str, str | None, str | None], Decimal] = defaultdict(lambda: ZERO)
    kind_day: dict[tuple[str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for row in day:
        if row["tenant"] is not None:
            tenant_day[(row["tenant"], row["environment"], row["cost_domain"])] += row["cost"]
        kind_day[(row["kind"], row["cost_domain"])] += row["cost"]

    untenanted_by_kind: dict[tuple[str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for (_, domain), costs in untenanted.items():
        for kind in KINDS:
            untenanted_by_kind[(kind, domain)] += getattr(costs, kind)
    domains = sorted(set(domain_month) | {d for _, d in kind_day}, key=_none_last)
    kinds = tuple(
        KindCost(kind, domain, month, kind_day[(kind, domain)], untenanted_by_kind[(kind, domain)])
        for domain in domains
        for kind in KINDS
        if (month := getattr(domain_month.get(domain, KindCosts()), kind))
        or kind_day[(kind, domain)]
    )
    tenants = tuple(
        TenantCost(tenant, environment, domain, cost, tenant_day[(tenant, environment, domain)])
        for (tenant, environment, domain), cost in tenant_month.items()
    )
    return CostMetrics(
        period=period,
        last_day=last,
        allocated_days=len(showback.period.allocated_days),
        currency=catalog.currency,
        tenants=tenants,
        kinds=kinds,
        charges=tuple(TenantCharged(t.tenant, t.total) for t in chargeback.tenants),
        billed=reconciled.billed,
        unreconciled=reconciled.difference,
        budgets=budgets,
    )


def findings_groups(project: Project) -> tuple[FindingsGroup, ...]:
    """Every kept finding, of every status, counted per policy, severity and status."""
    count: dict[tuple[str, str, str, str], int] = defaultdict(int)
    waste: dict[tuple[str, str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for finding in kept_findings(project, FindingsQuery(statuses=None)):
        key = (finding.policy, finding.severity, finding.status.value, finding.currency)
        count[key] += 1
        waste[key] += finding.monthly_waste or ZERO
    return tuple(FindingsGroup(*key, count[key], waste[key]) for key in sorted(count))


def _none_last(value: str | None) -> tuple[bool, str]:
    return (value is None, value or "")
