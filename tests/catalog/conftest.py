"""A small valid catalog to break one line at a time, and a way to read what the loader says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from costplane.catalog import parse_catalog
from costplane.errors import InputProblemsError

FIXTURES = Path(__file__).parent / "fixtures"

Edit = Callable[[str, str], str]
Problems = Callable[[str], list[str]]


@pytest.fixture
def minimal() -> str:
    """fixtures/minimal.yaml: valid; tests replace one line and keep every line number."""
    return (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
def edit(minimal: str) -> Edit:
    """minimal.yaml with one exact piece of text replaced (which must be there once)."""

    def replace(old: str, new: str) -> str:
        assert minimal.count(old) == 1, f"{old!r} must appear exactly once in minimal.yaml"
        return minimal.replace(old, new)

    return replace


@pytest.fixture
def problems() -> Problems:
    """The lines the loader reports for a catalog text (which must be invalid)."""

    def report(text: str) -> list[str]:
        with pytest.raises(InputProblemsError) as caught:
            parse_catalog(text, "costplane.yaml")
        return [str(problem) for problem in caught.value.problems]

    return report
