"""Collecting: read one real system, load what was read, and record the run.

What was read goes through the warehouse's idempotent ingest; every run, ok, partial or
failed, is recorded in the state store (what `costplane sources status` shows). A
failure's text is recorded only when it is Costplane's own: any other may hold secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costplane.errors import CostplaneError
from costplane.service.project import Project
from costplane.sources import Collected, open_and_ingest
from costplane.state import SourceRun, SourceStatus, record_source_run, source_status


@dataclass(frozen=True)
class CollectRequest:
    source: str
    """The collector's name (`kubernetes`, `redis`, ...)."""
    target: str
    """What it reads, as shown and stored: masked, never with a password."""
    collect: Callable[[], Collected]
    """The collector's call, its request built from the surface's input."""
    allow_shrink: bool = False
    """Replace a loaded period even with materially fewer rows (refused otherwise)."""


def run_collector(project: Project, request: CollectRequest) -> Collected:
    """Collect, load, record; what was read, with what could not be read in `missing`."""
    started = _now()
    state = project.state()
    try:
        collected = request.collect()
        results = open_and_ingest(
            project.warehouse, state, collected.loads, allow_shrink=request.allow_shrink
        )
    except CostplaneError as error:
        record_source_run(state, _run(request, started, "failed", error=str(error)))
        raise
    except Exception as error:  # a bug or an error no collector expected: its text may hold secrets
        reason = f"unexpected {type(error).__name__} (run with --debug for details)"
        record_source_run(state, _run(request, started, "failed", error=reason))
        raise
    rows = sum(result.rows_written for result in results)
    status = "partial" if collected.partial else "ok"
    missing = "\n".join(collected.missing) or None
    record_source_run(state, _run(request, started, status, rows=rows, missing=missing))
    return collected


def collector_status(project: Project) -> list[SourceStatus]:
    """Per source and target that ever ran: its last success, last error and what it missed."""
    return source_status(project.state(create=False))


def source_document(entry: SourceStatus, now: dt.datetime) -> dict[str, Any]:
    """One source's status as JSON shows it: staleness in hours (one decimal) as of `now`
    (UTC, naive), what the last run missed as a list."""
    stale = entry.staleness(now)
    return {
        "source": entry.source,
        "target": entry.target,
        "status": entry.status,
        "last_success": entry.last_success,
        "staleness_hours": None if stale is None else round(stale.total_seconds() / 3600, 1),
        "last_error": entry.last_error,
        "last_error_at": entry.last_error_at,
        "missing": entry.missing.splitlines() if entry.missing else [],
    }


def _run(
    request: CollectRequest,
    started: dt.datetime,
    status: str,
    *,
    rows: int = 0,
    missing: str | None = None,
    error: str | None = None,
) -> SourceRun:
    return SourceRun(
        source=request.source,
        target=request.target,
        status=status,
        rows=rows,
        missing=missing,
        error=error[:2000] if error else None,
        started_at=started,
        finished_at=_now(),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
