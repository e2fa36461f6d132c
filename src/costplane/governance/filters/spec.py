"""The filter interface: a policy's filters as models, compiled into bulk evaluators.

A filter type is a pydantic model (its options, validated when the policy
loads, and its JSON Schema) with a `compile()` that returns a `CompiledFilter`.
A compiled filter answers for many resources at once: `evaluate(scope, rows)`
gets the batch and the rows still in question and returns one boolean per row.
Cheap filters (value filters) compute every row once per batch and are cached;
expensive ones (facts, per-resource plug-ins) say so, and `and`/`or` run them
last, on the rows the cheap ones left.

Most plug-ins only need `ResourceFilter`: implement `matches(resource, ref,
scope)` for one resource and register the class (see `registry.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from costplane.governance.facts.fact import FactRequest, Facts
from costplane.governance.inventory.columns import Column, ColumnCache, Flags, Rows
from costplane.governance.inventory.paths import Step
from costplane.governance.inventory.resources import Batch, ResourceRef
from costplane.governance.results import Unreadable


class CompiledFilter(Protocol):
    """A filter ready to run: pure, so its answers may be cached per batch."""

    @property
    def expensive(self) -> bool:
        """True when it costs more than reading the documents (a fact, a plug-in's loop)."""
        ...

    @property
    def cost(self) -> int:
        """A rough price per resource, for ordering siblings cheap-first (path steps)."""
        ...

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        """One boolean per row in `rows` (indexes into the batch)."""
        ...


class FilterSpec(BaseModel):
    """A filter as written in a policy. Subclasses are registered by their `type`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def compile(self) -> CompiledFilter:
        raise NotImplementedError(f"{type(self).__name__} does not compile")

    def fact_names(self) -> frozenset[str]:
        """The facts it reads, so a policy whose facts no source provides is skipped."""
        return frozenset()


class Scope:
    """One batch being evaluated: documents, the instant, facts, and shared caches."""

    def __init__(
        self,
        batch: Batch,
        now: dt.datetime,
        facts: Facts,
        *,
        shared_paths: Iterable[tuple[Step, ...]] = (),
        shared_filters: Set[object] = frozenset(),
        paths: Iterable[tuple[Step, ...]] = (),
    ) -> None:
        """`paths` are those the policies on this kind read: read together when the batch
        is kept as columns or JSON text (one read of the batch for all of them)."""
        self.batch = batch
        self.now = now
        self.facts = facts
        self.columns = ColumnCache(
            batch.documents, shared_paths, paths=paths, read_ahead=batch.read_paths
        )
        self.shared_filters = shared_filters
        """Signatures of filters several policies on this kind use: computed for every row."""
        self.unreadable: list[Unreadable] = []
        self._results: dict[object, tuple[Flags, list[Unreadable]]] = {}
        self._facts: dict[FactRequest, tuple[np.ndarray, Flags]] = {}

    def column(self, steps: tuple[Step, ...]) -> Column:
        return self.columns.get(steps)

    def cached(
        self, signature: object, compute: Callable[[], tuple[Flags, list[Unreadable]]]
    ) -> Flags:
        """A filter's answer for every row, computed once per batch for equal filters."""
        found = self._results.get(signature)
        if found is None:
            found = compute()
            self._results[signature] = found
        self.unreadable.extend(found[1])
        return found[0]

    def fact_values(self, request: FactRequest, rows: Rows) -> list[object]:
        """The fact for each row, asking the provider only for rows not asked before."""
        known = self._facts.get(request)
        if known is None:
            size = len(self.batch)
            known = (np.full(size, None, dtype=object), np.zeros(size, dtype=bool))
            self._facts[request] = known
        values, asked = known
        missing = rows[~asked[rows]]
        if len(missing):
            answers = self.facts.values(request, [self.batch.ref(int(row)) for row in missing])
            if len(answers) != len(missing):
                raise ValueError(
                    f"facts source answered {len(answers)} values for {len(missing)} resources "
                    f"({request.name})"
                )
            for row, answer in zip(missing, answers, strict=True):
                values[row] = answer
            asked[missing] = True
        result: list[object] = values[rows].tolist()
        return result

    def ref(self, row: int) -> ResourceRef:
        return self.batch.ref(row)


class ResourceFilter(FilterSpec):
    """A plug-in filter that judges one resource at a time (run on the rows left)."""

    def matches(self, resource: Mapping[str, Any], ref: ResourceRef, scope: Scope) -> bool:
        raise NotImplementedError(f"{type(self).__name__} must implement matches()")

    def compile(self) -> CompiledFilter:
        return _EachResource(self)


class _EachResource:
    expensive = True
    cost = 1_000

    def __init__(self, spec: ResourceFilter) -> None:
        self.spec = spec

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        documents: Sequence[Mapping[str, Any]] = scope.batch.documents
        answers = (
            bool(self.spec.matches(documents[row], scope.ref(int(row)), scope)) for row in rows
        )
        return np.fromiter(answers, dtype=bool, count=len(rows))
