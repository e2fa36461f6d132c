"""A fact used as a filter's value: `value: {fact: cpu_p95_cores, window: 14d, times: 2}`.

The value then differs per resource: "the CPU request is more than twice the
p95 of its use", "the snapshot is older than the class keeps snapshots".
`key` reads a part of a mapping fact (`entitlements`), `times` scales it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costplane.governance.facts.catalogue import FactName, fact_definition
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.filters.durations import parse_duration
from costplane.governance.inventory.paths import KeyPath, parse_path
from costplane.governance.problems import invalid


class FactRef(BaseModel):
    """A named fact for the resource, as a value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: FactName = Field(description="a fact name (see docs/policies.md)")
    window: str | None = Field(default=None, description="for windowed facts, e.g. 14d")
    key: str | None = Field(default=None, description="a path into a mapping fact")
    times: Decimal | None = Field(default=None, description="multiply the fact by this")

    @field_validator("window")
    @classmethod
    def _window(cls, window: str | None) -> str | None:
        if window is not None and parse_duration(window) <= 0:
            raise ValueError(f"a window must be longer than zero, got {window!r}")
        return window

    @field_validator("key")
    @classmethod
    def _path(cls, key: str | None) -> str | None:
        if key is not None and parse_path(key).has_wildcard:
            raise ValueError("a fact used as a value has one value: [*] is not allowed here")
        return key

    @model_validator(mode="after")
    def _fits_fact(self) -> FactRef:
        check_fact_options(self.definition, self.window, self.key)
        return self

    @property
    def definition(self) -> FactDefinition:
        return fact_definition(self.fact)

    @property
    def path(self) -> KeyPath | None:
        return parse_path(self.key) if self.key is not None else None

    @property
    def type(self) -> FactType | None:
        """The fact's type, or None for a part of a mapping (its type is not declared)."""
        return None if self.key is not None else self.definition.type

    def request(self, now: dt.datetime) -> FactRequest:
        return FactRequest(self.fact, window_of(self.window), now)


def window_of(window: str | None) -> dt.timedelta | None:
    if window is None:
        return None
    return dt.timedelta(microseconds=int(parse_duration(window) * 1_000_000))


def check_fact_options(definition: FactDefinition, window: str | None, key: str | None) -> None:
    """A windowed fact needs a window, others take none; only a mapping fact takes a key."""
    if definition.windowed and window is None:
        invalid("fact", f"fact {definition.name} needs a window, e.g. window: 14d", definition.name)
    if not definition.windowed and window is not None:
        invalid("window", f"fact {definition.name} takes no window", window)
    if key is not None and definition.type is not FactType.MAPPING:
        invalid("key", f"fact {definition.name} is a {definition.type}, not a mapping: no key", key)
