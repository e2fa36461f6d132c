"""ensure_schema: every declared table and column exists, and a second run changes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime

import ibis
import psycopg
import pyarrow as pa
import pytest
from ibis.expr.schema import Schema

from costplane.warehouse import (
    DERIVED_TABLES,
    FACT_TABLES,
    LOADS,
    Load,
    Warehouse,
    connect_warehouse,
)


def column_types(schema: Schema) -> dict[str, str]:
    """Name to type, as a reader sees it: nullability and timestamp precision aside."""
    return {
        name: "timestamp" if dtype.is_timestamp() else str(dtype.copy(nullable=True))
        for name, dtype in schema.items()
    }


def test_creates_every_table_with_its_declared_columns(warehouse: Warehouse) -> None:
    changes = warehouse.ensure_schema()

    assert f"created table {'loads'}" in changes
    assert {f"created table {name}" for name in FACT_TABLES} <= set(changes)
    for name, table in FACT_TABLES.items():
        stored = column_types(warehouse.table(name).schema())
        assert stored == column_types(table.stored_schema), name
    assert column_types(warehouse.table("loads").schema()) == column_types(LOADS)


def test_is_idempotent(warehouse: Warehouse) -> None:
    first = warehouse.ensure_schema()

    assert first
    assert warehouse.ensure_schema() == []
    assert warehouse.ensure_schema() == []


def test_adds_a_column_a_newer_declaration_has(warehouse_url: str) -> None:
    usage = FACT_TABLES["usage_samples"]
    older = replace(
        usage,
        schema=ibis.schema({k: v for k, v in usage.schema.items() if k != "memory_peak_bytes"}),
    )
    hour = datetime(2024, 3, 1, 10)
    rows = pa.table({"hour": [hour], "namespace": ["acme-prod"], "cpu_usage_cores": [0.25]})
    load = Load("usage_samples", "prometheus", "eu-1", hour, datetime(2024, 3, 1, 11), rows)
    with connect_warehouse(warehouse_url, tables={**FACT_TABLES, "usage_samples": older}) as old:
        old.ensure_schema()
        old.ingest([load])

    with connect_warehouse(warehouse_url) as new:
        assert new.ensure_schema() == [
            "added column memory_peak_bytes (float64) to usage_samples",
            "added column memory_peak_bytes (float64) to replaced_usage_samples",
        ]
        assert new.ensure_schema() == []
        read = new.table("usage_samples").to_pyarrow().to_pylist()

        assert [(r["namespace"], r["cpu_usage_cores"], r["memory_peak_bytes"]) for r in read] == [
            ("acme-prod", 0.25, None)
        ]
        peak = rows.append_column("memory_peak_bytes", pa.array([2.5e9]))
        new.ingest([replace(load, data=peak)])
        assert new.table("usage_samples").memory_peak_bytes.sum().to_pyarrow().as_py() == 2.5e9


def test_ingest_into_a_fresh_warehouse_creates_the_schema_first(warehouse: Warehouse) -> None:
    hour = datetime(2024, 3, 1, 10)
    rows = pa.table({"hour": [hour], "namespace": ["acme-prod"]})

    warehouse.ingest([Load("usage_samples", "prometheus", "eu-1", hour, hour, rows)])

    assert warehouse.table("usage_samples").count().to_pyarrow().as_py() == 1
    assert warehouse.ensure_schema() == []


@pytest.mark.postgres
def test_postgres_first_runs_at_once_both_succeed_and_index_load_id(postgres_url: str) -> None:
    with connect_warehouse(postgres_url) as one, connect_warehouse(postgres_url) as two:
        with ThreadPoolExecutor(2) as pool:
            changes = list(pool.map(Warehouse.ensure_schema, [one, two]))

        tables = 2 * len(FACT_TABLES) + len(DERIVED_TABLES) + 2  # replaced loads kept beside
        assert sorted(len(c) for c in changes) == [0, tables]
        with psycopg.connect(postgres_url) as con:
            indexed = con.execute(
                "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%(load_id)'"
            ).fetchall()
        kept = {f"replaced_{name}" for name in FACT_TABLES}
        assert {name for (name,) in indexed} == {*FACT_TABLES, *kept, "loads", "replaced_loads"}
