"""What every collector returns.

A collector reads one real system (a cluster, a Prometheus, a PostgreSQL or
Redis server, a backup repository) and returns a `Collected`: the warehouse
loads, a summary for people (the `--output json` document), and the list of
what it could not read. A run that misses something still returns what it
read, marked partial; a run that cannot reach its target at all raises
`ServiceUnavailableError` with one line naming the target (never its secrets);
how it retries and how long it waits are `costplane.retries`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from costplane.warehouse import Load


@dataclass(frozen=True)
class Collected:
    """One collector run's result: loads for the warehouse, a summary, what was missed."""

    source: str  # "kubernetes", "prometheus", "postgres", "redis", "backups"
    target: str  # masked: a context name, a URL or DSN without its password
    loads: Sequence[Load]
    summary: dict[str, Any]
    missing: Sequence[str] = field(default_factory=tuple)

    @property
    def partial(self) -> bool:
        return bool(self.missing)
