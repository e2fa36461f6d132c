"""`and`, `or` and `not`: filters over filters.

    - or:
        - {key: spec.tls, op: absent}
        - not: {key: spec.entryPoints, op: contains, value: websecure}

`not` takes one filter or a list (then it is "not all of these"). A policy's
`filters` list is an `and`. Children run cheap-first: a fact filter is asked
only about the resources the value filters beside it left undecided.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import SerializeAsAny

from costplane.governance.filters.spec import CompiledFilter, FilterSpec, Scope
from costplane.governance.inventory.columns import Flags, Rows

Connective = Literal["and", "or", "not"]


class BooleanFilter(FilterSpec):
    """`and`/`or`/`not` over child filters (built by the policy parser, not by `type`)."""

    connective: Connective
    filters: tuple[SerializeAsAny[FilterSpec], ...]

    def fact_names(self) -> frozenset[str]:
        return frozenset().union(*(child.fact_names() for child in self.filters))

    def compile(self) -> CompiledFilter:
        children = [child.compile() for child in self.filters]
        if self.connective == "or":
            return _AnyOf(children)
        every = _AllOf(children)
        return _NoneOfAll(every) if self.connective == "not" else every


def _cheap_first(children: list[CompiledFilter]) -> list[CompiledFilter]:
    return sorted(children, key=lambda child: (child.expensive, child.cost))


class _AllOf:
    def __init__(self, children: list[CompiledFilter]) -> None:
        self.children = _cheap_first(children)
        self.expensive = any(child.expensive for child in children)
        self.cost = sum(child.cost for child in children)

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        result = np.ones(len(rows), dtype=bool)
        for child in self.children:
            still = np.flatnonzero(result)
            if not len(still):
                break
            result[still] = child.evaluate(scope, rows[still])
        return result


class _AnyOf:
    def __init__(self, children: list[CompiledFilter]) -> None:
        self.children = _cheap_first(children)
        self.expensive = any(child.expensive for child in children)
        self.cost = sum(child.cost for child in children)

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        result = np.zeros(len(rows), dtype=bool)
        for child in self.children:
            still = np.flatnonzero(~result)
            if not len(still):
                break
            result[still] = child.evaluate(scope, rows[still])
        return result


class _NoneOfAll:
    def __init__(self, inner: _AllOf) -> None:
        self.inner = inner
        self.expensive = inner.expensive
        self.cost = inner.cost

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        return ~self.inner.evaluate(scope, rows)
