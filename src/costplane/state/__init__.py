"""The state store: Costplane's own records, in SQLite or PostgreSQL, migrated by Alembic."""

from costplane.state.ingest_runs import recent_runs, record_runs
from costplane.state.models import IngestRun
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
    "current_revision",
    "downgrade",
    "head_revision",
    "open_session",
    "recent_runs",
    "record_runs",
    "state_engine",
    "table_names",
    "upgrade",
]
