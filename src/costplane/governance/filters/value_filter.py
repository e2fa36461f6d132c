"""The value filter: a key path into the resource, tested by an operator.

    - key: spec.template.spec.containers[*].resources.requests.cpu
      value_type: quantity
      op: gt
      value: 2

With `[*]` the test applies to each element (`match: any|all`), or with
`aggregate: sum|max|min|count` to one number made of them all (`aggregates.py`).

Cheap: the answer for every resource of a batch is computed once, from the
column the path reads (shared with every other filter reading that prefix),
and cached for any other policy with the same filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field, model_validator

from costplane.governance.filters.aggregates import Aggregate, aggregated
from costplane.governance.filters.comparing import Comparing, outcome_against_facts, unreadables
from costplane.governance.filters.operands import FactRef
from costplane.governance.filters.operators import Op
from costplane.governance.filters.registry import filter_type
from costplane.governance.filters.spec import CompiledFilter, Scope
from costplane.governance.filters.value_types import ValueType, resource_reader
from costplane.governance.inventory.columns import (
    Column,
    Flags,
    Rows,
    extract,
    row_outcome,
    slot_codes,
)
from costplane.governance.inventory.paths import KeyPath, KeyPathText, parse_path
from costplane.governance.inventory.resources import ResourceRef
from costplane.governance.problems import invalid
from costplane.governance.results import Unreadable

_SUMMABLE = (None, ValueType.QUANTITY, ValueType.BYTES, ValueType.PERCENT)
_COMPARISONS = (Op.EQ, Op.NE, Op.GT, Op.GE, Op.LT, Op.LE)


@filter_type("value")
class ValueFilter(Comparing):
    """Test the value(s) at `key` in the resource's camelCase JSON."""

    type: Literal["value"] = "value"
    key: KeyPathText = Field(
        description='e.g. spec.replicas, metadata.labels."app.kubernetes.io/name"'
    )
    aggregate: Aggregate | None = Field(
        default=None,
        description="with [*]: test the sum, max, min or count of the elements' values "
        "instead of each element",
    )

    @model_validator(mode="after")
    def _test_fits(self) -> ValueFilter:
        if self.aggregate is None:
            self.check_test(self.path)
            return self
        if not self.path.has_wildcard:
            invalid("aggregate", "aggregate applies only to a key with [*]", self.aggregate)
        if self.match is not None:
            invalid("match", "match and aggregate do not go together: the aggregate is one value")
        if self.op not in _COMPARISONS:
            invalid("op", f"an aggregate compares with eq, ne, gt, ge, lt or le, not {self.op}")
        if self.aggregate == "count" and self.value_type is not None:
            invalid("value_type", "a count is a number of elements: it takes no value_type")
        if self.value_type not in _SUMMABLE:
            invalid(
                "value_type",
                "an aggregate adds amounts: value_type quantity, bytes, percent or none",
                self.value_type,
            )
        self.check_test(self.path if self.aggregate != "count" else None)
        return self

    @property
    def path(self) -> KeyPath:
        return parse_path(self.key)

    def fact_names(self) -> frozenset[str]:
        return frozenset({self.value.fact}) if isinstance(self.value, FactRef) else frozenset()

    def compile(self) -> CompiledFilter:
        return _CompiledValue(self)


def signature(spec: ValueFilter) -> object:
    """Equal for filters that give equal answers, so several policies share one."""
    return ("value", spec.model_dump_json())


FEW_ROWS = 4
"""Below 1/4 of a batch, a filter reads only the rows still in question; above, every row
in one sequential pass (cached, and faster per row: memory is read in order). A path that
shares a prefix with another filter's is read for every row too: most of it is cached."""


class _CompiledValue:
    """Every row at once (the path's columns cached for the batch), unless few rows are
    still in question and no other policy shares the filter."""

    def __init__(self, spec: ValueFilter) -> None:
        self.spec = spec
        self.steps = spec.path.steps
        self.signature = signature(spec)
        self.expensive = isinstance(spec.value, FactRef)
        self.cost = len(self.steps)

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        if self.expensive:
            column = self._column_of(scope, rows)
            matched, found = outcome_against_facts(self.spec, scope, column, rows, self.spec.key)
            scope.unreadable.extend(found)
            return matched
        few = len(rows) * FEW_ROWS < len(scope.batch)
        shared = self.signature in scope.shared_filters
        ahead = scope.columns.read_ahead(self.steps)
        if not few or shared or ahead or len(scope.columns.shared_base(self.steps)) > 1:
            return scope.cached(self.signature, lambda: self._every_row(scope))[rows]
        column = self._column_of(scope, rows)
        matched, found = self._outcome(scope, column, lambda p: scope.ref(int(rows[p])))
        scope.unreadable.extend(found)
        return matched

    def _column_of(self, scope: Scope, rows: Rows) -> Column:
        documents = scope.batch.documents
        column = extract(Column.of([documents[row] for row in rows.tolist()]), self.steps)
        return self._aggregated(scope, column)

    def _every_row(self, scope: Scope) -> tuple[Flags, list[Unreadable]]:
        return self._outcome(scope, self._aggregated(scope, scope.column(self.steps)), scope.ref)

    def _aggregated(self, scope: Scope, column: Column) -> Column:
        how = self.spec.aggregate
        if how is None:
            return column
        return aggregated(column, how, resource_reader(self.spec.value_type, scope.now))

    def _outcome(
        self, scope: Scope, column: Column, ref: Callable[[int], ResourceRef]
    ) -> tuple[Flags, list[Unreadable]]:
        test = self.spec.comparison(scope.now)
        codes = slot_codes(column, test)
        matched, flagged = row_outcome(column, codes, self.spec.quantifier)
        return matched, unreadables(column, codes, flagged, test, ref, self.spec.key)
