"""A tiny arithmetic for savings: numbers, names, + - * /, parentheses, max and min.

    replicas * max(0, cpu_request - cpu_p95) * price.cpu * HOURS_PER_MONTH

It is parsed here, by a small recursive-descent parser, into a tree of frozen
dataclasses: nothing is handed to Python's `eval`, so a policy file can do
arithmetic and nothing else. Numbers are exact Decimals. A name whose value is
unknown (None) makes the whole result unknown, as does a division by zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, NoReturn

CONSTANTS: Final[Mapping[str, Decimal]] = {
    "HOURS_PER_MONTH": Decimal(730),
    "GiB": Decimal(2**30),
}
"""Names every expression may use."""

FUNCTIONS: Final[Mapping[str, Callable[..., Decimal]]] = {"max": max, "min": min}

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<symbol>[-+*/(),]))"
)


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Negative:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]


Node = Number | Name | Negative | Binary | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression and the names it reads."""

    text: str
    tree: Node
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Decimal | None]) -> Decimal | None:
        """The result, or None when a name it needs is unknown or it divides by zero."""
        return _evaluate(self.tree, {**CONSTANTS, **values})


def parse_expression(text: str) -> Expression:
    """Parse `text`; ValueError says what is wrong and at which character."""
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        parser.fail(f"unexpected {parser.peek()!r}")
    return Expression(text, tree, frozenset(_names(tree)))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        at = 0
        while at < len(text):
            match = _TOKEN.match(text, at)
            if match is None or match.end() == at:
                if text[at:].strip() == "":
                    break
                raise ValueError(f"unexpected {text[at:].strip()[0]!r} at character {at + 1}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match[kind], match.start(kind)))
            at = match.end()
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        if self.index >= len(self.tokens):
            self.fail("the expression ends too early")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str) -> NoReturn:
        at = self.tokens[self.index][2] + 1 if self.index < len(self.tokens) else len(self.text)
        raise ValueError(f"{message} at character {at} of {self.text!r}")

    def expression(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            node = Binary(self.take()[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() in ("*", "/"):
            node = Binary(self.take()[1], node, self.factor())
        return node

    def factor(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Negative(self.factor())
        kind, text, _ = self.take()
        if kind == "number":
            return Number(Decimal(text))
        if kind == "name" and self.peek() == "(":
            return self.call(text)
        if kind == "name":
            return Name(text)
        if text == "(":
            node = self.expression()
            self.expect(")")
            return node
        self.index -= 1
        return self.fail(f"expected a number, a name or '(', found {text!r}")

    def call(self, function: str) -> Node:
        if function not in FUNCTIONS:
            self.index -= 1
            self.fail(f"unknown function {function!r} (known: {', '.join(FUNCTIONS)})")
        self.expect("(")
        arguments = [self.expression()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.expression())
        self.expect(")")
        if len(arguments) < 2:
            self.fail(f"{function}() needs at least two arguments")
        return Call(function, tuple(arguments))

    def expect(self, symbol: str) -> None:
        if self.peek() != symbol:
            self.fail(f"expected {symbol!r}")
        self.take()


def _names(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Negative):
        return _names(node.operand)
    if isinstance(node, Binary):
        return _names(node.left) | _names(node.right)
    if isinstance(node, Call):
        return set().union(*(_names(argument) for argument in node.arguments))
    return set()


def _evaluate(node: Node, values: Mapping[str, Decimal | None]) -> Decimal | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return values.get(node.name)
    if isinstance(node, Negative):
        operand = _evaluate(node.operand, values)
        return None if operand is None else -operand
    if isinstance(node, Call):
        arguments = [_evaluate(argument, values) for argument in node.arguments]
        if any(argument is None for argument in arguments):
            return None
        return FUNCTIONS[node.function](*arguments)
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return left / right if right != 0 else None
