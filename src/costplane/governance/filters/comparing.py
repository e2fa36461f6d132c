"""What value and fact filters share: an operator, a value, its type, any/all.

Every check that can be made before running is made here, when the policy
loads: the value must read as the value type (`4GB` is not a quantity), an
ordering needs a number or a value type, a regex must compile, a Kubernetes
quantity field must be compared as a quantity, `match` needs a `[*]`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, WithJsonSchema, model_validator

from costplane.describe import describe
from costplane.governance.facts.fact import COMPATIBLE, FactType
from costplane.governance.filters.durations import parse_duration
from costplane.governance.filters.operands import FactRef
from costplane.governance.filters.operators import NO_MATCH, UNREADABLE, Comparison, Op
from costplane.governance.filters.spec import FilterSpec, Scope
from costplane.governance.filters.text_pattern import compile_pattern
from costplane.governance.filters.value_types import (
    ValueType,
    parse_percent,
    policy_reader,
    quantity,
    resource_reader,
)
from costplane.governance.inventory.columns import (
    Codes,
    Column,
    Flags,
    Quantifier,
    Rows,
    row_outcome,
)
from costplane.governance.inventory.paths import KeyPath, read_path
from costplane.governance.problems import invalid, problem_detail
from costplane.governance.results import Unreadable
from costplane.governance.wording import explain

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")

DurationUnit = Literal["ns", "us", "ms", "s", "m", "h", "d", "w"]

_SCALAR_SCHEMA = {"type": ["string", "number", "boolean"]}
_VALUE_SCHEMA = {
    "anyOf": [
        _SCALAR_SCHEMA,
        {"type": "array", "items": _SCALAR_SCHEMA},
        {"x-costplane-ref": "FactRef"},
    ],
    "description": "what to compare with: a scalar, a list (in, not-in), or {fact: NAME}",
}

QUANTITY_PARENTS = frozenset(
    {"requests", "limits", "hard", "used", "capacity", "allocatable", "default",
     "defaultRequest", "max", "min", "maxLimitRequestRatio"}
)  # fmt: skip
"""Mappings whose values Kubernetes writes as quantities ("500m", "4Gi")."""


class Comparing(FilterSpec):
    """The test part of a filter: `op`, `value`, `value_type`, `match`, `unit`."""

    op: Op = Field(default=Op.EQ, description="eq when omitted")
    value: Annotated[Any, WithJsonSchema(_VALUE_SCHEMA)] = None
    value_type: ValueType | None = None
    match: Quantifier | None = Field(
        default=None, description="with [*] in the path: any element (default) or all of them"
    )
    unit: DurationUnit | None = Field(
        default=None,
        description="for value_type duration: the unit of bare numbers written in the policy "
        "or read from the resource (s); a duration fact keeps its own (seconds)",
    )

    @model_validator(mode="before")
    @classmethod
    def _fact_value(cls, data: Any) -> Any:
        """`value: {fact: ...}` is a FactRef; its problems point inside the value."""
        if isinstance(data, dict) and isinstance(data.get("value"), dict):
            raw = data["value"]
            try:
                return {**data, "value": FactRef.model_validate(raw)}
            except ValidationError as exc:
                details = [
                    problem_detail(("value", *e["loc"]), explain(e), e["input"])
                    for e in exc.errors(include_url=False)
                ]
                raise ValidationError.from_exception_data("policy", details) from None
        return data

    # --- checks when the policy loads --------------------------------------------------------

    def check_test(self, path: KeyPath | None) -> None:
        """Every load-time check of the test against `path` (the key, or the fact's key)."""
        wildcard = path is not None and path.has_wildcard
        if self.match is not None and not wildcard:
            invalid(
                "match", "match applies only to a key with [*] (any or all elements)", self.match
            )
        if self.unit is not None and self.value_type is not ValueType.DURATION:
            invalid("unit", "unit applies only to value_type: duration", self.unit)
        if not self.op.takes_value:
            if self.value is not None:
                invalid("value", f"op {self.op} takes no value", self.value)
            if self.value_type is not None:
                invalid("value_type", f"op {self.op} takes no value_type", self.value_type)
            return
        if self.value is None:
            invalid("op", f"op {self.op} needs a value", self.op)
        if self.value_type is None and path is not None and _holds_quantities(path):
            invalid(
                "key",
                f'{path} holds a Kubernetes quantity ("500m", "4Gi"): add value_type: '
                "quantity (or bytes) so it compares as the amount it means",
                path.text,
            )
        if isinstance(self.value, FactRef):
            self._check_fact_value(self.value)
        elif self.op.takes_list:
            self._check_list()
        elif self.op is Op.REGEX:
            self._check_regex()
        else:
            self._check_scalar()

    def _check_fact_value(self, ref: FactRef) -> None:
        if self.op not in (Op.EQ, Op.NE, Op.GT, Op.GE, Op.LT, Op.LE):
            invalid("value", f"a fact value compares with eq, ne, gt, ge, lt or le, not {self.op}")
        kind = ref.type
        compared_as = ValueType.DURATION if self.value_type is ValueType.AGE else self.value_type
        if kind is not None and kind not in COMPATIBLE[compared_as]:
            shown = self.value_type or "none"
            invalid("value", f"fact {ref.fact} is a {kind}: it does not compare as {shown}")

    def _check_list(self) -> None:
        if not isinstance(self.value, list) or not self.value:
            invalid("value", f"op {self.op} needs a non-empty list of values", self.value)
        for index, item in enumerate(self.value):
            self._read_value(item, ("value", index))

    def _check_regex(self) -> None:
        if self.value_type is not None:
            invalid("value_type", "regex matches text: it takes no value_type", self.value_type)
        if not isinstance(self.value, str):
            invalid("value", f"regex needs a pattern as text, got {describe(self.value)}")
        try:
            compile_pattern(self.value)
        except ValueError as exc:
            invalid("value", f"not a valid regular expression: {exc}", self.value)

    def _check_scalar(self) -> None:
        if isinstance(self.value, list | dict):
            invalid("value", f"op {self.op} needs one value, got {describe(self.value)}")
        read = self._read_value(self.value, ("value",))
        if self.op.ordering and not isinstance(read, Decimal):
            invalid("value", _ordering_hint(self.op, self.value), self.value)

    def _read_value(self, value: object, loc: tuple[str | int, ...]) -> object:
        if isinstance(value, list | dict):
            invalid(loc, f"expected a single value, got {describe(value)}", value)
        try:
            return policy_reader(self.value_type, self.unit or "s")(value)
        except ValueError as exc:
            shown = self.value_type or "a JSON value"
            invalid(loc, f"{exc} (value_type {shown})", value)

    # --- running --------------------------------------------------------------------------------

    @property
    def quantifier(self) -> Quantifier:
        return self.match or "any"

    def tested_unit(self) -> str:
        """The unit of a bare number in what is tested: `unit` (seconds by default)."""
        return self.unit or "s"

    def comparison(self, now: dt.datetime, operand: object = None) -> Comparison:
        """The test, with the policy's value read, or `operand` (a fact's value) instead."""
        read = resource_reader(self.value_type, now, self.tested_unit())
        if operand is not None:
            return Comparison(self.op, read, operand)
        value = self.value
        if not self.op.takes_value:
            return Comparison(self.op, read)
        if self.op is Op.REGEX:
            return Comparison(self.op, read, compile_pattern(str(value)))
        reader = policy_reader(self.value_type, self.unit or "s")
        if self.op.takes_list:
            assert isinstance(value, list)
            return Comparison(self.op, read, tuple(reader(item) for item in value))
        return Comparison(self.op, read, reader(value))

    def operand(self, ref: FactRef, fact_value: object) -> object:
        """A fact's value as the right-hand side: read through `key`, scaled by `times`."""
        if fact_value is None:
            return None
        path = ref.path
        if path is not None:
            fact_value = read_path(fact_value, path.steps)
            if fact_value is None:
                return None
        unit = "s" if ref.type is FactType.DURATION else self.unit or "s"  # its own seconds
        try:
            read = policy_reader(self.value_type, unit)(fact_value)
        except ValueError:
            return None
        if ref.times is not None and isinstance(read, Decimal):
            return read * ref.times
        return read


def outcome_against_facts(
    spec: Comparing, scope: Scope, column: Column, rows: Rows, where: str
) -> tuple[Flags, list[Unreadable]]:
    """Test a column whose rows are `rows` against a fact value that differs per row."""
    ref = spec.value
    assert isinstance(ref, FactRef)
    facts = scope.fact_values(ref.request(scope.now), rows)
    operands = [spec.operand(ref, fact) for fact in facts]
    tests: dict[object, Comparison] = {}

    def test_for(position: int) -> Comparison | None:
        operand = operands[position]
        if operand is None:
            return None
        key = (type(operand), operand)
        if key not in tests:
            tests[key] = spec.comparison(scope.now, operand)
        return tests[key]

    codes = np.zeros(column.slots, np.int8)
    owner = column.owner
    slots = range(len(column.values)) if column.present is None else column.present
    tested = np.zeros(column.slots, dtype=bool)
    for slot, value in zip(slots, column.values, strict=True):
        test = test_for(int(owner[slot]) if owner is not None else int(slot))
        codes[slot] = test(value) if test is not None else NO_MATCH
        tested[slot] = True
    for slot in np.flatnonzero(~tested):  # not reached by the path: absent
        test = test_for(int(owner[slot]) if owner is not None else int(slot))
        codes[slot] = test(None) if test is not None else NO_MATCH
    matched, bad = row_outcome(column, codes, spec.quantifier)
    positions = np.flatnonzero(bad)
    first = _first_unreadable(column, codes, positions)
    found = []
    for position, value in zip(positions, first, strict=True):
        test = test_for(int(position))
        reason = test.reason(value) if test is not None else "unreadable"
        found.append(Unreadable(scope.ref(int(rows[position])), where, value, reason))
    return matched, found


def unreadables(
    column: Column,
    codes: Codes,
    flagged: Flags,
    test: Comparison,
    refs: Callable[[int], Any],
    where: str,
) -> list[Unreadable]:
    """One `Unreadable` per flagged row: its first value the test could not read."""
    positions = np.flatnonzero(flagged)
    if not len(positions):
        return []
    values = _first_unreadable(column, codes, positions)
    return [
        Unreadable(refs(int(position)), where, value, test.reason(value))
        for position, value in zip(positions, values, strict=True)
    ]


def _first_unreadable(column: Column, codes: Codes, positions: Rows) -> Sequence[object]:
    """For each row position, the first of its values whose code is UNREADABLE."""
    if not len(positions):
        return []
    slots = np.flatnonzero(codes == UNREADABLE)
    owners = column.owner[slots] if column.owner is not None else slots
    first_slot = dict(zip(owners.tolist()[::-1], slots.tolist()[::-1], strict=True))
    present = column.present
    values = []
    for position in positions.tolist():
        slot = first_slot[position]
        index = slot if present is None else int(np.searchsorted(present, slot))
        values.append(column.values[index])
    return values


def _holds_quantities(path: KeyPath) -> bool:
    steps = path.steps
    return (
        len(steps) >= 2
        and isinstance(steps[-1], str)
        and isinstance(steps[-2], str)
        and steps[-2] in QUANTITY_PARENTS
    )


def _ordering_hint(op: Op, value: object) -> str:
    """Why an ordering needs a number, with the value type the text looks like."""
    base = f"op {op} compares numbers, but {describe(value)} is text"
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return f"{base}: write {value.strip()} without quotes, or add a value_type"
    for value_type, reader in (
        (ValueType.QUANTITY, quantity),
        (ValueType.DURATION, parse_duration),
        (ValueType.PERCENT, parse_percent),
    ):
        try:
            reader(value)
        except ValueError:
            continue
        extra = " (or age, for how old a timestamp is)" if value_type is ValueType.DURATION else ""
        return f"{base}: add value_type: {value_type}{extra}"
    return f"{base}: write a number, or add a value_type (quantity, bytes, duration, age, percent)"
