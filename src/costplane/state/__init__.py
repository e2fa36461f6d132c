"""The state store: Costplane's own records, in SQLite or PostgreSQL, migrated by Alembic."""

from costplane.state.api_tokens import add_token, kept_token, kept_tokens, mark_revoked
from costplane.state.budget_alerts import Crossing, KeptAlert, budget_alerts, record_budget_alerts
from costplane.state.ingest_runs import recent_runs, record_runs, runs_of_loads
from costplane.state.models import (
    ApiToken,
    AuditEntry,
    Finding,
    FindingEvent,
    IngestRun,
    NotificationRecord,
    RestoreTestRecord,
    SourceRun,
)
from costplane.state.notifications import (
    delivered_keys,
    notification_records,
    record_delivery,
    routes_sent_on,
)
from costplane.state.restore_tests import record_restore_test, restore_tests
from costplane.state.source_runs import SourceStatus, record_source_run, source_status
from costplane.state.stamp import StateStamp, state_stamp
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
    "ApiToken",
    "AuditEntry",
    "Crossing",
    "Finding",
    "FindingEvent",
    "IngestRun",
    "KeptAlert",
    "NotificationRecord",
    "RestoreTestRecord",
    "SourceRun",
    "SourceStatus",
    "StateStamp",
    "add_token",
    "budget_alerts",
    "current_revision",
    "delivered_keys",
    "downgrade",
    "head_revision",
    "kept_token",
    "kept_tokens",
    "mark_revoked",
    "notification_records",
    "open_session",
    "recent_runs",
    "record_budget_alerts",
    "record_delivery",
    "record_restore_test",
    "record_runs",
    "record_source_run",
    "restore_tests",
    "routes_sent_on",
    "runs_of_loads",
    "source_status",
    "state_engine",
    "state_stamp",
    "table_names",
    "upgrade",
]
