"""What reaches the terminal: text from data or a user is shown literally, never obeyed.

Names, reasons and paths come from files and people Costplane does not control. On a
terminal, `[bold red]` would be read as Rich markup (and `[/]` would crash the table),
and ESC, BEL or an OSC sequence would recolour, retitle or hyperlink the screen. So:

- both consoles read no markup and no emoji codes unless a call asks (`markup=True`, for
  our own styled headings, which interpolate no text from data);
- every character that could steer the terminal is replaced by a visible escape
  (`literal`): a hostile name stays visible, and two names that differ only there still
  look different. Ordinary Unicode, right-to-left scripts included, is kept.

Only the display changes: stores, JSON and CSV keep the text as given.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rich.console import Console, HighlighterType, JustifyMethod, OverflowMethod
from rich.style import Style
from rich.text import Text

from costplane.errors import CostplaneError, InputProblemsError

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Invisible marks that reorder the text around them (Trojan Source): shown as escapes."""
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _steers(char: str) -> bool:
    """C0, DEL and C1 controls (ESC, BEL, CSI, OSC ...), line and paragraph separators,
    lone surrogates and bidi controls: what a terminal may act on rather than show."""
    return unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"} or char in _BIDI_CONTROLS


def _visible(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def literal(value: object, *, keep_newlines: bool = False) -> str:
    """`value` as text a terminal shows as it is: each steering character as a visible
    escape (ESC as `\\x1b`, U+202E as `\\u202e`, a newline as `\\n` unless kept)."""
    text = value if isinstance(value, str) else str(value)
    return "".join(
        _visible(c) if _steers(c) and not (keep_newlines and c == "\n") else c for c in text
    )


def cell(value: object) -> Text:
    """A table cell: a Text is never parsed as markup or emoji."""
    return Text(literal(value))


class TerminalConsole(Console):
    """A Console that neutralises steering characters in every string it renders, our own
    messages included: a message that interpolates a file name cannot hide an escape in it.
    Newlines are kept there (messages use them); data that may hold one goes through
    `literal` first."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        return super().render_str(
            literal(text, keep_newlines=True),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=emoji,
            markup=markup,
            highlight=highlight,
            highlighter=highlighter,
        )


console = TerminalConsole()
"""stdout: the data a command was asked for, and nothing else (it may be piped as JSON)."""
if not console.is_terminal:
    console.width = 240  # a table written to a file or pipe is not cut at 80 columns
err_console = TerminalConsole(stderr=True)
"""stderr: notes, warnings and errors for the person at the terminal."""


def report_error(error: CostplaneError) -> None:
    """An error as the person at the terminal reads it: `error: what went wrong`, its
    further lines below; the problems of a catalog, policy files or a bill each on a line
    of their own (`FILE:LINE:COLUMN: message`, what an editor jumps to), then the count."""
    if isinstance(error, InputProblemsError):
        for problem in error.problems:
            err_console.print(str(problem), markup=False, soft_wrap=True)
        err_console.print(f"error: {literal(error.summary)}", soft_wrap=True)
        return
    first, *more = error.lines()
    err_console.print(f"error: {literal(first)}", soft_wrap=True)  # one line, as shown
    for line in more:
        err_console.print(literal(line), soft_wrap=True)
