"""What the warehouse-backed fact providers share: a fact's window in the warehouse's time
(naive UTC), numbers as exact decimals, and a resource's namespace.

A provider answers one fact for many resources with one query per kind of fact,
cached per window: `cpu_p95_cores`, `memory_peak_bytes` and `usage_samples` over
14 days are one query, not three, and not one per workload.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import TypeVar

from costplane.governance.facts.fact import FactRequest
from costplane.governance.inventory.resources import ResourceRef

Result = TypeVar("Result")


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """An aware instant as the warehouse stores it: UTC without a zone."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def aware_utc(moment: dt.datetime) -> dt.datetime:
    """A warehouse timestamp (naive UTC) as an aware instant."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def bounds(request: FactRequest) -> tuple[dt.datetime | None, dt.datetime]:
    """The window [start, end) in warehouse time; start is None for facts without a window."""
    start = request.start
    return (naive_utc(start) if start is not None else None), naive_utc(request.end)


def exact(value: object) -> Decimal | None:
    """A warehouse number as an exact Decimal (a float by its shortest repr); NaN is unknown."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return None


def namespace_of(ref: ResourceRef) -> str | None:
    """The namespace a resource is in; a Namespace is its own."""
    return ref.name if ref.kind == "Namespace" else ref.namespace


class QueryCache:
    """Each query's result, computed once per key (its window and end) for one run."""

    def __init__(self) -> None:
        self._results: dict[Hashable, object] = {}

    def get(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        if key not in self._results:
            self._results[key] = compute()
        return self._results[key]  # type: ignore[return-value]


def answer(
    subjects: Sequence[ResourceRef], lookup: Callable[[ResourceRef], object]
) -> list[object]:
    """One value per subject, in order."""
    return [lookup(ref) for ref in subjects]
