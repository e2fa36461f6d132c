"""A value as the person who wrote the YAML or JSON recognises it in an error message.

`got 'abc'`, `got 4.5`, `got true`, `got a list`, `got nothing`: text is quoted, a long
value is cut at 60 characters (a hostile value may be megabytes long), and containers
are named rather than printed. The catalog, policies and their values all say it alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

_LONGEST = 60


def describe(value: object) -> str:
    """`value` as it was written, for a message such as `expected text, got 7`."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."
