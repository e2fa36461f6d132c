"""A Dockerfile read as BuildKit reads it, enough for tests/deploy/test_dockerfile.py:
comment lines dropped (inside continuations too), `\\` continuations joined, each
instruction as (keyword, arguments), grouped into stages by FROM."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, keyword: str) -> list[str]:
        return [args for word, args in self.instructions if word == keyword]


def instructions(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        keyword, _, arguments = logical.partition(" ")
        found.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continuation"
    return found


def stages(path: Path) -> list[Stage]:
    parsed: list[Stage] = []
    for keyword, arguments in instructions(path.read_text(encoding="utf-8")):
        if keyword == "FROM":
            image, *rest = arguments.split()
            name = rest[1] if len(rest) == 2 and rest[0].upper() == "AS" else None
            parsed.append(Stage(image, name))
        else:
            assert parsed, f"{keyword} before the first FROM"
            parsed[-1].instructions.append((keyword, arguments))
    return parsed


def exec_form(arguments: str) -> list[str]:
    """ENTRYPOINT / CMD in exec form (a JSON array); AssertionError for the shell form."""
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    assert all(isinstance(v, str) for v in value), arguments
    return value
