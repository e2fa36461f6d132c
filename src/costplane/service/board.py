"""The cost-governance board's monthly report: where the bill went (with the month
before), margin by service class and the worst tenants, the waste found and what was
fixed, budgets and forecasts, DR compliance, the daily trend.

One typed `BoardReport` that every surface renders (PDF, XLSX: costplane.surfaces
.documents). Each part is another operation's result, never recomputed: the bill's split
and the daily trend are `reconcile_report`'s, the margins `margin_report`'s, the budgets
`budgets_report`'s (read, no alert recorded), the forecast `forecast_spend`'s, DR
`dr_report`'s; the waste is the findings standing now (`kept_findings`) and what was
fixed the findings resolved in the month (the findings store's events). A part with
nothing to say (no budgets, no DR requirement, the month before not allocated) is empty,
and the documents say so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import ReconciledDay, TenantMargin, Window, percent
from costplane.errors import InputError
from costplane.governance import resolutions
from costplane.insight.forecast import MonthForecast
from costplane.service.budgets import BudgetsRequest, budgets_report
from costplane.service.entitlements import ClassReportRequest, dr_report
from costplane.service.findings import FindingsQuery, kept_findings
from costplane.service.forecast import forecast_spend
from costplane.service.letterhead import Letterhead, letterhead
from costplane.service.project import Project
from costplane.service.reports import ReportRequest, margin_report, reconcile_report

ZERO = Decimal(0)
WORST = 5
"""How many tenants the worst-margin table shows."""


@dataclass(frozen=True)
class BoardRequest:
    month: Window

    @classmethod
    def of(cls, period: str) -> BoardRequest:
        return cls(Window.month(period))


@dataclass(frozen=True)
class BillSplit:
    """A month's bill and where allocation placed it (the reconcile report's total)."""

    period: str
    period_label: str
    """The allocated days it covers."""
    total: ReconciledDay
    """billed = allocated (to tenants) + shared + idle + unallocated (+ difference)."""


@dataclass(frozen=True)
class ClassMargin:
    service_class: str
    tenants: int
    fee: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return percent(self.margin, self.fee)


@dataclass(frozen=True)
class PolicyWaste:
    """Findings of one policy and their monthly waste (findings without money count 0)."""

    policy: str
    findings: int
    monthly_waste: Decimal


@dataclass(frozen=True)
class BudgetLine:
    budget: str
    monthly_amount: Decimal
    actual: Decimal
    actual_percent: Decimal | None
    forecast: Decimal
    forecast_percent: Decimal | None


@dataclass(frozen=True)
class DrFailure:
    tenant: str
    service_class: str
    requirements: tuple[str, ...]
    """The requirements it fails (rpo, restore-tested, rto, isolation)."""


@dataclass(frozen=True)
class DrCompliance:
    tenants: int
    passing: int
    failing: tuple[DrFailure, ...]


@dataclass(frozen=True)
class BoardReport:
    letterhead: Letterhead
    period: str
    currency: str
    bill: BillSplit
    before: BillSplit | None
    """The month before, None when none of its days is allocated."""
    margins: tuple[ClassMargin, ...]
    """By service class, worst margin first."""
    fee: Decimal
    cost: Decimal
    worst: tuple[TenantMargin, ...]
    """The tenants with the worst margin, worst first (at most WORST)."""
    waste: tuple[PolicyWaste, ...]
    """Findings standing now (open or acknowledged), by policy, most money first."""
    fixed: tuple[PolicyWaste, ...]
    """Findings resolved during the month (a run no longer found them), by policy."""
    budgets: tuple[BudgetLine, ...]
    forecast: tuple[MonthForecast, ...]
    """Total allocated cost: the month-end of the newest allocated month, then three more."""
    forecast_as_of: dt.date | None
    dr: DrCompliance | None
    """None when no contracted tenant has a DR requirement to check."""
    daily: tuple[ReconciledDay, ...]
    notes: tuple[str, ...]
    issued: dt.date

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost

    @property
    def waste_total(self) -> Decimal:
        return sum((p.monthly_waste for p in self.waste), ZERO)

    @property
    def fixed_total(self) -> Decimal:
        return sum((p.monthly_waste for p in self.fixed), ZERO)


def board_report(project: Project, request: BoardRequest) -> BoardReport:
    """The board's report for the month; InputError when none of its days is allocated."""
    catalog = project.catalog()
    month = request.month
    reconciled = reconcile_report(project, ReportRequest(month))
    period = reconciled.body.period
    before = _month_before(project, month)
    margins = margin_report(project, ReportRequest(month)).body
    standing = kept_findings(project, FindingsQuery())
    start = dt.datetime.combine(month.start, dt.time())
    end = dt.datetime.combine(month.end, dt.time())
    fixed = resolutions(project.state(create=False), start, end)
    budgets = budgets_report(project, BudgetsRequest(month, record=False)).status
    dr = dr_report(project, ClassReportRequest.of(period.name))
    forecast: tuple[MonthForecast, ...] = ()
    as_of: dt.date | None = None
    try:
        spend = forecast_spend(project)
        forecast, as_of = spend.total.months, spend.as_of
    except InputError:  # nothing to forecast from: the part is left empty
        pass
    return BoardReport(
        letterhead=letterhead(project, catalog),
        period=period.name,
        currency=catalog.currency,
        bill=BillSplit(period.name, period.label, reconciled.body.total),
        before=before,
        margins=class_margins(margins.tenants),
        fee=margins.fee,
        cost=margins.cost,
        worst=margins.tenants[:WORST],
        waste=by_policy((f.policy, f.monthly_waste) for f in standing),
        fixed=by_policy((r.policy, r.monthly_waste) for r in fixed),
        budgets=tuple(
            BudgetLine(
                b.budget,
                b.monthly_amount,
                b.actual,
                b.actual_percent,
                b.forecast,
                b.forecast_percent,
            )
            for b in budgets.budgets
        ),
        forecast=forecast,
        forecast_as_of=as_of,
        dr=None
        if not dr.tenants
        else DrCompliance(
            tenants=len(dr.tenants),
            passing=sum(1 for t in dr.tenants if t.status == "pass"),
            failing=tuple(
                DrFailure(
                    t.tenant,
                    t.service_class,
                    tuple(r.requirement for r in t.requirements if r.status == "fail"),
                )
                for t in dr.tenants
                if t.status == "fail"
            ),
        ),
        daily=reconciled.body.days,
        notes=reconciled.notes,
        issued=dt.datetime.now(dt.UTC).date(),
    )


def _month_before(project: Project, month: Window) -> BillSplit | None:
    try:
        window = Window.month(f"{month.start - dt.timedelta(days=1):%Y-%m}")
        report = reconcile_report(project, ReportRequest(window))
    except InputError:  # before the months Costplane reads, or not allocated
        return None
    return BillSplit(report.body.period.name, report.body.period.label, report.body.total)


def class_margins(tenants: Iterable[TenantMargin]) -> tuple[ClassMargin, ...]:
    """The tenants' fees and costs summed per service class, worst margin first."""
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for t in tenants:
        total = sums[t.service_class or "(none)"]
        total[0] += 1
        total[1] += t.fee
        total[2] += t.cost
    found = [ClassMargin(k, int(n), fee, cost) for k, (n, fee, cost) in sums.items()]
    return tuple(sorted(found, key=lambda m: (m.margin, m.service_class)))


def by_policy(found: Iterable[tuple[str, Decimal | None]]) -> tuple[PolicyWaste, ...]:
    """Count and money per policy, most money first."""
    counts: dict[str, int] = defaultdict(int)
    money: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for policy, waste in found:
        counts[policy] += 1
        money[policy] += waste or ZERO
    rows = [PolicyWaste(p, counts[p], money[p]) for p in counts]
    return tuple(sorted(rows, key=lambda p: (-p.monthly_waste, p.policy)))
