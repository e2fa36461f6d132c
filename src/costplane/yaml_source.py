"""YAML read with the line of every key and value, as plain dicts, lists and scalars.

The catalog and policy files are both read this way. ruamel's round-trip loader
remembers positions; `SourceMap.plain` turns its document into plain values and
keeps a map from each path (`("policies", 0, "filters", 1)`) to its position, so
a problem the model finds later is reported at its line. Floats are exact
Decimals built from their text (0.1 is 0.1, never a binary float); a value no
file can hold (.inf, a custom tag, 2025-02-30) becomes `Rejected`, recorded
where it stands and left in the document so the model says nothing more of it.
Each caller words syntax errors itself. A document nested too deep, or whose
aliases repeat too many values, is refused while it is composed
(`costplane.parse_bounds`): aliases and merge keys stay usable for sharing a block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.scalarbool import ScalarBoolean

from costplane.parse_bounds import NodeBudget, children

Loc = tuple[str | int, ...]
Position = tuple[int, int]
"""1-based line and column."""

START: Position = (1, 1)


@dataclass(frozen=True)
class Rejected:
    """A YAML value no field takes, with why; reported where it is."""

    message: str


def _construct_decimal(constructor: RoundTripConstructor, node: Any) -> Decimal | Rejected:
    """A YAML float as the exact Decimal its text spells, never via a binary float."""
    text = str(constructor.construct_scalar(node))
    if text.lstrip("+-").lower() in (".inf", ".nan"):
        return Rejected(f"expected a finite number, got {text!r}")
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return Rejected(f"expected a decimal number, got {text!r}")


def _construct_date(constructor: RoundTripConstructor, node: Any) -> object:
    """A YAML date, or a rejection when it looks like one but is not (2025-02-30)."""
    try:
        return RoundTripConstructor.construct_yaml_timestamp(constructor, node)
    except ValueError:
        return Rejected(f"expected a real calendar date, got {node.value!r}")


def _construct_int(constructor: RoundTripConstructor, node: Any) -> object:
    """A YAML integer, or a rejection when Python refuses to convert it (over 4,300 digits)."""
    try:
        return RoundTripConstructor.construct_yaml_int(constructor, node)
    except ValueError:
        return Rejected(f"expected an integer Costplane can read, got {len(node.value)} digits")


def _construct_text(constructor: RoundTripConstructor, node: Any) -> str:
    return str(constructor.construct_scalar(node))


class _DatesConstructor(RoundTripConstructor):
    """Exact floats; dates as dates."""


class _TextConstructor(RoundTripConstructor):
    """Exact floats; dates and times as the text written."""


_DatesConstructor.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DatesConstructor.add_constructor("tag:yaml.org,2002:int", _construct_int)
_DatesConstructor.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
_TextConstructor.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_TextConstructor.add_constructor("tag:yaml.org,2002:int", _construct_int)
_TextConstructor.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


class _BoundedComposer(Composer):
    """ruamel's composer, telling a `NodeBudget` each node: DocumentTooLargeError past a bound."""

    budget = NodeBudget()

    def compose_document(self) -> Any:
        self.budget = NodeBudget()
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self.budget.alias(node, str(event.anchor), mark.line, mark.column)
            return node
        if isinstance(event, ScalarEvent):
            node = super().compose_node(parent, index)
            self.budget.scalar(node)
            return node
        self.budget.enter(mark.line, mark.column)
        node = super().compose_node(parent, index)
        self.budget.closed(node, children(node))
        return node


def bounded(yaml: YAML) -> YAML:
    """`yaml` reading within the depth and alias bounds (DocumentTooLargeError past one)."""
    yaml.Composer = _BoundedComposer
    return yaml


def exact_yaml(timestamps: Literal["date", "text"]) -> YAML:
    """A round-trip reader with exact floats; timestamps as dates or as their text; bounded."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesConstructor if timestamps == "date" else _TextConstructor
    yaml.Composer = _BoundedComposer
    return yaml


def mark_position(mark: Any) -> Position:
    """A ruamel mark (0-based) as a 1-based position."""
    return (mark.line + 1, mark.column + 1) if mark is not None else START


@dataclass
class SourceMap:
    """Where each key and value sits in the file, by path, and the values rejected on the way."""

    keys: dict[Loc, Position] = field(default_factory=dict)
    values: dict[Loc, Position] = field(default_factory=dict)
    collections: set[Loc] = field(default_factory=set)
    rejected: list[tuple[Loc, str]] = field(default_factory=list)

    def value_at(self, loc: Loc) -> Position:
        """Where to point for `loc`: a scalar's value, or the key that names a mapping or list."""
        known = self._known(loc)
        if known in self.collections and known in self.keys:
            return self.keys[known]
        return self.values.get(known, START)

    def value_of(self, loc: Loc) -> Position:
        """Where the value itself starts, even when it is a mapping or list."""
        return self.values.get(self._known(loc), START)

    def key_at(self, loc: Loc) -> Position:
        known = self._known(loc)
        return self.keys.get(known) or self.values.get(known, START)

    def _known(self, loc: Loc) -> Loc:
        """The longest part of `loc` the file has (pydantic may name keys it does not)."""
        while loc and loc not in self.values:
            loc = loc[:-1]
        return loc

    def plain(self, node: object, loc: Loc = ()) -> object:
        """The node as plain dicts, lists and scalars; positions are recorded on the way."""
        if isinstance(node, CommentedMap):
            return self._mapping(node, loc)
        if isinstance(node, CommentedSeq):
            return self._sequence(node, loc)
        value = _plain_scalar(node)
        if isinstance(value, Rejected):
            self.rejected.append((loc, value.message))
        return value

    def _mapping(self, node: CommentedMap, loc: Loc) -> dict[str | int, object]:
        self.collections.add(loc)
        self.values.setdefault(loc, (node.lc.line + 1, node.lc.col + 1))  # only the root is new
        result: dict[str | int, object] = {}
        for key, value in node.items():
            name = key if isinstance(key, str | int) else str(key)
            child = (*loc, name)
            marks = node.lc.data.get(key)
            if marks is None:  # a key merged in with `<<:` points at its mapping
                self.keys[child] = self.values[child] = self.values[loc]
            else:
                self.keys[child] = (marks[0] + 1, marks[1] + 1)
                self.values[child] = (marks[2] + 1, marks[3] + 1)
            result[name] = self.plain(value, child)
        return result

    def _sequence(self, node: CommentedSeq, loc: Loc) -> list[object]:
        self.collections.add(loc)
        self.values.setdefault(loc, (node.lc.line + 1, node.lc.col + 1))
        result: list[object] = []
        for index, value in enumerate(node):
            marks = node.lc.data.get(index)
            child = (*loc, index)
            self.values[child] = (marks[0] + 1, marks[1] + 1) if marks else self.values[loc]
            result.append(self.plain(value, child))
        return result


_SCALARS = (str, int, Decimal, dt.date, dt.time)


def _plain_scalar(node: object) -> object:
    """ruamel's scalar subclasses as the plain types pydantic expects."""
    if node is None or isinstance(node, bool | Rejected):
        return node
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, _SCALARS):
        return node
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag:
        what = f"the YAML tag {tag}"
    elif isinstance(node, bytes):
        what = "binary data"
    else:
        what = "a YAML set" if isinstance(node, AbstractSet) else "this kind of YAML value"
    return Rejected(f"{what} is not supported here; write plain text, a number or a date")
