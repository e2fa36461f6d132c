"""The Odoo figures against the real Odoo 18 database: each compared with what plain SQL
on that database says, computed here independently of the collector's own queries."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from costplane.sources.collector import Collected
from costplane.sources.postgres import PostgresRequest, collect_postgres, parse_dsn
from costplane.sources.postgres.odoo import COUNTED_TABLES
from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.postgres.conftest import CUSTOM_MODULES, query, url_of, write_catalog

pytestmark = pytest.mark.postgres

SINCE = dt.date(2000, 1, 1)


def collect(database: str) -> Collected:
    request = PostgresRequest(
        dsn=parse_dsn(url_of("test")), signals_since=SINCE, databases=(database,)
    )
    return collect_postgres(request, lambda server: {})


@pytest.fixture(scope="module")
def collected(odoo_database: str) -> Collected:
    return collect(odoo_database)


def odoo_of(collected: Collected) -> dict[str, Any]:
    (database,) = collected.summary["databases"]
    odoo: dict[str, Any] = database["odoo"]
    return odoo


def test_the_run_reads_everything_and_the_size_is_the_servers(
    collected: Collected, odoo_database: str
) -> None:
    assert collected.missing == ()
    (database,) = collected.summary["databases"]
    ((size,),) = query(odoo_database, "SELECT pg_database_size(current_database())")
    assert database["name"] == odoo_database
    assert database["size_bytes"] == size
    assert odoo_of(collected)["version"].startswith("18.0")


def test_installed_and_custom_modules(collected: Collected, odoo_database: str) -> None:
    ((installed,),) = query(
        odoo_database,
        "SELECT count(*) FROM ir_module_module "
        "WHERE state IN ('installed', 'to upgrade', 'to remove')",
    )
    odoo = odoo_of(collected)
    assert odoo["modules_installed"] == installed
    assert installed > 60  # sale_stock, purchase_stock and their dependencies, and the scenario's
    # Every module the installer put in is Odoo's own (SOURCE.md); the Enterprise one and
    # the uninstalled custom one are not custom installed modules.
    assert set(odoo["custom_module_names"]) == CUSTOM_MODULES
    assert odoo["custom_modules"] == len(CUSTOM_MODULES)


def test_attachments_per_model(collected: Collected, odoo_database: str) -> None:
    counted = query(
        odoo_database,
        "SELECT res_model, count(*), coalesce(sum(file_size), 0), "
        "coalesce(sum(octet_length(db_datas)), 0) FROM ir_attachment GROUP BY res_model",
    )
    files = dict(
        query(
            odoo_database,
            "SELECT res_model, sum(file_size) FROM ("
            "  SELECT DISTINCT ON (res_model, checksum) res_model, file_size FROM ir_attachment"
            "  WHERE store_fname IS NOT NULL ORDER BY res_model, checksum) f GROUP BY res_model",
        )
    )
    expected = {
        model: {
            "res_model": model,
            "count": count,
            "logical_bytes": logical,
            "physical_bytes": files.get(model, 0),
            "db_bytes": in_db,
        }
        for model, count, logical, in_db in counted
    }
    found = {a["res_model"]: a for a in odoo_of(collected)["attachments"]}
    assert found == expected
    # What the scenario put there, as a person would check it:
    assert found["edi.message"]["db_bytes"] == 3001 + 3002 + 3003
    assert found["edi.message"]["physical_bytes"] == 0
    partner = found["res.partner"]  # 200 demo avatars, 55 distinct files
    assert partner["physical_bytes"] < partner["logical_bytes"]


def test_the_file_store_keeps_a_shared_file_once(collected: Collected, odoo_database: str) -> None:
    ((stored, logical, count),) = query(
        odoo_database,
        "SELECT (SELECT sum(file_size) FROM (SELECT DISTINCT ON (checksum) file_size "
        "FROM ir_attachment WHERE store_fname IS NOT NULL ORDER BY checksum) f), "
        "sum(file_size), count(*) FROM ir_attachment",
    )
    odoo = odoo_of(collected)
    store = odoo["attachment_store"]
    assert store == {
        "count": count,
        "logical_bytes": logical,
        "physical_bytes": stored,
        "db_bytes": 3001 + 3002 + 3003,
    }
    # sale.order's two files are product.template's: each model counts them, the store once.
    per_model = sum(a["physical_bytes"] for a in odoo["attachments"])
    sale_order = next(a for a in odoo["attachments"] if a["res_model"] == "sale.order")
    assert per_model - stored == sale_order["physical_bytes"] > 0


def test_rows_of_the_tables_that_grow(collected: Collected, odoo_database: str) -> None:
    present = {
        name
        for (name,) in query(
            odoo_database,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            f"AND tablename IN ({', '.join(repr(t) for t in COUNTED_TABLES)})",
        )
    }
    assert present == set(COUNTED_TABLES)  # queue_job is the scenario's
    odoo = odoo_of(collected)
    assert odoo["table_rows"] == {
        table: query(odoo_database, f"SELECT count(*) FROM {table}")[0][0] for table in present
    }
    for table in present - {"mail_followers"}:  # mail_followers has no create_date
        months = query(
            odoo_database,
            f"SELECT to_char(create_date, 'YYYY-MM'), count(*) FROM {table} "
            "WHERE create_date IS NOT NULL GROUP BY 1",
        )
        assert odoo["rows_added"][table] == dict(months), table
    assert "mail_followers" not in odoo["rows_added"]
    assert odoo["rows_added"]["queue_job"] == {"2026-09": 1, "2026-10": 3}


def test_failed_mail_and_jobs(collected: Collected, odoo_database: str) -> None:
    ((failed_mail,),) = query(
        odoo_database, "SELECT count(*) FROM mail_mail WHERE state = 'exception'"
    )
    odoo = odoo_of(collected)
    assert odoo["failed_mail"] == failed_mail > 0
    assert odoo["failed_jobs"] == 2


def expected_signals(database: str) -> dict[tuple[dt.date, str], int]:
    found: dict[tuple[dt.date, str], int] = {}
    for signal, text in (
        (
            "orders_confirmed",
            "SELECT date_order::date, count(*) FROM sale_order WHERE state = 'sale' GROUP BY 1",
        ),
        (
            "pickings_done",
            "SELECT date_done::date, count(*) FROM stock_picking WHERE state = 'done' GROUP BY 1",
        ),
        (
            "invoices_posted",
            "SELECT invoice_date, count(*) FROM account_move "
            "WHERE state = 'posted' AND move_type = 'out_invoice' GROUP BY 1",
        ),
    ):
        found |= {(day, signal): n for day, n in query(database, text)}
    return found


def test_the_cli_loads_snapshot_and_signals_tied_to_the_tenant(
    cli: Run, tmp_path: Path, odoo_database: str
) -> None:
    home = tmp_path / "home"
    write_catalog(home, {"acme": {"production": [odoo_database]}})
    args = ["--home", str(home), "collect", "postgres", "--dsn", url_of("test")]
    args += ["--database", odoo_database, "--signals-since", "2000-01-01", "-o", "json"]
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    document = json.loads(first.stdout)
    assert document["partial"] is False
    (database,) = document["databases"]
    assert (database["tenant"], database["environment"]) == ("acme", "production")
    assert {"name", "size_bytes", "odoo"} <= database.keys()
    assert {"modules_installed", "custom_modules", "attachments", "table_rows", "failed_mail"} <= (
        database["odoo"].keys()
    )
    for attachment in database["odoo"]["attachments"]:
        assert set(attachment) == {
            "res_model",
            "count",
            "logical_bytes",
            "physical_bytes",
            "db_bytes",
        }

    again = cli(*args)  # the same months again: replaced, not added
    assert again.exit_code == 0, again.stderr
    with connect_warehouse(f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}") as warehouse:
        signals = warehouse.table("business_signals").to_pyarrow().to_pylist()
        stats = warehouse.table("database_stats").to_pyarrow().to_pylist()
    assert {(r["day"], r["signal"]): r["count"] for r in signals} == expected_signals(odoo_database)
    assert len(signals) == len(expected_signals(odoo_database))
    assert {(r["tenant"], r["environment"]) for r in signals} == {("acme", "production")}
    assert any(r["signal"] == "pickings_done" for r in signals)  # the scenario's

    latest = max(r["taken_at"] for r in stats)
    rows = [r for r in stats if r["taken_at"] == latest]
    assert {(r["tenant"], r["environment"]) for r in rows} == {("acme", "production")}
    kinds = {r["relation_kind"] for r in rows}
    assert {"database", "table", "index", "constraint_index", "module", "custom_module"} <= kinds
    assert {"attachments", "attachment_store", "odoo_table", "odoo_rows_added"} <= kinds
    assert {"failed_mail", "failed_jobs"} <= kinds
    custom = {r["relation"] for r in rows if r["relation_kind"] == "custom_module"}
    assert custom == CUSTOM_MODULES
    partner = next(
        r for r in rows if r["relation_kind"] == "attachments" and r["relation"] == "res.partner"
    )
    in_json = next(a for a in database["odoo"]["attachments"] if a["res_model"] == "res.partner")
    assert (partner["row_count"], partner["logical_bytes"], partner["size_bytes"]) == (
        in_json["count"],
        in_json["logical_bytes"],
        in_json["physical_bytes"],
    )
    (db_row,) = [r for r in rows if r["relation_kind"] == "database"]
    growth = json.loads(again.stdout)["databases"][0]["growth"]
    assert growth["previous_bytes"] == database["size_bytes"]
    assert growth["bytes"] == db_row["size_bytes"] - database["size_bytes"]


def signal_months(collected: Collected) -> dict[dt.datetime, list[dict[str, Any]]]:
    return {
        load.period_start: load.data.to_pylist()
        for load in collected.loads
        if load.table == "business_signals"
    }


def test_a_since_in_mid_month_still_reads_that_month_whole(
    collected: Collected, odoo_database: str
) -> None:
    """Each month is one load that replaces the month: reading it from the 15th on
    would drop its first two weeks from the warehouse."""
    full = signal_months(collected)
    early = [start for start, rows in full.items() if any(r["day"].day < 15 for r in rows)]
    assert early, "the dump has signals in the first half of some month"
    month = early[-1]
    request = PostgresRequest(
        dsn=parse_dsn(url_of("test")),
        signals_since=month.date().replace(day=15),
        databases=(odoo_database,),
    )
    again = signal_months(collect_postgres(request, lambda server: {}))
    assert min(again) == month
    assert again[month] == full[month]
