"""`costplane collect NAME`: read one real system into the warehouse.

Every collector command is thin: it builds a `collect()` call from its options
and hands it to `run_collector`, which has the service load what was read through
the warehouse's idempotent ingest and record the run in the state store (what
`costplane sources status` shows), and prints the summary. A partial run
loads what it read, exits 0 and says on stderr what it missed; a run that
cannot reach its target exits 1 with one line naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from costplane.errors import InputError
from costplane.service import CollectRequest, Project
from costplane.service import run_collector as collect_into
from costplane.sources import Collected
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
    """Collect, load, record (`costplane.service.run_collector`), print. `target` is shown
    and stored: it must be masked. A rerun that would shrink a loaded period is refused
    unless `allow_shrink` (--replace)."""
    if output is OutputFormat.CSV:
        raise InputError("--output csv: a collector prints a table or JSON (-o table|json)")
    request = CollectRequest(source, target, collect, allow_shrink=allow_shrink)
    collected = collect_into(project, request)
    if output is OutputFormat.JSON:
        emit_json(
            {**collected.summary, "partial": collected.partial, "missing": [*collected.missing]}
        )
    else:
        table(collected.summary)
    for item in collected.missing:
        err_console.print(f"warning: {target}: could not read {item}", markup=False, soft_wrap=True)
    return collected


REPLACE_HELP = (
    "Replace a collected period even with materially less than it holds (more than 10 % "
    "fewer rows): refused otherwise. The replaced load is kept (costplane ingest restore)."
)


# The collectors, each in its own module, register their commands on `app`.
from costplane.surfaces.cli import (  # noqa: E402,F401
    collect_backups,
    collect_kubernetes,
    collect_postgres,
    collect_prometheus,
    collect_redis,
)
