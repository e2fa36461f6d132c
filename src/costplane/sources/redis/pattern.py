"""Which tenant a Redis key belongs to, from the catalog's key pattern.

The pattern is a Redis glob (`*`, `?`, `[...]`, `\\` escapes) with `{tenant}` where
the tenant id stands, e.g. `{tenant}:*`. It becomes one regular expression in
which `{tenant}` matches only the catalog's tenant ids (longest first), so a key
of a tenant the catalog does not know, or of no tenant, is unattributed rather
than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PLACEHOLDER = "{tenant}"


def glob_regex(glob: str) -> str:
    """A Redis glob as the body of a Python regular expression."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        elif char == "[" and "]" in glob[i + 1 :]:
            end = glob.index("]", i + 1)
            body = glob[i + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            escaped = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[{'^' if negate else ''}{escaped}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


class TenantMatcher:
    """Key (bytes) -> tenant id, or None when the key names no known tenant."""

    def __init__(self, pattern: str, tenants: Iterable[str]) -> None:
        ids = sorted(set(tenants), key=lambda t: (-len(t), t))
        before, _, after = pattern.partition(PLACEHOLDER)
        self.pattern = pattern
        self._regex: re.Pattern[bytes] | None = None
        if ids:
            choice = "|".join(re.escape(t) for t in ids)
            body = f"{glob_regex(before)}(?P<tenant>{choice}){glob_regex(after)}"
            self._regex = re.compile(body.encode(), re.DOTALL)

    def tenant(self, key: bytes) -> str | None:
        if self._regex is None:
            return None
        found = self._regex.fullmatch(key)
        return None if found is None else found.group("tenant").decode()
