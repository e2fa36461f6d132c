"""Every warehouse test runs on both engines: a DuckDB file and a scratch PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from costplane.warehouse import Warehouse, connect_warehouse


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with connect_warehouse(warehouse_url) as opened:
        yield opened
