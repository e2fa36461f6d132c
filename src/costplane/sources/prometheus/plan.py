"""Splitting the work so that no query asks for more than a set number of points.

A query's points are its result series times its steps. The collector knows,
before querying, an upper bound of the series each unit gives (a namespace:
its containers over the window, from the series index; a router, a node: one
or two). Units are packed into batches (one label matcher each), and a batch's
steps are cut into time chunks, so that series x steps <= max_points for every
query. The biggest unit alone sets the packing: a namespace with more series
than `max_points` cannot be queried for even one step, which is an input error
(raise --max-points). Prometheus also refuses more than 11,000 steps a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costplane.errors import InputError
from costplane.sources.prometheus.promql import matcher_in

MAX_STEPS_PER_QUERY = 11_000
"""Prometheus's own limit on the points of one series in a range query."""
MAX_VALUES_PER_BATCH = 400
"""Keeps a batch's regex matcher (and the query text) a few kilobytes long."""


@dataclass(frozen=True)
class Unit:
    """A value of the split label and the most series a query for it returns."""

    value: str
    series: int


@dataclass(frozen=True)
class Chunk:
    """Evaluations first..last (1-based, inclusive) of the window."""

    first: int
    last: int

    @property
    def steps(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Batch:
    """Units queried together, and the time chunks each of the batch's queries covers."""

    label: str
    values: tuple[str, ...]
    series: int
    chunks: tuple[Chunk, ...]

    @property
    def matcher(self) -> str:
        return matcher_in(self.label, self.values)

    def points(self, chunk: Chunk) -> int:
        """The most points one query of this batch over `chunk` can return."""
        return self.series * chunk.steps

    def describe(self) -> str:
        """The batch as a message names it: `namespaces a, b, c (+4 more)`."""
        shown = ", ".join(self.values[:3])
        more = f" (+{len(self.values) - 3} more)" if len(self.values) > 3 else ""
        noun = {"namespace": "namespaces", "router": "routers", "service": "services"}
        plural = noun.get(self.label, f"{self.label}s") if len(self.values) > 1 else self.label
        return f"{plural} {shown}{more}"


def plan(label: str, units: Sequence[Unit], steps: int, max_points: int) -> list[Batch]:
    """Batches over `units` (in value order) whose every query stays within `max_points`."""
    if max_points < 1:
        raise InputError(f"--max-points {max_points}: must be at least 1")
    units = sorted((u for u in units if u.series > 0), key=lambda u: u.value)
    if not units:
        return []
    biggest = max(units, key=lambda u: u.series)
    if biggest.series > max_points:
        raise InputError(
            f"{label} {biggest.value} has {biggest.series:,} series: one step of it exceeds "
            f"--max-points {max_points:,}; raise --max-points to at least {biggest.series:,}"
        )
    cap = max(biggest.series, max_points // steps)
    batches: list[Batch] = []
    values: list[str] = []
    series = 0
    for unit in units:
        if values and (series + unit.series > cap or len(values) == MAX_VALUES_PER_BATCH):
            batches.append(_batch(label, values, series, steps, max_points))
            values, series = [], 0
        values.append(unit.value)
        series += unit.series
    batches.append(_batch(label, values, series, steps, max_points))
    return batches


def _batch(label: str, values: list[str], series: int, steps: int, max_points: int) -> Batch:
    length = min(steps, max_points // series, MAX_STEPS_PER_QUERY)
    chunks = tuple(
        Chunk(first, min(first + length - 1, steps)) for first in range(1, steps + 1, length)
    )
    return Batch(label, tuple(values), series, chunks)
