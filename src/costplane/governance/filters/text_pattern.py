"""The `regex` operator's patterns, run by RE2: a search takes time linear in the text.

Python's `re` backtracks, so `^(a+)+$` on a 40-character namespace ran for minutes,
whatever the policy's author meant. RE2 never backtracks; what it cannot do in linear
time (backreferences such as `\\1`, lookaround such as `(?=`) it refuses, and the
policy is refused when it loads, with RE2's reason.
"""

from __future__ import annotations

from typing import Protocol

import re2  # type: ignore[import-untyped]


class TextPattern(Protocol):
    """A compiled pattern: `search` finds it anywhere in the text, or returns None."""

    def search(self, text: str) -> object | None: ...


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own complaint to stderr


def compile_pattern(pattern: str) -> TextPattern:
    """The pattern compiled by RE2; ValueError with RE2's reason when it cannot be."""
    try:
        compiled: TextPattern = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"{reason} (patterns run by RE2: no backreferences or lookaround)"
        ) from None
    return compiled
