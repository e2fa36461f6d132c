"""The findings `govern` keeps: listed, shown, acknowledged and suppressed in the state store.

A reader's operations open the state store without creating it; a decision (acknowledge,
suppress) is recorded with who made it and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.actions import AuditLog, Decision, HeadsFile, current_actor, heads_path
from costplane.governance import (
    FindingsPage,
    Status,
    StoredFinding,
    acknowledge,
    get_finding,
    list_findings,
    page_of_findings,
    suppress,
)
from costplane.service.project import Project
from costplane.service.serialise import as_row

ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED)


@dataclass(frozen=True)
class FindingsQuery:
    statuses: tuple[Status, ...] | None = ACTIVE
    """None: every status, resolved and suppressed too."""
    policy: str | None = None
    tenant: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class Suppression:
    until: dt.date
    """The last day (UTC) the finding stays suppressed."""
    reason: str
    by: str | None = None
    """Who decided (default: $COSTPLANE_ACTOR, else the login name)."""


def kept_findings(project: Project, query: FindingsQuery) -> list[StoredFinding]:
    """Findings, most money first."""
    return list_findings(
        project.state(create=False),
        statuses=query.statuses,
        policy=query.policy,
        tenant=query.tenant,
        severity=query.severity,
    )


def kept_findings_page(
    project: Project, query: FindingsQuery, limit: int, offset: int = 0
) -> FindingsPage:
    """A page of `kept_findings` and their total, reading only the page's findings in full
    (the API's list: a page of 100 of thousands should not build them all)."""
    return page_of_findings(
        project.state(create=False),
        limit=limit,
        offset=offset,
        statuses=query.statuses,
        policy=query.policy,
        tenant=query.tenant,
        severity=query.severity,
    )


def kept_finding(project: Project, reference: str) -> StoredFinding:
    """One finding by its id, or the start of its fingerprint."""
    return get_finding(project.state(create=False), reference)


def acknowledge_finding(project: Project, reference: str, by: str | None) -> StoredFinding:
    """Acknowledge, kept with the finding and in the audit log, with who decided."""
    actor, now = current_actor(by), dt.datetime.now(dt.UTC)
    found = acknowledge(project.state(create=False), reference, actor, now)
    _audit(project, found, "acknowledge", actor, f"finding {found.id} acknowledged")
    return found


def suppress_finding(project: Project, reference: str, suppression: Suppression) -> StoredFinding:
    """Suppress until a day, kept with the finding and in the audit log, with who and why."""
    actor = current_actor(suppression.by)
    found = suppress(
        project.state(create=False),
        reference,
        suppression.until,
        suppression.reason,
        actor,
        dt.datetime.now(dt.UTC),
    )
    detail = f"finding {found.id} suppressed until {suppression.until}: {suppression.reason}"
    _audit(project, found, "suppress", actor, detail)
    return found


def _audit(project: Project, finding: StoredFinding, action: str, actor: str, detail: str) -> None:
    """Every decision on a finding is in the audit log, as every applied action is."""
    after = {
        "status": finding.status.value,
        "policy": finding.policy,
        "tenant": finding.tenant,
        "suppressed_until": None
        if finding.suppressed_until is None
        else finding.suppressed_until.isoformat(),
    }
    decision = Decision(
        action=action,
        name=str(finding.id),
        namespace=finding.namespace,
        detail=detail,
        monthly_amount=finding.monthly_waste or Decimal(0),
        currency=finding.currency,
        after=after,
    )
    heads = HeadsFile(heads_path(project.settings.data_dir))
    AuditLog(project.state(create=False), heads).record_decision(decision, actor)


DOCUMENT_KEYS = (
    "id",
    "policy",
    "severity",
    "resource",
    "cluster",
    "kind",
    "namespace",
    "name",
    "tenant",
    "environment",
    "monthly_waste",
    "currency",
    "message",
    "fix",
    "fingerprint",
    "status",
    "first_seen",
    "last_seen",
    "resolved_at",
    "acknowledged_at",
    "acknowledged_by",
    "suppressed_until",
    "suppressed_reason",
    "suppressed_by",
    "evidence",
    "history",
)
"""A kept finding's JSON keys, in order: those of `govern --output json` first."""


def finding_document(finding: StoredFinding) -> dict[str, Any]:
    """A kept finding as JSON shows it (the same keys as `govern --output json`, and more)."""
    resource = {"kind": finding.kind, "namespace": finding.namespace, "name": finding.name}
    row = {
        **as_row(finding),
        "resource": resource,
        "evidence": dict(finding.evidence),
        "history": [as_row(change) for change in finding.history],
    }
    return {key: row[key] for key in DOCUMENT_KEYS}
