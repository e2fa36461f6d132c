"""Forecasts: each tenant database's size ahead, and the platform's spend ahead.

The routes call `forecast databases` and `forecast spend`'s operations and answer their
JSON documents. A database belongs to one tenant, so a tenant's token gets its own
databases' forecasts (`?tenant=` narrows the list for others); the spend forecast holds
every tenant's and the platform's total, so it is the host's (`read_fleet`).
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from costplane.insight.forecast import DatabaseForecasts, SpendForecasts
from costplane.service import (
    DatabaseForecastRequest,
    Principal,
    Project,
    Right,
    forecast_databases,
    forecast_spend,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.derived import model_of
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import document
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(prefix="/forecasts", tags=["forecasts"], responses=PROBLEMS)

DatabaseForecastsDocument = model_of(DatabaseForecasts, "DatabaseForecastsDocument")
SpendForecastsDocument = model_of(SpendForecasts, "SpendForecastsDocument")


@router.get("/databases", response_model=DatabaseForecastsDocument)
def databases(
    horizon: str = Query(
        "90d", max_length=10, description="How far ahead: days or weeks", examples=["12w"]
    ),
    environment: str = Query(
        "production",
        max_length=30,
        description="Which environment's databases; `all` for every one",
    ),
    tenant: str | None = Query(
        None, max_length=100, description="Only this tenant's (a tenant's token: its own)"
    ),
    who: Principal = Depends(allowed(Right.READ_RECOMMENDATIONS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Each tenant database's size ahead (p10, p50, p90), the day it crosses its class's
    band, the class after it, and its cost at the horizon (`forecast databases -o json`)."""
    scope = narrowed(project, who, tenant)
    request = DatabaseForecastRequest.of(horizon, environment)
    result = forecast_databases(project, request)
    if scope is not None:
        mine = tuple(d for d in result.databases if d.tenant == scope)
        result = dataclasses.replace(result, databases=mine)
    return document(result)


@router.get("/spend", response_model=SpendForecastsDocument)
def spend(
    _who: Principal = Depends(allowed(Right.READ_FLEET)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Allocated cost at the month's end and for the next three months (p10, p50, p90), in
    total and per tenant, service class and cost domain (`forecast spend -o json`)."""
    return document(forecast_spend(project))
