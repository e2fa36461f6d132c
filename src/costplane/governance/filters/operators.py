"""The comparison operators, and a test built from one: a value in, 0, 1 or 2 out.

A test answers for one value read from a resource: 1 it matches, 0 it does
not, 2 it cannot be read as the filter's value type (reported, never silently
a non-match). Tests are pure, so the engine runs each once per distinct value.

Absent values (the key is missing, or JSON null) match `absent` and `empty`
and nothing else: `ne`, `not-in` and the others never match what is not there,
as in SQL. Write `or: [{op: absent}, {op: ne}]` to include it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from costplane.describe import describe
from costplane.governance.filters.text_pattern import TextPattern
from costplane.governance.filters.value_types import Reader

MATCH: Final = 1
NO_MATCH: Final = 0
UNREADABLE: Final = 2


class Op(enum.StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    IN = "in"
    NOT_IN = "not-in"
    CONTAINS = "contains"
    REGEX = "regex"
    ABSENT = "absent"
    PRESENT = "present"
    EMPTY = "empty"

    @property
    def ordering(self) -> bool:
        return self in (Op.GT, Op.GE, Op.LT, Op.LE)

    @property
    def takes_value(self) -> bool:
        return self not in (Op.ABSENT, Op.PRESENT, Op.EMPTY)

    @property
    def takes_list(self) -> bool:
        return self in (Op.IN, Op.NOT_IN)


Test = Callable[[object], int]
"""A value read from a resource (None when absent) -> MATCH, NO_MATCH or UNREADABLE."""


def same(a: object, b: object) -> bool:
    """JSON equality: true is not 1, 1 is 1.0 (both sides already read by their value type)."""
    if type(a) is bool or type(b) is bool:
        return a is b
    return a == b


_ORDER: dict[Op, Callable[[object, object], bool]] = {
    Op.GT: lambda a, b: a > b,  # type: ignore[operator]
    Op.GE: lambda a, b: a >= b,  # type: ignore[operator]
    Op.LT: lambda a, b: a < b,  # type: ignore[operator]
    Op.LE: lambda a, b: a <= b,  # type: ignore[operator]
}


@dataclass(frozen=True)
class Comparison:
    """One operator with its policy value already read; `read` converts resource values."""

    op: Op
    read: Reader
    operand: object = None

    def __call__(self, value: object) -> int:
        if value is None:
            return MATCH if self.op in (Op.ABSENT, Op.EMPTY) else NO_MATCH
        if not self.op.takes_value:
            if self.op is Op.EMPTY:
                return MATCH if value in ("", [], {}) else NO_MATCH
            return MATCH if self.op is Op.PRESENT else NO_MATCH
        try:
            return MATCH if self._holds(value) else NO_MATCH
        except (ValueError, TypeError, ArithmeticError):
            return UNREADABLE

    def reason(self, value: object) -> str:
        """Why `value` is unreadable, in words (only asked for values that are)."""
        try:
            self._holds(value)
        except (ValueError, TypeError, ArithmeticError) as exc:
            return str(exc)
        return "readable"  # pragma: no cover - only asked for unreadable values

    def _holds(self, value: object) -> bool:
        op = self.op
        if op is Op.REGEX:
            if not isinstance(value, str):
                raise ValueError(f"regex needs text, got {type(value).__name__}")
            pattern: TextPattern = self.operand  # type: ignore[assignment]
            return pattern.search(value) is not None
        if op is Op.CONTAINS:
            return self._contains(value)
        read = self.read(value)
        if op is Op.EQ:
            return same(read, self.operand)
        if op is Op.NE:
            return not same(read, self.operand)
        if op.takes_list:
            members: Collection[object] = self.operand  # type: ignore[assignment]
            found = any(same(read, member) for member in members)
            return found if op is Op.IN else not found
        if not isinstance(read, Decimal) or not isinstance(self.operand, Decimal):
            raise ValueError(f"{op} compares numbers, got {describe(read)}")
        return _ORDER[op](read, self.operand)

    def _contains(self, value: object) -> bool:
        if isinstance(value, list):
            for element in value:
                try:
                    if same(self.read(element), self.operand):
                        return True
                except (ValueError, TypeError, ArithmeticError):
                    continue
            return False
        if isinstance(value, str) and isinstance(self.operand, str):
            return self.operand in value
        if isinstance(value, dict) and isinstance(self.operand, str):
            return self.operand in value
        raise ValueError(f"contains needs a list, text or mapping, got {describe(value)}")
