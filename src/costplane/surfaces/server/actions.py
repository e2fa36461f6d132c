"""Action plans, as dry runs only: what an action would change, and what it would save.

Applying stays a CLI step taken by a person (`costplane act run --apply`); the API has no
way to apply, whatever the role. Objects are read from where the server was told at
start (`costplane serve --manifests DIR`, or a cluster by kubeconfig or in-cluster), never
from a path a client names. Findings are named by id or fingerprint; their documents are
handed to the operation as `act run FILE` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from costplane.service import (
    ActOptions,
    ClusterAccess,
    Mode,
    Principal,
    Project,
    Right,
    RunRequest,
    finding_document,
    kept_finding,
    run_action,
    to_document,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import document
from costplane.surfaces.server.schemas import Document, Money
from costplane.surfaces.server.served import served_project

router = APIRouter(prefix="/actions", tags=["actions"], responses=PROBLEMS)


@dataclass(frozen=True)
class ObjectSource:
    """Where the server reads the Kubernetes objects a plan is made against."""

    manifests: Path | None = None
    cluster: ClusterAccess = field(default_factory=ClusterAccess)


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=100, examples=["sleep"], description="`costplane act list`")
    params: dict[str, str] = Field(default_factory=dict, description="The action's parameters")
    findings: list[str] = Field(
        default_factory=list, max_length=1000, description="Findings by id or fingerprint"
    )
    namespaces: list[str] = Field(default_factory=list, max_length=1000)
    kinds: list[str] = Field(
        default_factory=list, max_length=50, description="With namespaces: these kinds"
    )
    allow_production: bool = False


class Change(Document):
    action: str
    kind: str
    namespace: str
    name: str
    change: str
    monthly_amount: Money
    currency: str
    reason: str
    patch: Any
    before: Any
    after: Any


class PlanDocument(Document):
    action: str
    mode: str
    changes: list[Change]
    skipped: list[dict[str, Any]]
    monthly_amount: Money


@router.post("/plan", response_model=PlanDocument)
def plan(
    body: PlanBody,
    request: Request,
    who: Principal = Depends(allowed(Right.PLAN_ACTIONS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """What an action would change on findings and/or namespaces: a dry run, never
    applied (`act run ACTION [FILE] -n NAMESPACE -o json`)."""
    source: ObjectSource = request.app.state.objects
    options = ActOptions(
        now=dt.datetime.now(dt.UTC),
        mode=Mode.DRY_RUN,
        manifests=source.manifests,
        cluster=source.cluster,
        by=who.subject,
    )
    with tempfile.TemporaryDirectory(prefix="costplane-plan-") as scratch:
        targets = None
        if body.findings:
            found = [to_document(finding_document(kept_finding(project, r))) for r in body.findings]
            targets = Path(scratch) / "findings.json"
            targets.write_text(json.dumps(found))
        run = RunRequest(
            action=body.action,
            params=body.params,
            targets_file=targets,
            namespaces=tuple(body.namespaces),
            kinds=tuple(body.kinds),
            allow_production=body.allow_production,
        )
        acted = run_action(project, run, options)
    return document(acted.document())
