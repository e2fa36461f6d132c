"""Service classes in force: entitlements against use, and DR evidence, for one month.

Both operations read the project's warehouse read-only and compose the insight stage;
the DR evidence adds, from the state store, who ran each restore test recorded with
`costplane record restore-test`. The JSON documents are contracts (docs/reports.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costplane.allocation import Window
from costplane.insight import Entitlements, RecoveryEvidence, dr_evidence, entitlements
from costplane.service.project import Project
from costplane.service.serialise import to_document
from costplane.state import restore_tests


@dataclass(frozen=True)
class ClassReportRequest:
    """One month (`YYYY-MM`), every contracted tenant or one."""

    period: str
    month: Window
    tenant: str | None = None

    @classmethod
    def of(cls, period: str, tenant: str | None = None) -> ClassReportRequest:
        return cls(period, Window.month(period), tenant)


def entitlements_report(
    project: Project, request: ClassReportRequest, evidence: RecoveryEvidence | None = None
) -> Entitlements:
    """`evidence`: the same request's `dr_report`, when the caller has it (not read again)."""
    catalog = project.catalog()
    month = request.month
    with project.warehouse(create=False) as warehouse:
        return entitlements(
            warehouse,
            catalog,
            request.period,
            month.start,
            month.end,
            request.tenant,
            evidence=evidence,
        )


def dr_report(project: Project, request: ClassReportRequest) -> RecoveryEvidence:
    catalog = project.catalog()
    recorded = restore_tests(project.state(create=False), request.tenant)
    ran_by = {(t.tenant, t.tested_at): t.ran_by for t in recorded}
    month = request.month
    with project.warehouse(create=False) as warehouse:
        return dr_evidence(
            warehouse, catalog, request.period, month.start, month.end, request.tenant, ran_by
        )


def entitlements_document(result: Entitlements) -> dict[str, Any]:
    """`{"report": "entitlements", "period", "currency", "unused_share", "tenants": [...]}`."""
    return {"report": "entitlements", **to_document(result)}


def dr_document(result: RecoveryEvidence) -> dict[str, Any]:
    """`{"report": "dr", "period", "start", "end", "as_of", "tenants": [...]}`."""
    return {"report": "dr", **to_document(result)}
