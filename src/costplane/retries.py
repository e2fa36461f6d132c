"""How Costplane waits for and retries a server: collectors reading, actions writing.

A cluster, a Prometheus, a database, a bucket or a webhook may drop one request; a
bounded number of attempts with backoff rides that out, and then one line names the
target (never its secrets) instead of a traceback. Errors retrying cannot fix (a 403, a
bad query) are not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from time import sleep  # a name of this module: tests replace it, never `time.sleep`
from typing import TypeVar

from costplane.errors import ServiceUnavailableError

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
ATTEMPTS = 3
FIRST_DELAY_SECONDS = 0.5


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
