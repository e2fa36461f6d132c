"""Facts: what the warehouse and the catalog know about a resource, by name.

A fact filter (`{fact: cpu_p95_cores, window: 14d, op: lt, value: 100m}`) joins
a resource to a named fact. Each fact's name, type and whether it takes a
window is a `FactDefinition`, declared beside the provider that answers it and
listed in `catalogue.py`, so a policy naming an unknown fact, forgetting a
window or comparing a timestamp with a quantity fails when it loads.

Where the values come from is a `Facts` provider. The engine asks it for one
fact over many resources at once (one warehouse query per fact and batch, not
one per resource):

    class MyFacts:
        def provides(self, name: str) -> bool: ...
        def values(
            self, request: FactRequest, subjects: Sequence[ResourceRef]
        ) -> Sequence[object]: ...

`values` returns one value per subject, in order, or None where nothing is
known (a workload without usage samples, a tenant without a backup). Values
are typed by the fact's `FactType`: Decimal for numbers, quantities (cores,
bytes), durations (seconds) and percentages; an aware datetime for
timestamps; a mapping for `mapping`; str for `text`.

Subjects are keyed by `ResourceRef.key` (cluster, kind, namespace, name), or by
`ResourceRef.tenant` for facts whose `subject` is "tenant". Providers shipped:
`InMemoryFacts` (tests, examples), `CatalogFacts` (entitlements of the tenant's
service class); the warehouse-backed provider lives in `warehouse.py`.
Combine them with `FactSources(first, second, ...)`: the first that provides a
name answers for it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from costplane.governance.filters.value_types import ValueType
from costplane.governance.inventory.resources import ResourceRef


class FactType(enum.StrEnum):
    QUANTITY = "quantity"
    BYTES = "bytes"
    DURATION = "duration"
    TIMESTAMP = "timestamp"
    PERCENT = "percent"
    NUMBER = "number"
    TEXT = "text"
    MAPPING = "mapping"

    @property
    def value_type(self) -> ValueType | None:
        """The value type a filter on this fact uses unless it says otherwise."""
        return _DEFAULT_VALUE_TYPE.get(self)


_DEFAULT_VALUE_TYPE = {
    FactType.QUANTITY: ValueType.QUANTITY,
    FactType.BYTES: ValueType.BYTES,
    FactType.DURATION: ValueType.DURATION,
    FactType.TIMESTAMP: ValueType.AGE,
    FactType.PERCENT: ValueType.PERCENT,
}

COMPATIBLE: dict[ValueType | None, frozenset[FactType]] = {
    None: frozenset({FactType.NUMBER, FactType.TEXT, FactType.MAPPING}),
    ValueType.QUANTITY: frozenset({FactType.QUANTITY, FactType.BYTES, FactType.NUMBER}),
    ValueType.BYTES: frozenset({FactType.BYTES, FactType.QUANTITY, FactType.NUMBER}),
    ValueType.DURATION: frozenset({FactType.DURATION, FactType.NUMBER}),
    ValueType.AGE: frozenset({FactType.TIMESTAMP}),
    ValueType.PERCENT: frozenset({FactType.PERCENT, FactType.NUMBER}),
}
"""Which fact types a filter of each value type may read (a mapping through its `key`)."""


@dataclass(frozen=True)
class FactDefinition:
    """A fact's name, type, whether it needs a window, and what it is keyed by."""

    name: str
    type: FactType
    description: str
    windowed: bool = False
    subject: Literal["resource", "tenant"] = "resource"


@dataclass(frozen=True)
class FactRequest:
    """One fact over one window ending at `end` (the evaluation instant)."""

    name: str
    window: dt.timedelta | None
    end: dt.datetime

    @property
    def start(self) -> dt.datetime | None:
        return self.end - self.window if self.window is not None else None


class Facts(Protocol):
    """A source of named facts about resources (see the module docstring)."""

    def provides(self, name: str) -> bool:
        """Whether this source answers the fact `name`."""
        ...

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        """One value per subject, in order; None where nothing is known."""
        ...


class FactSources:
    """Several providers as one: the first that provides a fact answers it."""

    def __init__(self, *sources: Facts) -> None:
        self.sources = sources

    def provides(self, name: str) -> bool:
        return any(source.provides(name) for source in self.sources)

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        for source in self.sources:
            if source.provides(request.name):
                return source.values(request, subjects)
        return [None] * len(subjects)


class NoFacts:
    """No facts at all: policies that need one are skipped, with the reason, not run."""

    def provides(self, name: str) -> bool:
        return False

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        return [None] * len(subjects)
