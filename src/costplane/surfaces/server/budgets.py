"""Budgets and anomalies: the platform's money against its plan, and days that ran high.

`GET /budgets` calls `budgets status`'s operation without recording (a read raises no
alert: `costplane budgets status` and `notify run` do, once per crossing), so its
`alerts` are empty. `GET /anomalies` calls `anomalies`' operation, with the notes the CLI
prints on stderr. Both span every tenant and cluster: they are the host's (`read_fleet`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from costplane.insight.anomalies import Anomaly
from costplane.insight.budgets import BudgetStatus
from costplane.service import (
    AnomaliesRequest,
    BudgetsRequest,
    Principal,
    Project,
    Right,
    anomalies_document,
    anomalies_report,
    budgets_document,
    budgets_report,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.derived import model_of
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import PERIOD, document
from costplane.surfaces.server.schemas import Day, Document, Money, Time
from costplane.surfaces.server.served import served_project

router = APIRouter(responses=PROBLEMS)


class BudgetAlert(Document):
    threshold_percent: Money
    basis: str
    threshold_amount: Money
    value: Money
    raised_at: Time
    new: bool


BudgetDocument = model_of(
    BudgetStatus,
    "BudgetDocument",
    overrides={"scope": dict[str, Any]},
    extra={"alerts": list[BudgetAlert]},
)


class BudgetsDocument(Document):
    period: str
    currency: str
    as_of: Day | None = Field(description="The month's last allocated day")
    allocated_days: int
    days_in_month: int
    budgets: list[BudgetDocument]  # type: ignore[valid-type]


AnomalyDocument = model_of(Anomaly, "AnomalyDocument")
AnomaliesDocument: type[BaseModel] = create_model(
    "AnomaliesDocument",
    __config__=ConfigDict(extra="forbid"),
    period=(str, ...),
    currency=(str, ...),
    anomalies=(list[AnomalyDocument], ...),  # type: ignore[valid-type]
    notes=(list[str], Field(description="What the CLI prints on stderr")),
)


@router.get("/budgets", response_model=BudgetsDocument, tags=["budgets"])
def budgets(
    period: str | None = Query(
        None,
        pattern=r"^[0-9]{4}-[0-9]{2}$",
        description="A calendar month, YYYY-MM (default: the newest allocated month)",
        examples=["2026-10"],
    ),
    _who: Principal = Depends(allowed(Right.READ_FLEET)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per budget: actual to date, the month-end forecast and the thresholds they cross
    (`budgets status --no-record -o json`)."""
    return document(budgets_document(budgets_report(project, BudgetsRequest.of(period, False))))


@router.get("/anomalies", response_model=AnomaliesDocument, tags=["anomalies"])
def anomalies(
    period: str = PERIOD,
    k: Decimal | None = Query(
        None, gt=0, le=1000, description="Spreads above the expected amount (default 5)"
    ),
    min_excess: Decimal | None = Query(
        None, ge=0, le=1_000_000_000, description="Least excess money worth reporting"
    ),
    _who: Principal = Depends(allowed(Right.READ_FLEET)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Days a tenant's or a cluster's cost in a domain ran above its baseline, with the
    driver that grew most (`anomalies -o json`)."""
    report = anomalies_report(project, AnomaliesRequest.of(period, k, min_excess))
    return document({**anomalies_document(report), "notes": list(report.notes)})
