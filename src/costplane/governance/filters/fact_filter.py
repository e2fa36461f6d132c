"""The fact filter: a named fact about the resource, tested by an operator.

    - fact: cpu_p95_cores          # declared in facts.py, with its type
      window: 14d
      op: lt
      value: 100m                  # read as the fact's type: a quantity

    - fact: last_verified_restore  # a timestamp: compared by age
      op: gt
      value: {fact: entitled_restore_test_interval}

The value type defaults to the fact's (quantity, bytes, duration, percent, age
for timestamps). Expensive: the provider is asked only for the resources the
cheaper filters of the same `and` left.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from costplane.governance.facts.catalogue import FactName, fact_definition
from costplane.governance.facts.fact import (
    COMPATIBLE,
    FactDefinition,
    FactRequest,
    FactType,
)
from costplane.governance.filters.comparing import Comparing, outcome_against_facts, unreadables
from costplane.governance.filters.operands import FactRef, check_fact_options, window_of
from costplane.governance.filters.operators import Op
from costplane.governance.filters.registry import filter_type
from costplane.governance.filters.spec import CompiledFilter, Scope
from costplane.governance.inventory.columns import (
    Column,
    Flags,
    Rows,
    extract,
    row_outcome,
    slot_codes,
)
from costplane.governance.inventory.paths import KeyPath, KeyPathText, parse_path
from costplane.governance.problems import invalid


@filter_type("fact")
class FactFilter(Comparing):
    """Test a named fact the warehouse or catalog knows about the resource."""

    type: Literal["fact"] = "fact"
    fact: FactName = Field(description="a declared fact, e.g. cpu_p95_cores, last_backup")
    window: str | None = Field(default=None, description="for windowed facts, e.g. 14d")
    key: KeyPathText | None = Field(default=None, description="a path into a mapping fact")

    @model_validator(mode="before")
    @classmethod
    def _fact_value_type(cls, data: Any) -> Any:
        """Without a value_type, a fact is read as its own type (a timestamp by its age)."""
        if not isinstance(data, dict) or data.get("value_type") is not None:
            return data
        try:
            definition = fact_definition(str(data.get("fact")))
            takes_value = Op(data.get("op", "eq")).takes_value
        except ValueError:
            return data
        default = definition.type.value_type
        if default is None or data.get("key") is not None or not takes_value:
            return data
        return {**data, "value_type": default.value}

    @model_validator(mode="after")
    def _test_fits(self) -> FactFilter:
        check_fact_options(self.definition, self.window, self.key)
        kind = self.definition.type
        if self.key is None and self.op.takes_value and kind not in COMPATIBLE[self.value_type]:
            invalid(
                "value_type",
                f"fact {self.fact} is a {kind}; value_type {self.value_type or 'none'} does not "
                f"apply (leave it out to compare as {kind.value_type or 'a number or text'})",
                self.value_type,
            )
        if kind is FactType.MAPPING and self.key is None and self.op.takes_value:
            invalid("fact", f"fact {self.fact} is a mapping: name the part to test with key")
        self.check_test(self.path)
        return self

    @property
    def definition(self) -> FactDefinition:
        return fact_definition(self.fact)

    @property
    def path(self) -> KeyPath | None:
        return parse_path(self.key) if self.key is not None else None

    def tested_unit(self) -> str:
        """A duration fact is in seconds whatever `unit` says of the policy's numbers."""
        if self.key is None and self.definition.type is FactType.DURATION:
            return "s"
        return super().tested_unit()

    def fact_names(self) -> frozenset[str]:
        names = {self.fact}
        if isinstance(self.value, FactRef):
            names.add(self.value.fact)
        return frozenset(names)

    def compile(self) -> CompiledFilter:
        return _CompiledFact(self)


class _CompiledFact:
    expensive = True
    cost = 10_000

    def __init__(self, spec: FactFilter) -> None:
        self.spec = spec
        path = spec.path
        self.steps = path.steps if path is not None else ()
        self.where = f"fact {spec.fact}" + (f" {spec.key}" if spec.key else "")

    def evaluate(self, scope: Scope, rows: Rows) -> Flags:
        spec = self.spec
        request = FactRequest(spec.fact, window_of(spec.window), scope.now)
        column = extract(Column.of(scope.fact_values(request, rows)), self.steps)
        if isinstance(spec.value, FactRef):
            matched, found = outcome_against_facts(spec, scope, column, rows, self.where)
        else:
            test = spec.comparison(scope.now)
            codes = slot_codes(column, test)
            matched, flagged = row_outcome(column, codes, spec.quantifier)
            found = unreadables(
                column, codes, flagged, test, lambda p: scope.ref(int(rows[p])), self.where
            )
        scope.unreadable.extend(found)
        return matched
