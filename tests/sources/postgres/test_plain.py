"""Databases that are not Odoo: sizes, exact and estimated rows, unused indexes, bloat,
idle connections and growth, each checked against the server's own numbers."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from costplane.sources.collector import Collected
from costplane.sources.postgres import PostgresRequest, collect_postgres, parse_dsn
from costplane.sources.postgres.collect import targets
from costplane.sources.postgres.model import Activity
from costplane.sources.postgres.server import ServerDatabase
from tests.conftest import Run
from tests.sources.postgres.conftest import execute, query, url_of

pytestmark = pytest.mark.postgres

Make = Callable[..., str]


def collect(*databases: str, user: str = "postgres") -> Collected:
    request = PostgresRequest(
        dsn=parse_dsn(url_of("test", user)),
        signals_since=dt.date(2000, 1, 1),
        databases=databases,
    )
    return collect_postgres(request, lambda server: {})


def stats_rows(collected: Collected, database: str) -> list[dict[str, Any]]:
    """The database_stats rows the run would load for `database`."""
    (load,) = [
        load
        for load in collected.loads
        if load.table == "database_stats" and load.scope.endswith(f"/{database}")
    ]
    rows: list[dict[str, Any]] = load.data.to_pylist()  # type: ignore[union-attr]
    return rows


def row(rows: list[dict[str, Any]], kind: str, relation: str) -> dict[str, Any]:
    (found,) = [r for r in rows if r["relation_kind"] == kind and r["relation"] == relation]
    return found


def test_a_plain_database_sizes_and_rows(scratch_database: Make) -> None:
    name = scratch_database(
        "CREATE TABLE items (id int PRIMARY KEY, label text)",
        "INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, 1234) n",
        "CREATE SCHEMA sales",
        "CREATE TABLE sales.orders (id bigint, total numeric)",
        "INSERT INTO sales.orders SELECT n, n * 1.5 FROM generate_series(1, 50) n",
    )
    collected = collect(name)
    assert collected.missing == ()
    (database,) = collected.summary["databases"]
    assert database["odoo"] is None
    assert database["tables"] == 2
    rows = stats_rows(collected, name)
    ((size, items_size, orders_size),) = query(
        name,
        "SELECT pg_database_size(current_database()), pg_table_size('items'), "
        "pg_table_size('sales.orders')",
    )
    assert row(rows, "database", name)["size_bytes"] == database["size_bytes"] == size
    items = row(rows, "table", "items")
    assert (items["size_bytes"], items["row_count"], items["row_count_exact"]) == (
        items_size,
        1234,
        True,
    )
    orders = row(rows, "table", "sales.orders")  # outside public: schema-qualified
    assert (orders["size_bytes"], orders["row_count"]) == (orders_size, 50)
    assert {r["tenant"] for r in rows} == {None}


def test_unused_indexes_are_listed_with_their_size(scratch_database: Make) -> None:
    name = scratch_database(
        "CREATE TABLE items (id int PRIMARY KEY, code text, label text)",
        "INSERT INTO items SELECT n, 'c' || n, 'l' || n FROM generate_series(1, 5000) n",
        "CREATE INDEX items_code ON items (code)",
        "CREATE INDEX items_label ON items (label)",
        "ANALYZE items",
    )
    with psycopg.connect(url_of(name), autocommit=True) as session:
        session.execute("SET enable_seqscan = off")
        session.execute("SELECT * FROM items WHERE code = 'c42'").fetchall()
        session.execute("SELECT pg_stat_force_next_flush()")
    ((label_size,),) = query(name, "SELECT pg_relation_size('items_label')")
    (database,) = collect(name).summary["databases"]
    # items_code was scanned; the primary key was not, but it enforces uniqueness.
    assert database["unused_indexes"] == [
        {"name": "items_label", "table": "items", "size_bytes": label_size}
    ]
    assert database["unused_index_bytes"] == label_size
    rows = stats_rows(collect(name), name)
    assert row(rows, "constraint_index", "items_pkey")["index_scans"] == 0
    assert row(rows, "index", "items_code")["index_scans"] >= 1


def test_bloat_is_the_empty_part_of_the_heap(scratch_database: Make) -> None:
    name = scratch_database(
        "CREATE TABLE ledger (id int, amount bigint, memo char(40)) "
        "WITH (autovacuum_enabled = false)",
        "INSERT INTO ledger SELECT n, n, 'memo' FROM generate_series(1, 100000) n",
        "VACUUM ANALYZE ledger",
        "CREATE TABLE fresh (id int) WITH (autovacuum_enabled = false)",
        "INSERT INTO fresh SELECT generate_series(1, 100)",
    )
    ((heap,),) = query(name, "SELECT pg_relation_size('ledger')")
    packed = row(stats_rows(collect(name), name), "table", "ledger")["bloat_bytes"]
    assert 0 <= packed < 0.1 * heap
    assert row(stats_rows(collect(name), name), "table", "fresh")["bloat_bytes"] is None

    execute(name, "DELETE FROM ledger WHERE id % 10 <> 0", "VACUUM ANALYZE ledger")
    ((after,),) = query(name, "SELECT pg_relation_size('ledger')")
    assert after == heap  # vacuum frees the space inside the file, it does not shrink it
    bloat = row(stats_rows(collect(name), name), "table", "ledger")["bloat_bytes"]
    assert 0.8 * heap < bloat < 0.95 * heap


def test_idle_connections_need_pg_read_all_stats(
    scratch_database: Make, role: Callable[..., str]
) -> None:
    name = scratch_database()
    watcher = role(read_all_stats=True)
    blind = role(read_all_stats=False)
    with psycopg.connect(url_of(name), autocommit=True) as idle:
        idle.execute("SELECT 1")
        (seen,) = collect(name, user=watcher).summary["databases"]
        (unseen,) = collect(name, user=blind).summary["databases"]
    assert (seen["connections"], seen["idle_connections"]) == (1, 1)
    # Without the role another role's session hides its type and state: nothing is counted.
    assert (unseen["connections"], unseen["idle_connections"]) == (0, 0)


def test_growth_since_the_previous_snapshot(
    cli: Run, tmp_path: Path, scratch_database: Make
) -> None:
    name = scratch_database("CREATE TABLE events (id int, payload text)")
    args = ["--home", str(tmp_path), "collect", "postgres", "--dsn", url_of("test")]
    args += ["--database", name, "--server", "pg-test", "-o", "json"]
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    (before,) = json.loads(first.stdout)["databases"]
    assert before["growth"] is None  # nothing to compare with yet

    execute(name, "INSERT INTO events SELECT n, repeat('x', 200) FROM generate_series(1, 20000) n")
    time.sleep(0.01)
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    document = json.loads(second.stdout)
    (after,) = document["databases"]
    assert after["size_bytes"] > before["size_bytes"]
    assert after["growth"]["since"] == json.loads(first.stdout)["taken_at"]
    assert after["growth"]["previous_bytes"] == before["size_bytes"]
    assert after["growth"]["bytes"] == after["size_bytes"] - before["size_bytes"]


def test_which_databases_are_read() -> None:
    def listed(name: str, connectable: bool) -> ServerDatabase:
        return ServerDatabase(name, connectable, Activity())

    server = {
        d.name: d
        for d in (
            listed("shop_prod", True),
            listed("locked_prod", False),
            listed("other_team", False),
            listed("postgres", True),
        )
    }
    everything = PostgresRequest(
        dsn=parse_dsn(url_of("test")),
        signals_since=dt.date(2025, 1, 1),
        tenants={"locked_prod": ("acme", "production"), "gone_prod": ("acme", "staging")},
    )
    missing: list[str] = []
    chosen = [(d.name, asked) for d, asked in targets(everything, server, missing)]
    # Every database the role may connect to, and the catalog's even when it may not
    # (reading it then reports the refusal); others it may not connect to are not its business.
    assert chosen == [("shop_prod", False), ("locked_prod", True), ("postgres", False)]
    assert missing == []

    named = PostgresRequest(
        dsn=parse_dsn(url_of("test")),
        signals_since=dt.date(2025, 1, 1),
        databases=("other_team", "nowhere"),
    )
    chosen = [(d.name, asked) for d, asked in targets(named, server, missing)]
    assert chosen == [("other_team", True)]
    assert missing == ["database nowhere: does not exist on the server"]
