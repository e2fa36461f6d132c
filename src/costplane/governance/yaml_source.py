"""YAML read with the line of every key and value, as plain dicts, lists and scalars.

ruamel's round-trip loader remembers positions; this turns its document into
plain values and keeps a map from each path (`("policies", 0, "filters", 1)`)
to its line, so a problem found later, by the model, is reported at its line.
Numbers with a fraction are exact Decimals (0.1 is 0.1); dates and times stay
the text they were written as (a policy compares them as text or by age).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

Loc = tuple[str | int, ...]
Position = tuple[int, int]
"""1-based line and column."""

START: Position = (1, 1)


class YamlSyntaxError(ValueError):
    """The text is not YAML (or repeats a key); `position` says where."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Rejected:
    """A YAML value a policy cannot hold (.inf, .nan): reported where it is, and left in
    the document so the model reports nothing else about it."""

    text: str


def _construct_decimal(constructor: RoundTripConstructor, node: Any) -> Decimal | Rejected:
    text = str(constructor.construct_scalar(node))
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return Rejected(text)
    return value if value.is_finite() else Rejected(text)


def _construct_text(constructor: RoundTripConstructor, node: Any) -> str:
    return str(constructor.construct_scalar(node))


class _PolicyConstructor(RoundTripConstructor):
    """Exact decimals, and timestamps as the text written."""


_PolicyConstructor.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_PolicyConstructor.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


@dataclass
class SourceMap:
    """Where each path's key and value sit in the file."""

    keys: dict[Loc, Position] = field(default_factory=dict)
    values: dict[Loc, Position] = field(default_factory=dict)
    collections: set[Loc] = field(default_factory=set)
    rejected: list[tuple[Loc, str]] = field(default_factory=list)

    def position(self, loc: Loc) -> Position:
        """The line to point at for `loc`: its key for a mapping or list, else its value."""
        while loc and loc not in self.values:
            loc = loc[:-1]
        if loc in self.collections and loc in self.keys:
            return self.keys[loc]
        return self.values.get(loc, START)


def read_yaml(text: str) -> tuple[object, SourceMap]:
    """The document as plain values, and its source map; YamlSyntaxError when not YAML."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _PolicyConstructor
    try:
        document = yaml.load(text)
    except DuplicateKeyError as exc:
        found = re.search(r'duplicate key "(.*?)"', str(exc.problem))
        key = found[1] if found else "?"
        message = f"duplicate key {key!r}: a key may appear only once in a mapping"
        raise YamlSyntaxError(message, _mark(exc.problem_mark)) from None
    except MarkedYAMLError as exc:
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise YamlSyntaxError(message, _mark(exc.problem_mark or exc.context_mark)) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", START) from None
    source = SourceMap()
    return _plain(document, (), source), source


def _mark(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1) if mark is not None else START


def _plain(node: object, loc: Loc, source: SourceMap) -> object:
    if isinstance(node, CommentedMap):
        source.collections.add(loc)
        source.values.setdefault(loc, (node.lc.line + 1, node.lc.col + 1))
        result: dict[object, object] = {}
        for key, value in node.items():
            plain_key = _scalar(key, loc, source)
            child = (*loc, plain_key if isinstance(plain_key, str | int) else str(plain_key))
            key_line, key_col = node.lc.key(key)
            value_line, value_col = node.lc.value(key)
            source.keys[child] = (key_line + 1, key_col + 1)
            source.values[child] = (value_line + 1, value_col + 1)
            result[plain_key] = _plain(value, child, source)
        return result
    if isinstance(node, CommentedSeq):
        source.collections.add(loc)
        source.values.setdefault(loc, (node.lc.line + 1, node.lc.col + 1))
        items = []
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            source.values[(*loc, index)] = (line + 1, col + 1)
            source.keys.setdefault((*loc, index), (line + 1, col + 1))
            items.append(_plain(item, (*loc, index), source))
        return items
    return _scalar(node, loc, source)


def _scalar(node: object, loc: Loc, source: SourceMap) -> object:
    if isinstance(node, Rejected):
        source.rejected.append((loc, f"expected a finite number, got {node.text!r}"))
        return node
    if node is None or isinstance(node, bool | Decimal):
        return node
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    source.rejected.append(
        (loc, "this kind of YAML value is not supported: write text or a number")
    )
    return None
