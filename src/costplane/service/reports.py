"""The reports on the allocation of one month, and the JSON document each one is.

Each operation opens the project's warehouse read-only, calls the allocation's report
and says, in `notes`, when the month is not wholly allocated or is out of date. The
rules of each report are the allocation's (docs/reports.md); the documents are a
contract other tools read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from costplane.allocation import (
    Chargeback,
    Dimension,
    Margins,
    Period,
    ReconciledDay,
    Showback,
    UnitCosts,
    Window,
    allocated_period,
    chargeback,
    dimensions,
    loaded_since,
    margin,
    reconcile,
    showback,
    unit_cost,
)
from costplane.service.project import Project
from costplane.service.serialise import as_row
from costplane.warehouse import Warehouse

Body = TypeVar("Body")


@dataclass(frozen=True)
class ReportRequest:
    """Which month, grouped by which dimensions (showback and chargeback; tenant first)."""

    month: Window
    by: tuple[Dimension, ...] = ("tenant",)

    @classmethod
    def of(cls, period: str, by: str = "tenant") -> ReportRequest:
        """From `YYYY-MM` and `tenant,environment,...`, as the surfaces take them."""
        return cls(Window.month(period), dimensions(by))


@dataclass(frozen=True)
class Reconciliation:
    period: Period
    days: tuple[ReconciledDay, ...]
    total: ReconciledDay


@dataclass(frozen=True)
class Report(Generic[Body]):
    """A report, its currency and what a reader is told about its month."""

    body: Body
    currency: str
    notes: tuple[str, ...] = ()


def reconcile_report(project: Project, request: ReportRequest) -> Report[Reconciliation]:
    """Per day: the bill and what allocation placed (a day not allocated shows its bill
    as difference)."""
    currency = project.catalog().currency
    with project.warehouse(create=False) as warehouse:
        period = allocated_period(warehouse, request.month)
        days, total = reconcile(warehouse, request.month)
        notes = coverage(warehouse, period, "a day not allocated shows its bill as difference")
    return Report(Reconciliation(period, tuple(days), total), currency, notes)


def showback_report(project: Project, request: ReportRequest) -> Report[Showback]:
    currency = project.catalog().currency
    return _read(
        project, lambda warehouse: showback(warehouse, request.month, request.by), currency
    )


def chargeback_report(project: Project, request: ReportRequest) -> Report[Chargeback]:
    catalog = project.catalog()
    return _read(
        project,
        lambda w: chargeback(w, request.month, catalog.chargeback, request.by, catalog),
        catalog.currency,
    )


def margin_report(project: Project, request: ReportRequest) -> Report[Margins]:
    catalog = project.catalog()
    return _read(project, lambda w: margin(w, catalog, request.month), catalog.currency)


def unit_cost_report(project: Project, request: ReportRequest) -> Report[UnitCosts]:
    catalog = project.catalog()
    return _read(project, lambda w: unit_cost(w, catalog, request.month), catalog.currency)


Of = TypeVar("Of", Showback, Chargeback, Margins, UnitCosts)


def _read(project: Project, report: Callable[[Warehouse], Of], currency: str) -> Report[Of]:
    with project.warehouse(create=False) as warehouse:
        body = report(warehouse)
        return Report(body, currency, coverage(warehouse, body.period))


def coverage(
    warehouse: Warehouse, period: Period, covered: str = "the report covers those days"
) -> tuple[str, ...]:
    """What a reader is told when the month is not wholly allocated (and what the report
    shows of it: `covered`), or is out of date."""
    notes = []
    days = period.allocated_days
    if not period.complete:
        notes.append(
            f"{len(days)} of {period.days_in_month} days of {period.name} are allocated "
            f"({days[0]} to {days[-1]}); {covered}"
        )
    newest = loaded_since(warehouse, period)
    if newest is not None:
        notes.append(
            f"data was loaded ({newest:%Y-%m-%d %H:%M:%S}) after {period.name} was "
            f"allocated ({period.allocated_at:%Y-%m-%d %H:%M:%S}); run `costplane allocate` "
            "for a current report"
        )
    return tuple(notes)


# The JSON documents ----------------------------------------------------------------------


def header(report: str, period: Period, currency: str) -> dict[str, Any]:
    """The opening keys of every report's JSON document."""
    return {
        "report": report,
        "period": period.name,
        "currency": currency,
        "allocated": {
            "first": period.allocated_days[0],
            "last": period.allocated_days[-1],
            "days": len(period.allocated_days),
            "days_in_month": period.days_in_month,
        },
    }


def reconcile_document(report: Report[Reconciliation]) -> dict[str, Any]:
    body = report.body
    total = as_row(body.total)
    del total["date"]
    return {
        **header("reconcile", body.period, report.currency),
        "days": [as_row(day) for day in body.days],
        "total": total,
    }


def showback_lines(statement: Showback) -> list[dict[str, Any]]:
    """Each line: its kind, the dimensions grouped by, its cost per kind and total."""
    return [
        {
            "line": line.line,
            **{d: getattr(line, d) for d in statement.by},
            **as_row(line.costs),
        }
        for line in statement.lines
    ]


def showback_document(report: Report[Showback]) -> dict[str, Any]:
    statement = report.body
    sources = {source: Decimal(0) for source in ("bill", "price-sheet", "catalog")}
    return {
        **header("showback", statement.period, report.currency),
        "by": list(statement.by),
        "lines": showback_lines(statement),
        "total": as_row(statement.total),
        "sources": {**sources, **statement.sources},
    }


def chargeback_lines(bill: Chargeback) -> list[dict[str, Any]]:
    """Each line: its tenant, the other dimensions grouped by, its kind, cost and charge."""
    return [
        {
            "tenant": line.tenant,
            **{d: getattr(line, d) for d in bill.by if d != "tenant"},
            "line": line.line,
            "cost": line.cost,
            "charge": line.charge,
        }
        for line in bill.lines
    ]


def chargeback_document(report: Report[Chargeback]) -> dict[str, Any]:
    bill = report.body
    return {
        **header("chargeback", bill.period, report.currency),
        "rules": bill.rules,
        "by": list(bill.by),
        "lines": chargeback_lines(bill),
        "tenants": [as_row(tenant) for tenant in bill.tenants],
        "total": {"cost": bill.cost, "charge": bill.charge},
    }


def margin_totals(margins: Margins) -> dict[str, Any]:
    return {
        "fee": margins.fee,
        "cost": margins.cost,
        "margin": margins.margin,
        "margin_percent": margins.margin_percent,
    }


def flagged_rows(margins: Margins) -> list[dict[str, Any]]:
    """The flagged tenants, their reason as `flag`."""
    return [
        {"tenant": t.tenant, "service_class": t.service_class, "cost": t.cost, "flag": t.reason}
        for t in margins.flagged
    ]


def margin_document(report: Report[Margins]) -> dict[str, Any]:
    margins = report.body
    return {
        **header("margin", margins.period, margins.currency),
        "tenants": [as_row(tenant) for tenant in margins.tenants],
        "total": margin_totals(margins),
        "flagged": flagged_rows(margins),
        "untenanted_cost": margins.untenanted_cost,
    }


def unit_cost_document(report: Report[UnitCosts]) -> dict[str, Any]:
    costs = report.body
    total = as_row(costs.total)
    del total["tenant"], total["service_class"]
    return {
        **header("unit-cost", costs.period, report.currency),
        "tenants": [as_row(tenant) for tenant in costs.tenants],
        "total": total,
    }
