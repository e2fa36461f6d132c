"""Sending the planned range queries and keeping count: points, failures, what is missing.

A query that fails (refused, or still failing after its retries) is reported
and the others go on. Once the server is unreachable or denies access, the
queries not yet sent are not sent; they are reported in one line.
"""

from __future__ import annotations

import threading

from costplane.errors import ServiceUnavailableError
from costplane.sources.prometheus.client import PrometheusClient, QueryFailedError
from costplane.sources.prometheus.matrix import Matrix
from costplane.sources.prometheus.plan import Batch, Chunk
from costplane.sources.prometheus.promql import Field
from costplane.sources.prometheus.window import Window


class Reading:
    """The query loop's shared state (used from several threads)."""

    def __init__(self, client: PrometheusClient, window: Window) -> None:
        self.client = client
        self.window = window
        self.queries = 0
        self.succeeded = 0
        self.samples = 0
        self.points_max = 0
        self.failed: list[str] = []
        self.not_sent = 0
        self.stopped: str | None = None
        self._lock = threading.Lock()

    def query(self, field: Field, batch: Batch, chunk: Chunk) -> Matrix | None:
        """The matrix of `field` for `batch` over `chunk`, or None (then it is reported)."""
        if self.stopped is not None:
            with self._lock:
                self.not_sent += 1
            return None
        window = self.window
        what = f"{field.what} for {batch.describe()} {window.span_text(chunk.first, chunk.last)}"
        try:
            result = self.client.query_range(
                field.query([batch.matcher], window.step),
                window.evaluation(chunk.first),
                window.evaluation(chunk.last),
                window.step,
            )
        except QueryFailedError as error:
            self._failed(f"{what}: {error}")
            return None
        except ServiceUnavailableError as error:
            self._failed(f"{what}: {error}")
            self.stopped = str(error)
            return None
        points = result.points
        with self._lock:
            self.queries += 1
            self.succeeded += 1
            self.samples += points
            self.points_max = max(self.points_max, points)
        return result

    def _failed(self, message: str) -> None:
        with self._lock:
            self.queries += 1
            self.failed.append(message)

    def missing(self) -> list[str]:
        """What could not be read, one line each."""
        lines = sorted(self.failed)
        if self.not_sent:
            lines.append(f"{self.not_sent} more queries not sent: {self.stopped}")
        lines += [f"server warning: {w}" for w in dict.fromkeys(self.client.warnings)]
        return lines
