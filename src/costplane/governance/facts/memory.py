"""Facts held in memory: for tests, examples and small offline checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from costplane.governance.facts.catalogue import fact_definition
from costplane.governance.facts.fact import FactRequest, FactType
from costplane.governance.filters.durations import parse_duration, parse_timestamp
from costplane.governance.filters.value_types import number, parse_bytes, parse_percent, quantity
from costplane.governance.inventory.resources import ResourceRef

ResourceKey = tuple[str | None, str, str | None, str]
Window = dt.timedelta | str | None


class InMemoryFacts:
    """Fact values set one by one, keyed by resource (or tenant) and window.

    `set("cpu_p95_cores", "250m", resource=ref, window="14d")` stores the value
    read by its fact type (here 0.25 cores), so tests can write values the way
    Kubernetes and Prometheus show them.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[str, dt.timedelta | None], dict[object, object]] = {}

    def set(
        self,
        name: str,
        value: object,
        *,
        resource: ResourceRef | ResourceKey | None = None,
        tenant: str | None = None,
        window: Window = None,
    ) -> InMemoryFacts:
        definition = fact_definition(name)
        if definition.subject == "tenant":
            if tenant is None:
                raise ValueError(f"fact {name} is kept per tenant: pass tenant=")
            subject: object = tenant
        else:
            if resource is None:
                raise ValueError(f"fact {name} is kept per resource: pass resource=")
            subject = resource.key if isinstance(resource, ResourceRef) else resource
        if definition.windowed != (window is not None):
            raise ValueError(f"fact {name} {'needs' if definition.windowed else 'takes no'} window")
        typed = _typed(definition.type, value)
        self._values.setdefault((name, _window(window)), {})[subject] = typed
        return self

    def provides(self, name: str) -> bool:
        return any(known == name for known, _ in self._values)

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        known = self._values.get((request.name, request.window), {})
        if fact_definition(request.name).subject == "tenant":
            return [known.get(ref.tenant) for ref in subjects]
        return [known.get(ref.key) for ref in subjects]


def _window(window: Window) -> dt.timedelta | None:
    if window is None or isinstance(window, dt.timedelta):
        return window
    return dt.timedelta(seconds=float(parse_duration(window)))


def _typed(kind: FactType, value: object) -> object:
    """A value as providers hand it over for `kind` (see `costplane.governance.facts.fact`)."""
    if value is None or kind in (FactType.TEXT, FactType.MAPPING):
        return value
    readers: dict[FactType, Callable[[object], object]] = {
        FactType.QUANTITY: quantity,
        FactType.BYTES: parse_bytes,
        FactType.DURATION: parse_duration,
        FactType.PERCENT: parse_percent,
        FactType.NUMBER: number,
        FactType.TIMESTAMP: parse_timestamp,
    }
    typed = readers[kind](value)
    assert isinstance(typed, Decimal | dt.datetime)
    return typed
