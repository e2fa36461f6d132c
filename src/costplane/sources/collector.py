"""What every collector returns, and how every collector retries.

A collector reads one real system (a cluster, a Prometheus, a PostgreSQL or
Redis server, a backup repository) and returns a `Collected`: the warehouse
loads, a summary for people (the `--output json` document), and the list of
what it could not read. A run that misses something still returns what it
read, marked partial; a run that cannot reach its target at all raises
`ServiceUnavailableError` with one line naming the target (never its secrets).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from time import sleep  # a name of this module: tests replace it, never `time.sleep`
from typing import Any, TypeVar

from costplane.errors import ServiceUnavailableError
from costplane.warehouse import Load

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
ATTEMPTS = 3
FIRST_DELAY_SECONDS = 0.5


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


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    retry_on: tuple[type[BaseException], ...],
    attempts: int = ATTEMPTS,
    first_delay: float = FIRST_DELAY_SECONDS,
    describe: Callable[[BaseException], str] = str,
) -> T:
    """`call()`, retried on `retry_on` with exponential backoff (0.5 s, 1 s, 2 s ...).

    After the last attempt raises `ServiceUnavailableError("<what>: <reason>")`;
    `describe` turns the exception into its one-line reason (and must drop secrets).
    Errors outside `retry_on` (a 403, a bad query) propagate at once: retrying
    cannot fix them.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except retry_on as error:
            if attempt == attempts:
                reason = (describe(error).strip().splitlines() or [type(error).__name__])[0]
                raise ServiceUnavailableError(
                    f"{what}: {reason} (after {attempts} attempts)"
                ) from None
            sleep(first_delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
