"""The product's operations, one typed function each, called alike by every surface.

A surface (the CLI, the REST API) parses its input into an operation's options, calls
the operation with the `Project`, and formats the typed result it gets back (as JSON
through `to_document`). The operations compose the stages' public functions: they open
the project's stores, call the stage and record what it did; they hold no cost logic.
"""

from costplane.service.act import (
    Acted,
    ActOptions,
    ClusterAccess,
    Mode,
    RunRequest,
    ScheduleRequest,
    acting_failure,
    run_action,
    run_schedule,
)
from costplane.service.allocate import allocate_days
from costplane.service.anomalies import (
    AnomaliesReport,
    AnomaliesRequest,
    anomalies_document,
    anomalies_report,
)
from costplane.service.audit import audit_entries, verify_audit
from costplane.service.budgets import (
    BudgetsReport,
    BudgetsRequest,
    budgets_document,
    budgets_report,
)
from costplane.service.capacity import (
    CommitmentsRequest,
    NodesRequest,
    Requests,
    recommend_commitments,
    recommend_nodes,
)
from costplane.service.class_change import (
    ClassChangePlan,
    ClassChangeRequest,
    class_change_document,
    plan_class_change,
)
from costplane.service.collect import CollectRequest, collector_status, run_collector
from costplane.service.demo import Demo, run_demo
from costplane.service.drift import DriftReport, DriftRequest, drift
from costplane.service.entitlements import (
    ClassReportRequest,
    dr_document,
    dr_report,
    entitlements_document,
    entitlements_report,
)
from costplane.service.export import FocusRequest, export_month
from costplane.service.findings import (
    ACTIVE,
    FindingsQuery,
    Suppression,
    acknowledge_finding,
    finding_document,
    kept_finding,
    kept_findings,
    suppress_finding,
)
from costplane.service.forecast import (
    DatabaseForecastRequest,
    forecast_databases,
    forecast_spend,
)
from costplane.service.govern import GovernRequest, govern
from costplane.service.ingest import (
    FocusIngest,
    IngestHistory,
    LoadFate,
    adopt_fleet_catalog,
    ingest_fleet,
    ingest_focus,
    ingest_history,
    restore_load,
)
from costplane.service.metrics import (
    BudgetUse,
    CostMetrics,
    FindingsGroup,
    KindCost,
    Metrics,
    MetricsStamp,
    SourceFreshness,
    TenantCharged,
    TenantCost,
    gather_metrics,
    metrics_stamp,
)
from costplane.service.notify import (
    Notified,
    NotifyRequest,
    notification_history,
    run_notifications,
    try_route,
)
from costplane.service.placement import (
    MigrationRequest,
    PlacementRequest,
    plan_migration,
    recommend_placement,
)
from costplane.service.project import Project
from costplane.service.recommend import Recommended, WorkloadRequest, recommend_workloads
from costplane.service.record import record_restore
from costplane.service.render import (
    Rendered,
    RenderedEnvironmentSummary,
    RenderFormat,
    RenderRequest,
    render_tenant,
)
from costplane.service.reports import (
    Report,
    ReportRequest,
    chargeback_document,
    chargeback_lines,
    chargeback_report,
    margin_document,
    margin_report,
    reconcile_document,
    reconcile_report,
    showback_document,
    showback_report,
    unit_cost_document,
    unit_cost_report,
)
from costplane.service.serialise import as_row, to_document

__all__ = [
    "ACTIVE",
    "ActOptions",
    "Acted",
    "AnomaliesReport",
    "AnomaliesRequest",
    "BudgetUse",
    "BudgetsReport",
    "BudgetsRequest",
    "ClassChangePlan",
    "ClassChangeRequest",
    "ClassReportRequest",
    "ClusterAccess",
    "CollectRequest",
    "CommitmentsRequest",
    "CostMetrics",
    "DatabaseForecastRequest",
    "Demo",
    "DriftReport",
    "DriftRequest",
    "FindingsGroup",
    "FindingsQuery",
    "FocusIngest",
    "FocusRequest",
    "GovernRequest",
    "IngestHistory",
    "KindCost",
    "LoadFate",
    "Metrics",
    "MetricsStamp",
    "MigrationRequest",
    "Mode",
    "NodesRequest",
    "Notified",
    "NotifyRequest",
    "PlacementRequest",
    "Project",
    "Recommended",
    "RenderFormat",
    "RenderRequest",
    "Rendered",
    "RenderedEnvironmentSummary",
    "Report",
    "ReportRequest",
    "Requests",
    "RunRequest",
    "ScheduleRequest",
    "SourceFreshness",
    "Suppression",
    "TenantCharged",
    "TenantCost",
    "WorkloadRequest",
    "acknowledge_finding",
    "acting_failure",
    "adopt_fleet_catalog",
    "allocate_days",
    "anomalies_document",
    "anomalies_report",
    "as_row",
    "audit_entries",
    "budgets_document",
    "budgets_report",
    "chargeback_document",
    "chargeback_lines",
    "chargeback_report",
    "class_change_document",
    "collector_status",
    "dr_document",
    "dr_report",
    "drift",
    "entitlements_document",
    "entitlements_report",
    "export_month",
    "finding_document",
    "forecast_databases",
    "forecast_spend",
    "gather_metrics",
    "govern",
    "ingest_fleet",
    "ingest_focus",
    "ingest_history",
    "kept_finding",
    "kept_findings",
    "margin_document",
    "margin_report",
    "metrics_stamp",
    "notification_history",
    "plan_class_change",
    "plan_migration",
    "recommend_commitments",
    "recommend_nodes",
    "recommend_placement",
    "recommend_workloads",
    "reconcile_document",
    "reconcile_report",
    "record_restore",
    "render_tenant",
    "restore_load",
    "run_action",
    "run_collector",
    "run_demo",
    "run_notifications",
    "run_schedule",
    "showback_document",
    "showback_report",
    "suppress_finding",
    "to_document",
    "try_route",
    "unit_cost_document",
    "unit_cost_report",
    "verify_audit",
]
