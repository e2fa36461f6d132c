"""The hand-built placement world on each warehouse engine the tests cover, built once per
test module and engine (the tests only read it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from costplane.warehouse import Warehouse, connect_warehouse
from tests.conftest import POSTGRES_ADMIN_URL, _admin_connection
from tests.insight.placement_world import load

ENGINES = ["duckdb", "postgres"]


def hand_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """The world loaded into DuckDB (a file) or a fresh PostgreSQL database."""
    if request.param != "postgres":
        with connect_warehouse(f"duckdb:///{tmp_path_factory.mktemp('hand') / 'w.duckdb'}") as w:
            load(w)
            yield w
        return
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with connect_warehouse(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}") as w:
                load(w)
                yield w
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
