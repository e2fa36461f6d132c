"""Small hand-built facts for the service-class reports, on DuckDB and on PostgreSQL, against the
example catalog (examples/distribution-saas): each test states the rows it needs.

The fixtures live here rather than in a conftest.py, which other suites of this folder
may want for their own: a test module imports them by their `*_fixture` names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from costplane.catalog import Catalog, load_catalog
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "distribution-saas" / "costplane.yaml"
OCTOBER = ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 11, 1))


@pytest.fixture(scope="session", name="example_catalog")
def example_catalog_fixture() -> Catalog:
    return load_catalog(EXAMPLE)


@pytest.fixture(
    name="warehouse",
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def warehouse_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with connect_warehouse(url) as opened:
        yield opened


def load(
    warehouse: Warehouse,
    table: str,
    rows: list[dict[str, Any]],
    start: dt.datetime,
    end: dt.datetime,
    scope: str = "c1",
) -> None:
    """`rows` as one load of `table`, through the real ingest API."""
    schema = FACT_TABLES[table].schema.to_pyarrow()
    keys = dict.fromkeys(key for row in rows for key in row)
    data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in keys]))
    warehouse.ingest([Load(table, "test", scope, start, end, data)])
