"""Cost: showback, chargeback, unit cost, reconciliation and margin of a month; cost day
by day over any range of days.

Each route calls the service's report and answers its CLI document (`report ... -o
json`) with the report's notes added. A tenant's token gets its own lines (and totals
over them) of showback, chargeback and unit cost; reconciliation and margin are the
host's and need rights a tenant does not hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from costplane.service import (
    DailyCostRequest,
    Principal,
    Project,
    Report,
    ReportRequest,
    Right,
    chargeback_document,
    chargeback_of_tenant,
    chargeback_report,
    daily_cost_document,
    daily_cost_report,
    margin_document,
    margin_report,
    reconcile_document,
    reconcile_report,
    showback_document,
    showback_of_tenant,
    showback_report,
    to_document,
    unit_cost_document,
    unit_cost_of_tenant,
    unit_cost_report,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.report_cache import Kept, ReportCache, report_cache
from costplane.surfaces.server.responses import PERIOD, document
from costplane.surfaces.server.schemas import (
    ChargebackDocument,
    DailyDocument,
    MarginDocument,
    ReconcileDocument,
    ShowbackDocument,
    UnitCostDocument,
)
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["cost"], responses=PROBLEMS)

BY = Query(
    "tenant",
    max_length=200,
    description="Comma-separated dimensions: tenant, and any of environment, service-class, "
    "domain (as `report showback --by`)",
    examples=["tenant,environment"],
)
TENANT = Query(
    None,
    max_length=100,
    description="Only this tenant's lines (a tenant's token: its own, always)",
)


def _noted(report: Report[Any], body: dict[str, Any]) -> dict[str, Any]:
    """The report's document, JSON-ready, with its notes: what the cache keeps."""
    return to_document({**body, "notes": list(report.notes)})  # type: ignore[no-any-return]


def _whole(reports: ReportCache, key: tuple[str, ...], read: Any, write: Any) -> Kept:
    """The whole report's document for `key`, from the cache or read now."""

    def compute() -> dict[str, Any]:
        report = read()
        return _noted(report, write(report))

    return reports.document(key, compute)


def _answer(whole: Kept, scope: str | None, narrow: Any) -> Response:
    """The whole document's kept JSON, or its lines of one tenant."""
    if scope is None:
        return Response(whole.json, media_type="application/json")
    return document(narrow(whole.body, scope))


@router.get("/cost/showback", response_model=ShowbackDocument)
def showback(
    period: str = PERIOD,
    by: str = BY,
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_COST)),
    project: Project = Depends(served_project),
    reports: ReportCache = Depends(report_cache),
) -> Response:
    """Allocated cost per tenant (and `by`), in kind columns (`report showback`)."""
    scope = narrowed(project, who, tenant)
    return _answer(whole_showback(project, reports, period, by), scope, showback_of_tenant)


def whole_showback(project: Project, reports: ReportCache, period: str, by: str) -> Kept:
    """The month's showback of every tenant, kept (what the server warms, warm.py)."""
    request = ReportRequest.of(period, by)
    return _whole(
        reports,
        ("showback", period, by),
        lambda: showback_report(project, request),
        showback_document,
    )


@router.get("/cost/chargeback", response_model=ChargebackDocument)
def chargeback(
    period: str = PERIOD,
    by: str = BY,
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_COST)),
    project: Project = Depends(served_project),
    reports: ReportCache = Depends(report_cache),
) -> Response:
    """What each tenant is charged, by the catalog's chargeback rules (`report chargeback`)."""
    scope = narrowed(project, who, tenant)
    request = ReportRequest.of(period, by)
    body = _whole(
        reports,
        ("chargeback", period, by),
        lambda: chargeback_report(project, request),
        chargeback_document,
    )
    return _answer(body, scope, chargeback_of_tenant)


@router.get("/cost/daily", response_model=DailyDocument)
def daily(
    start: dt.date = Query(description="First day, YYYY-MM-DD", examples=["2026-10-01"]),
    end: dt.date = Query(
        description="Last day, included (at most 366 days)", examples=["2026-10-31"]
    ),
    by: str = Query(
        "",
        max_length=200,
        description="Comma-separated, any of tenant, environment, service-class, domain "
        "(none: one line a day)",
        examples=["tenant,domain"],
    ),
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_COST)),
    project: Project = Depends(served_project),
) -> Response:
    """Allocated cost per day over a range of days, every kind counted (`report daily`)."""
    scope = narrowed(project, who, tenant)
    request = DailyCostRequest.of(start, end, by, scope)
    return document(daily_cost_document(daily_cost_report(project, request)))


@router.get("/cost/unit-cost", response_model=UnitCostDocument)
def unit_cost(
    period: str = PERIOD,
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_COST)),
    project: Project = Depends(served_project),
    reports: ReportCache = Depends(report_cache),
) -> Response:
    """Cost per confirmed order, done picking and posted invoice (`report unit-cost`)."""
    scope = narrowed(project, who, tenant)
    request = ReportRequest.of(period)
    body = _whole(
        reports,
        ("unit-cost", period),
        lambda: unit_cost_report(project, request),
        unit_cost_document,
    )
    return _answer(body, scope, unit_cost_of_tenant)


@router.get("/reconcile", response_model=ReconcileDocument)
def reconcile(
    period: str = PERIOD,
    _who: Principal = Depends(allowed(Right.READ_RECONCILE)),
    project: Project = Depends(served_project),
    reports: ReportCache = Depends(report_cache),
) -> Response:
    """Per day: the bill and what allocation placed (`report reconcile`)."""
    request = ReportRequest.of(period)
    read = lambda: reconcile_report(project, request)  # noqa: E731
    return _answer(_whole(reports, ("reconcile", period), read, reconcile_document), None, None)


@router.get("/margin", response_model=MarginDocument)
def margin(
    period: str = PERIOD,
    _who: Principal = Depends(allowed(Right.READ_MARGIN)),
    project: Project = Depends(served_project),
    reports: ReportCache = Depends(report_cache),
) -> Response:
    """Per tenant: contract fee minus allocated cost, worst first (`report margin`)."""
    request = ReportRequest.of(period)
    read = lambda: margin_report(project, request)  # noqa: E731
    return _answer(_whole(reports, ("margin", period), read, margin_document), None, None)
