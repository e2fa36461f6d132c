"""The state store: Costplane's own records, in SQLite or PostgreSQL, migrated by Alembic."""

from costplane.state.ingest_runs import recent_runs, record_runs
from costplane.state.models import IngestRun, SourceRun
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
    "IngestRun",
    "SourceRun",
    "SourceStatus",
    "current_revision",
    "downgrade",
    "head_revision",
    "open_session",
    "recent_runs",
    "record_runs",
    "record_source_run",
    "source_status",
    "state_engine",
    "table_names",
    "upgrade",
]
