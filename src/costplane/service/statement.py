"""A tenant's monthly statement: its contract and fee, its class, its cost by cost domain
and environment, its use beyond the entitlements, and what it is charged.

One typed `Statement` that every surface renders (PDF, XLSX, HTML: costplane.surfaces
.documents). It holds no arithmetic of its own: the charge is the chargeback's for the
tenant (`chargeback_report`, by tenant), so the statement's totals are those of
`costplane report chargeback` to the cent; the costs are the showback's (by tenant,
environment and cost domain), the fee the margin report's, the use beyond the
entitlements the entitlements report's items with status `over`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import Dimension, KindCosts, TenantCharge, Window
from costplane.catalog import Catalog, ChargebackRules, Tenant
from costplane.errors import InputError
from costplane.insight import Status
from costplane.service.entitlements import ClassReportRequest, entitlements_report
from costplane.service.letterhead import Letterhead, letterhead
from costplane.service.project import Project
from costplane.service.reports import (
    ReportRequest,
    chargeback_report,
    margin_report,
    showback_report,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class StatementRequest:
    tenant: str
    period: str
    """YYYY-MM"""
    month: Window

    @classmethod
    def of(cls, tenant: str, period: str) -> StatementRequest:
        return cls(tenant, period, Window.month(period))


@dataclass(frozen=True)
class ContractTerms:
    """A contract covering some of the period's days, and the monthly fee it sets."""

    start: dt.date
    end: dt.date | None
    """Exclusive; None: open."""
    monthly_fee: Decimal
    """The contract's fee, else its service class's."""
    currency: str


@dataclass(frozen=True)
class CostLine:
    """The tenant's allocated cost in one environment and cost domain, by kind (exact)."""

    environment: str | None
    cost_domain: str | None
    costs: KindCosts


@dataclass(frozen=True)
class OverUse:
    """An entitlement used beyond what the class grants, and its price a month."""

    environment: str
    entitlement: str
    entitled: Decimal | None
    used: Decimal | None
    unit: str
    monthly_amount: Decimal
    basis: str


@dataclass(frozen=True)
class Statement:
    letterhead: Letterhead
    tenant: str
    tenant_name: str
    service_class: str
    period: str
    """YYYY-MM"""
    period_label: str
    """The days it covers: the allocated ones (2026-10-01 to 2026-10-30)."""
    allocated_days: int
    days_in_month: int
    currency: str
    contracts: tuple[ContractTerms, ...]
    contract_days: int
    """Allocated days of the period a contract covers."""
    fee: Decimal | None
    """The contract fee for those days (the margin report's), to the cent; None when it
    cannot be stated in the catalog currency (`fee_note` says why)."""
    fee_note: str | None
    costs: tuple[CostLine, ...]
    charge: TenantCharge
    """The chargeback's: cost (exact), charge, minimum; `total` is what is invoiced."""
    rules: ChargebackRules
    over: tuple[OverUse, ...]
    notes: tuple[str, ...]
    issued: dt.date

    @property
    def cost(self) -> KindCosts:
        """The sum of the cost lines (every kind the tenant carries)."""
        return sum((line.costs for line in self.costs), KindCosts())

    @property
    def over_amount(self) -> Decimal:
        return sum((item.monthly_amount for item in self.over), ZERO)


def statement(project: Project, request: StatementRequest) -> Statement:
    """The tenant's statement for the month; InputError for a tenant the catalog does not
    know or a month with no allocated day."""
    catalog = project.catalog()
    tenant = known_tenant(catalog, request.tenant)
    month = request.month
    bill = chargeback_report(project, ReportRequest(month, ("tenant",)))
    period = bill.body.period
    charges = {t.tenant: t for t in bill.body.tenants}
    charge = charges.get(tenant.id, TenantCharge(tenant.id, ZERO, ZERO, ZERO))
    by: tuple[Dimension, ...] = ("tenant", "environment", "cost_domain")
    shown = showback_report(project, ReportRequest(month, by)).body
    costs = tuple(
        CostLine(line.environment, line.cost_domain, line.costs)
        for line in shown.lines
        if line.tenant == tenant.id
    )
    margins = margin_report(project, ReportRequest(month)).body
    margin = next((m for m in margins.tenants if m.tenant == tenant.id), None)
    flagged = next((f for f in margins.flagged if f.tenant == tenant.id), None)
    used = entitlements_report(project, ClassReportRequest.of(request.period, tenant.id))
    over = tuple(
        OverUse(
            env.environment,
            item.entitlement,
            item.entitled,
            item.used,
            item.unit,
            item.monthly_amount,
            item.basis,
        )
        for t in used.tenants
        for env in t.environments
        for item in env.items
        if item.status is Status.OVER
    )
    days = period.allocated_days
    covering = [c for c in tenant.contracts if any(c.covers(day) for day in days)]
    return Statement(
        letterhead=letterhead(project, catalog),
        tenant=tenant.id,
        tenant_name=tenant.name,
        service_class=tenant.service_class,
        period=period.name,
        period_label=period.label,
        allocated_days=len(days),
        days_in_month=period.days_in_month,
        currency=catalog.currency,
        contracts=tuple(
            ContractTerms(
                c.start,
                c.end,
                c.monthly_fee
                if c.monthly_fee is not None
                else catalog.service_classes[tenant.service_class].monthly_fee,
                c.currency or catalog.currency,
            )
            for c in covering
        ),
        contract_days=sum(1 for day in days if tenant.contract_on(day)),
        fee=margin.fee if margin is not None else None,
        fee_note=flagged.reason if flagged is not None else None,
        costs=costs,
        charge=charge,
        rules=bill.body.rules,
        over=over,
        notes=tuple(dict.fromkeys((*bill.notes, *used.notes))),
        issued=dt.datetime.now(dt.UTC).date(),
    )


def known_tenant(catalog: Catalog, tenant_id: str) -> Tenant:
    tenant = catalog.tenant(tenant_id)
    if tenant is not None:
        return tenant
    known = [t.id for t in catalog.tenants]
    close = difflib.get_close_matches(tenant_id, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"--tenant {tenant_id!r}: not a tenant of the catalog{hint}")
