"""How deep, and how much repeated by aliases, a YAML or JSON document Costplane reads.

A YAML alias (`*name`) stands for the whole value its anchor names, so ten lines
can stand for a billion values (the "billion laughs"); and readers descend nesting
by recursion, so a file nested 30,000 levels crashes them (libyaml with a
segmentation fault). Both are counted while a YAML document is composed, before
any value is built, and a document past either bound is refused with the place
where it crossed it. No legitimate catalog, policy or Kubernetes object comes near
either bound (the deepest CRD schemas nest about 60 levels), so they are constants.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from costplane.errors import InputError

MAX_DEPTH = 200
"""Levels of nested mappings and lists a document may have."""

MAX_ALIAS_VALUES = 100_000
"""Values that aliases may repeat in one YAML document, counted expanded."""


class DocumentTooLargeError(ValueError):
    """A document past a bound; `line` and `column` (1-based) say where it crossed it."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def too_deep(line: int, column: int) -> DocumentTooLargeError:
    return DocumentTooLargeError(
        f"nested deeper than {MAX_DEPTH} levels of mappings and lists (Costplane reads at "
        f"most {MAX_DEPTH})",
        line,
        column,
    )


class NodeBudget:
    """Depth and alias expansion of one YAML document, told each node as it is composed.

    A node's size is itself plus its children's sizes, an alias child counting as the
    whole value it repeats; sizes are kept by node identity, so a chain of aliases
    each repeating the last is counted in one pass, without expanding anything.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.repeated = 0
        self._sizes: dict[int, int] = {}
        """By node identity; a node has a size once it is closed."""

    def enter(self, line: int, column: int) -> None:
        """A mapping or list starts at `line`, `column` (0-based, as parsers mark)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(line + 1, column + 1)

    def scalar(self, node: object) -> None:
        self._sizes[id(node)] = 1

    def closed(self, node: object, children: Iterable[object]) -> None:
        """The mapping or list `node` ends; its `children` are composed."""
        self._sizes[id(node)] = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        self.depth -= 1

    def alias(self, node: object, name: str, line: int, column: int) -> None:
        """An alias to `node` at `line`, `column` (0-based)."""
        size = self._sizes.get(id(node))
        if size is None:  # its anchor's value is still open: the alias is inside it
            message = f"the alias *{name} is inside the value it names: a value cannot hold itself"
            raise DocumentTooLargeError(message, line + 1, column + 1)
        self.repeated += size
        if self.repeated > MAX_ALIAS_VALUES:
            message = (
                f"aliases (*{name} and the ones before it) repeat more than "
                f"{MAX_ALIAS_VALUES:,} values: write the values out, or use fewer aliases"
            )
            raise DocumentTooLargeError(message, line + 1, column + 1)


def children(value: object) -> list[object]:
    """A composed node's direct children: a mapping's keys and values, a list's items."""
    items = getattr(value, "value", None)
    if not isinstance(items, list):
        return []
    found: list[object] = []
    for item in items:
        if isinstance(item, tuple):
            found.extend(item)
        else:
            found.append(item)
    return found


def json_depth_within(document: object) -> bool:
    """Whether plain JSON values nest at most MAX_DEPTH levels (checked without recursion)."""
    level: list[object] = [document]
    depth = 0
    while level:
        nested = [v for v in level if isinstance(v, dict | list)]
        if not nested:
            return True
        depth += 1
        if depth > MAX_DEPTH:
            return False
        level = [
            child
            for value in nested
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
    return True


def read_json(text: str | bytes, where: object, **options: Any) -> Any:
    """`json.loads(text, **options)` refused past MAX_DEPTH, every failure an InputError
    naming `where` (a file, or the option the text came from)."""
    try:
        document = json.loads(text, **options)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:  # the decoder's own recursion ends near 1,000 levels
        raise InputError(f"{where}: {too_deep(1, 1)}") from None
    except ValueError as exc:  # an integer too long for Python to convert
        raise InputError(f"{where}: a value Costplane cannot read: {exc}") from None
    if not json_depth_within(document):
        raise InputError(f"{where}: {too_deep(1, 1)}")
    return document
