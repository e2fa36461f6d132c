"""Warehouse URLs: which engine each opens, where its file lands, and no password in sight."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from costplane.errors import InputError, ServiceUnavailableError
from costplane.warehouse import Warehouse, connect_warehouse
from costplane.warehouse.connect import postgres_params

PASSWORD = "s3cret-Pa55"


def test_a_relative_duckdb_path_is_created_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with connect_warehouse("duckdb:///data/nested/warehouse.duckdb") as warehouse:
        warehouse.ensure_schema()
        assert (warehouse.engine, warehouse.url) == (
            "duckdb",
            "duckdb:///data/nested/warehouse.duckdb",
        )

    assert (tmp_path / "data" / "nested" / "warehouse.duckdb").is_file()


def test_an_absolute_duckdb_path_keeps_its_data_across_connections(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'abs' / 'warehouse.duckdb'}"
    assert url.startswith("duckdb:////")

    with connect_warehouse(url) as warehouse:
        assert warehouse.ensure_schema()
    with connect_warehouse(url) as warehouse:
        assert warehouse.ensure_schema() == []


def test_an_in_memory_duckdb_warehouse_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with connect_warehouse("duckdb:///:memory:") as warehouse:
        assert warehouse.ensure_schema()

    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgres_schemes_open_postgres(postgres_url: str, scheme: str) -> None:
    url = make_url(postgres_url).set(drivername=scheme, password=PASSWORD)
    text = url.render_as_string(hide_password=False)

    with connect_warehouse(text) as warehouse:  # trust auth ignores the password
        assert warehouse.engine == "postgres"
        assert PASSWORD not in warehouse.url
        assert PASSWORD not in repr(warehouse)
        assert "***" in warehouse.url
        assert "created table loads" in warehouse.ensure_schema()


def test_an_unreachable_postgres_is_reported_quickly_without_its_password() -> None:
    url = f"postgresql://costplane:{PASSWORD}@127.0.0.1:1/warehouse?connect_timeout=3"
    began = time.monotonic()

    with pytest.raises(ServiceUnavailableError) as failed:
        connect_warehouse(url)

    message = str(failed.value)
    assert time.monotonic() - began < 5
    assert "costplane:***@127.0.0.1:1/warehouse" in message
    assert PASSWORD not in message
    assert "\n" not in message
    assert failed.value.__cause__ is None
    assert failed.value.__context__ is None or PASSWORD not in str(failed.value.__context__)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"mysql://root:{PASSWORD}@db/costs", "unsupported warehouse URL scheme 'mysql'"),
        ("sqlite:///warehouse.db", "unsupported warehouse URL scheme 'sqlite'"),
        ("duckdb://", "names no database file"),
        ("not a url", "not a warehouse URL"),
    ],
)
def test_bad_urls_are_input_errors_that_hide_the_password(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        connect_warehouse(url)

    assert PASSWORD not in str(refused.value)


def test_postgres_url_query_items_reach_the_driver() -> None:
    url = make_url(
        f"postgresql://ana:{PASSWORD}@db.internal:6432/costs?sslmode=require&connect_timeout=2"
    )

    assert postgres_params(url) == {
        "host": "db.internal",
        "port": 6432,
        "user": "ana",
        "password": PASSWORD,
        "database": "costs",
        "sslmode": "require",
        "connect_timeout": "2",
    }
    assert postgres_params(make_url("postgresql:///costs"))["connect_timeout"] == 10


def test_an_unknown_table_name_lists_the_known_ones(tmp_path: Path) -> None:
    with (
        connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse,
        pytest.raises(InputError, match="known: allocations, backup_records, billing_lines"),
    ):
        warehouse.table("usage")


def setting(warehouse: Warehouse, name: str) -> object:
    return warehouse.ibis.con.execute(f"SELECT current_setting('{name}')").fetchone()[0]  # type: ignore[index]


def test_a_duckdb_file_warehouse_is_capped_at_2gb_unless_the_url_says(tmp_path: Path) -> None:
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse:
        assert setting(warehouse, "memory_limit") == "1.8 GiB"  # DuckDB's GB are 10**9 bytes
    url = f"duckdb:///{tmp_path / 'w.duckdb'}?memory_limit=8GB&threads=1"
    with connect_warehouse(url) as warehouse:
        assert (setting(warehouse, "memory_limit"), setting(warehouse, "threads")) == ("7.4 GiB", 1)


def test_an_unknown_duckdb_setting_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown DuckDB setting 'memlimit'; known: memory_limit"):
        connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}?memlimit=8GB")
    assert not (tmp_path / "w.duckdb").exists()
