"""The fleet generator stands apart: the product never imports it.

`costplane_fleet` writes synthetic sources for tests, benchmarks and the demo; Costplane
reads such a directory like any other source. Only the surfaces (the `generate` and `demo`
commands) and the service layer that runs the demo may call the generator.
"""

from __future__ import annotations

import ast
from pathlib import Path

import costplane

PRODUCT = Path(costplane.__file__).parent
MAY_IMPORT_THE_FLEET = ("surfaces", "service")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and not node.level:
            names.add(node.module)
    return names


def product_modules() -> list[Path]:
    return [
        path
        for path in sorted(PRODUCT.rglob("*.py"))
        if path.relative_to(PRODUCT).parts[0] not in MAY_IMPORT_THE_FLEET
    ]


def test_the_walk_sees_every_stage() -> None:
    stages = {path.relative_to(PRODUCT).parts[0] for path in product_modules()}
    assert {
        "catalog",
        "sources",
        "warehouse",
        "state",
        "allocation",
        "governance",
        "actions",
    } <= stages


def test_no_product_module_imports_the_fleet() -> None:
    importers = [
        str(path.relative_to(PRODUCT))
        for path in product_modules()
        if any(
            name == "costplane_fleet" or name.startswith("costplane_fleet.")
            for name in imported_modules(path)
        )
    ]
    assert importers == []
