"""`costplane collect NAME`: read one real system into the warehouse.

Every collector command is thin: it builds a `collect()` call from its options
and hands it to `run_collector`, which loads what was read through the
warehouse's idempotent ingest, records the run in the state store (what
`costplane sources status` shows), and prints the summary. A partial run
loads what it read, exits 0 and says on stderr what it missed; a run that
cannot reach its target exits 1 with one line naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import typer

from costplane.errors import CostplaneError, InputError
from costplane.service import Project
from costplane.sources.collector import Collected
from costplane.sources.ingest import open_and_ingest
from costplane.state import SourceRun, record_source_run
from costplane.surfaces.cli.output import OutputFormat, emit_json, err_console

app = typer.Typer(help="Read a real system (cluster, Prometheus, database, cache, backups).")


def run_collector(
    project: Project,
    source: str,
    target: str,
    collect: Callable[[], Collected],
    output: OutputFormat,
    table: Callable[[dict[str, Any]], None],
    *,
    allow_shrink: bool = False,
) -> Collected:
    """Collect, load, record, print. `target` is shown and stored: it must be masked.
    A rerun that would shrink a loaded period is refused unless `allow_shrink` (--replace)."""
    if output is OutputFormat.CSV:
        raise InputError("--output csv: a collector prints a table or JSON (-o table|json)")
    started = _now()
    state = project.state()
    try:
        collected = collect()
        results = open_and_ingest(
            project.warehouse, state, collected.loads, allow_shrink=allow_shrink
        )
    except CostplaneError as error:
        record_source_run(state, _run(source, target, started, "failed", error=str(error)))
        raise
    except Exception as error:  # a bug or an error no collector expected: its text may hold secrets
        reason = f"unexpected {type(error).__name__} (run with --debug for details)"
        record_source_run(state, _run(source, target, started, "failed", error=reason))
        raise
    rows = sum(result.rows_written for result in results)
    status = "partial" if collected.partial else "ok"
    missing = "\n".join(collected.missing) or None
    record_source_run(state, _run(source, target, started, status, rows=rows, missing=missing))
    if output is OutputFormat.JSON:
        emit_json(
            {**collected.summary, "partial": collected.partial, "missing": [*collected.missing]}
        )
    else:
        table(collected.summary)
    for item in collected.missing:
        err_console.print(f"warning: {target}: could not read {item}", markup=False, soft_wrap=True)
    return collected


def _run(
    source: str,
    target: str,
    started: dt.datetime,
    status: str,
    *,
    rows: int = 0,
    missing: str | None = None,
    error: str | None = None,
) -> SourceRun:
    return SourceRun(
        source=source,
        target=target,
        status=status,
        rows=rows,
        missing=missing,
        error=error[:2000] if error else None,
        started_at=started,
        finished_at=_now(),
    )


REPLACE_HELP = (
    "Replace a collected period even with materially less than it holds (more than 10 % "
    "fewer rows): refused otherwise. The replaced load is kept (costplane ingest restore)."
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# The collectors, each in its own module, register their commands on `app`.
from costplane.surfaces.cli import (  # noqa: E402,F401
    collect_backups,
    collect_kubernetes,
    collect_postgres,
    collect_prometheus,
    collect_redis,
)
