"""The state store: Costplane's own records, in SQLite or PostgreSQL, migrated by Alembic."""

from costplane.state.budget_alerts import Crossing, KeptAlert, budget_alerts, record_budget_alerts
from costplane.state.ingest_runs import recent_runs, record_runs, runs_of_loads
from costplane.state.models import (
    AuditEntry,
    Finding,
    FindingEvent,
    IngestRun,
    RestoreTestRecord,
    SourceRun,
)
from costplane.state.restore_tests import record_restore_test, restore_tests
from costplane.state.source_runs import SourceStatus, record_source_run, source_status
from costplane.state.store import (
    current_revision,
    downgrade,
    head_revision,
    open_session,
    state_engine,
    table_names,
    upgrade,
)

__all__ = [
    "AuditEntry",
    "Crossing",
    "Finding",
    "FindingEvent",
    "IngestRun",
    "KeptAlert",
    "RestoreTestRecord",
    "SourceRun",
    "SourceStatus",
    "budget_alerts",
    "current_revision",
    "downgrade",
    "head_revision",
    "open_session",
    "recent_runs",
    "record_budget_alerts",
    "record_restore_test",
    "record_runs",
    "record_source_run",
    "restore_tests",
    "runs_of_loads",
    "source_status",
    "state_engine",
    "table_names",
    "upgrade",
]
