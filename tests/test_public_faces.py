"""Each stage's public face is what the rest of Costplane uses, and all it uses.

A stage is a package under `costplane` (docs/architecture.md). Outside it, code imports
from the stage's `__init__`, or from the `__init__` of one of its sub-packages (a
collector of `sources`), never from a module inside; what it imports is in that
`__all__`; and every name in an `__all__` is used outside the stage (in `src/`,
`tests/` or `benchmarks/`), or is a type such a name hands out (the lines of a
`Chargeback`), or is part of the API for plug-in authors (PLUGIN_API, documented in
docs/policies.md and docs/actions.md).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
STAGES = (
    "catalog",
    "sources",
    "warehouse",
    "state",
    "allocation",
    "insight",
    "blueprint",
    "governance",
    "actions",
    "notifications",
    "service",
)
PLUGIN_API = {
    # docs/policies.md, "Adding a filter type" and "Facts"
    "governance": {"CompiledFilter", "FactDefinition", "FactType", "FilterSpec", "register_fact"},
    # docs/actions.md: an action declares its options as a subclass
    "actions": {"ActionOptions"},
}
"""Names outsiders of this repository use: in the face though nothing here imports them."""


def module_of(path: Path) -> str:
    """The dotted name of a file: `costplane.sources.focus` for its `__init__.py`."""
    base = SRC if path.is_relative_to(SRC) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "costplane" and len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    return None


def is_package(module: str) -> bool:
    return (SRC.joinpath(*module.split(".")) / "__init__.py").is_file()


def imports(folder: str) -> Iterator[tuple[str, str, list[str]]]:
    """(importing module, imported module, names) for every absolute `from ... import`."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        importer = module_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield importer, node.module, [alias.name for alias in node.names]


@cache
def outside_uses() -> dict[str, set[str]]:
    """Per package of a stage, the names code outside that stage imports from it."""
    used: dict[str, set[str]] = defaultdict(set)
    for folder in ("src", "tests", "benchmarks"):
        for importer, module, names in imports(folder):
            stage = stage_of(module)
            if stage is not None and stage != stage_of(importer) and is_package(module):
                used[module].update(names)
    return used


def faces(stage: str) -> list[str]:
    """The stage's package and every sub-package outsiders import from."""
    root = f"costplane.{stage}"
    return sorted({root} | {m for m in outside_uses() if stage_of(m) == stage})


@pytest.mark.parametrize("stage", STAGES)
def test_code_outside_a_stage_imports_only_its_faces(stage: str) -> None:
    reaching_in = [
        f"{importer} imports {module}"
        for importer, module, _ in imports("src")
        if stage_of(module) == stage and stage_of(importer) != stage and not is_package(module)
    ]
    assert reaching_in == [], "import from the stage's __init__ instead"


def is_submodule(face: str, name: str) -> bool:
    folder = SRC.joinpath(*face.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def annotations_of(thing: Any) -> Iterator[str]:
    """The annotations of a function, or of a class's fields and methods, as text."""
    functions = [thing] if inspect.isfunction(thing) else []
    if inspect.isclass(thing):
        yield from map(str, inspect.get_annotations(thing).values())
        functions = [f for _, f in inspect.getmembers(thing, inspect.isfunction)]
    for function in functions:
        yield from map(str, inspect.get_annotations(function).values())


def handed_out(package: Any, names: Iterable[str]) -> set[str]:
    """The face's names that appear in the annotations of `names`, followed through."""
    exported = set(package.__all__)
    seen: set[str] = set()
    todo = [name for name in names if name in exported]
    while todo:
        name = todo.pop()
        for text in annotations_of(getattr(package, name)):
            for word in set(re.findall(r"[A-Za-z_]\w*", text)) & exported - seen:
                seen.add(word)
                todo.append(word)
    return seen


@pytest.mark.parametrize("stage", STAGES)
def test_what_is_imported_from_a_face_is_in_its_all(stage: str) -> None:
    for face in faces(stage):
        exported = set(importlib.import_module(face).__all__)
        used = outside_uses()[face]
        missing = sorted(name for name in used - exported if not is_submodule(face, name))
        assert missing == [], f"{face}: imported from outside but not in __all__"


@pytest.mark.parametrize("stage", STAGES)
def test_every_name_of_a_face_is_used_outside_its_stage(stage: str) -> None:
    for face in faces(stage):
        package = importlib.import_module(face)
        missing = [name for name in package.__all__ if not hasattr(package, name)]
        assert missing == [], f"{face}: __all__ names what the package does not have"
        used = outside_uses()[face] | PLUGIN_API.get(stage, set())
        unused = set(package.__all__) - used - handed_out(package, used)
        assert sorted(unused) == [], f"{face}: in __all__ but used by nothing outside"
