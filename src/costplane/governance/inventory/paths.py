"""Key paths into a resource's camelCase JSON: `spec.template.spec.containers[0].image`.

A path is parsed once, when the policy loads, into steps: a text step reads a
mapping's key, a number reads a list element (negative counts from the end) and
`[*]` reads every element of a list. Keys holding dots or slashes, as label and
annotation keys do, are quoted: `metadata.labels."app.kubernetes.io/name"` or
`metadata.labels["app.kubernetes.io/name"]`. Unlike JMESPath (Cloud Custodian's
path language) there are no projections, functions or filters: a path names
values, and the filter says how to test them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final, NoReturn

from pydantic import AfterValidator


class Wildcard:
    """The `[*]` step: every element of a list."""

    _instance: Wildcard | None = None

    def __new__(cls) -> Wildcard:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "[*]"


WILDCARD: Final = Wildcard()

Step = str | int | Wildcard
"""A mapping key, a list index, or every element."""

_SPECIAL = frozenset(".[]\"'")


class PathSyntaxError(ValueError):
    """A key path that does not parse; the message names the character at fault."""


@dataclass(frozen=True)
class KeyPath:
    """A parsed key path: its text as written and its steps."""

    text: str
    steps: tuple[Step, ...]

    @property
    def has_wildcard(self) -> bool:
        return any(step is WILDCARD for step in self.steps)

    def __str__(self) -> str:
        return self.text


def parse_path(text: str) -> KeyPath:
    """Parse `text`; PathSyntaxError says what is wrong and where (1-based character)."""
    if not text.strip():
        raise PathSyntaxError("a key path must not be empty")
    return KeyPath(text, tuple(_Parser(text).steps()))


def _parsed(text: str) -> str:
    parse_path(text)
    return text


KeyPathText = Annotated[str, AfterValidator(_parsed)]
"""A key path as written in a policy, checked when the policy loads."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        expect_key = True
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "[":
                steps.append(self._bracket())
                expect_key = False
            elif char == "." and not expect_key:
                self.at += 1
                expect_key = True
                if self.at == len(self.text):
                    self._fail("the path ends with '.'")
            elif expect_key:
                steps.append(self._key())
                expect_key = False
            else:
                self._fail(f"expected '.' or '[' before {char!r}")
        return steps

    def _key(self) -> str:
        char = self.text[self.at]
        if char in "\"'":
            return self._quoted()
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in _SPECIAL:
            self.at += 1
        if self.at == start:
            self._fail(f"expected a key, found {char!r}")
        key = self.text[start : self.at]
        if key != key.strip():
            self._fail(f"a key has spaces around it: {key!r} (quote it if they are meant)")
        return key

    def _quoted(self) -> str:
        quote, start = self.text[self.at], self.at
        self.at += 1
        chars: list[str] = []
        while self.at < len(self.text) and self.text[self.at] != quote:
            if self.text[self.at] == "\\" and self.at + 1 < len(self.text):
                self.at += 1
            chars.append(self.text[self.at])
            self.at += 1
        if self.at == len(self.text):
            self.at = start
            self._fail(f"unclosed quote {quote}")
        self.at += 1
        return "".join(chars)

    def _bracket(self) -> Step:
        self.at += 1
        end = self.text.find("]", self.at)
        if self.text[self.at : self.at + 1] in ("'", '"'):
            key = self._quoted()
            if self.text[self.at : self.at + 1] != "]":
                self._fail("expected ']' after the quoted key")
            self.at += 1
            return key
        if end < 0:
            self._fail("unclosed '['")
        inside = self.text[self.at : end].strip()
        if inside == "*":
            step: Step = WILDCARD
        elif (digits := inside.removeprefix("-")).isascii() and digits.isdigit():
            step = int(inside)
        else:
            self._fail(f"expected a number, * or a quoted key inside [], found {inside!r}")
        self.at = end + 1
        return step

    def _fail(self, message: str) -> NoReturn:
        raise PathSyntaxError(f"{message} (at character {self.at + 1} of {self.text!r})")


def read_path(document: object, steps: tuple[Step, ...]) -> object:
    """The one value `steps` reach in `document`, or None (no `[*]` here)."""
    value = document
    for step in steps:
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        elif isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        else:
            return None
    return value
