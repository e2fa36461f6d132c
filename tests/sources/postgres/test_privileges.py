"""Least privilege, for real: roles made here, with exactly the documented grants."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from costplane.sources.collector import Collected
from costplane.sources.postgres import (
    PostgresRequest,
    collect_postgres,
    odoo_grants,
    parse_dsn,
    server_grants,
)
from tests.conftest import Run
from tests.sources.postgres.conftest import execute, query, url_of

pytestmark = pytest.mark.postgres

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sources" / "postgres.md"


def collect(database: str, user: str) -> Collected:
    request = PostgresRequest(
        dsn=parse_dsn(url_of("test", user, "s3cret-pw")),
        signals_since=dt.date(2000, 1, 1),
        databases=(database,),
    )
    return collect_postgres(request, lambda server: {})


def test_pg_read_all_stats_and_connect_read_a_plain_database(
    scratch_database: Callable[..., str], role: Callable[..., str]
) -> None:
    name = scratch_database(
        "CREATE TABLE items (id int PRIMARY KEY, label text)",
        "INSERT INTO items SELECT n, 'x' FROM generate_series(1, 100) n",
    )
    execute(name, f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    reader = role(granted_in=[name])
    for statement in server_grants(reader, [name]):
        execute("test", statement)
    collected = collect(name, reader)
    assert collected.missing == ()
    (database,) = collected.summary["databases"]
    ((size,),) = query(name, "SELECT pg_database_size(current_database())")
    assert database["size_bytes"] == size
    assert database["tables"] == 1
    assert database["odoo"] is None


def test_odoo_figures_need_the_column_grants_and_nothing_more(
    odoo_database: str, role: Callable[..., str]
) -> None:
    admin = collect(odoo_database, "postgres")
    reader = role(granted_in=[odoo_database])

    bare = collect(odoo_database, reader)
    (database,) = bare.summary["databases"]
    assert database["size_bytes"] == admin.summary["databases"][0]["size_bytes"]
    assert database["tables"] == admin.summary["databases"][0]["tables"]
    missed = "\n".join(bare.missing)
    for part in ("Odoo modules", "Odoo attachments", "rows of stock_move", "failed mail"):
        assert f"database {odoo_database}: {part}" in missed
    assert "permission denied" in missed

    present = [name for (name,) in query(odoo_database, "SELECT tablename FROM pg_tables")]
    for statement in odoo_grants(reader, present):
        execute(odoo_database, statement)
    granted = collect(odoo_database, reader)
    assert granted.missing == ()
    # The same figures as a superuser's, db_datas included (derived from file_size).
    assert granted.summary["databases"][0]["odoo"] == admin.summary["databases"][0]["odoo"]


def test_the_documented_grants_are_the_tested_ones() -> None:
    text = DOCS.read_text()
    for statement in server_grants("costplane_collector", ["tenant_db"]):
        assert statement in text
    for statement in odoo_grants("costplane_collector"):
        assert statement in text


def test_a_denied_database_is_missing_and_the_rest_is_read(
    cli: Run, tmp_path: Path, scratch_database: Callable[..., str], role: Callable[..., str]
) -> None:
    readable = scratch_database()
    denied = scratch_database()
    execute(denied, f'REVOKE CONNECT ON DATABASE "{denied}" FROM PUBLIC')
    reader = role()
    dsn = url_of("test", reader, "s3cret-pw")
    result = cli(
        "--home",
        str(tmp_path),
        "collect",
        "postgres",
        "--dsn",
        dsn,
        "--database",
        readable,
        "--database",
        denied,
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["partial"] is True
    assert [d["name"] for d in document["databases"]] == [readable]
    (missing,) = document["missing"]
    assert missing.startswith(f"database {denied}: permission denied for database")
    assert "could not read" in result.stderr
    assert "s3cret-pw" not in result.stdout + result.stderr
    status = cli("--home", str(tmp_path), "sources", "status", "-o", "json")
    (entry,) = json.loads(status.stdout)
    assert entry["source"] == "postgres"
    assert entry["status"] == "partial"
    assert entry["target"] == f"postgresql://{reader}:***@{re.sub('.*@', '', url_of('test'))}"
