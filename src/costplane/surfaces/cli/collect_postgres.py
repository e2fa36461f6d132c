"""`costplane collect postgres`: sizes, growth, bloat and Odoo's figures per database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import typer

from costplane.catalog import Catalog
from costplane.retries import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS
from costplane.service import Project
from costplane.sources.postgres import (
    PostgresRequest,
    Snapshot,
    Timeouts,
    collect_postgres,
    parse_dsn,
    previous_sizes,
)
from costplane.surfaces.cli.collect import REPLACE_HELP, app, run_collector
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of

SIGNAL_MONTHS = 12


@app.command("postgres")
def postgres(
    ctx: typer.Context,
    dsn: str = typer.Option(
        ...,
        "--dsn",
        envvar="COSTPLANE_POSTGRES_DSN",
        show_envvar=True,
        metavar="DSN",
        help="postgresql://user@host:port/database (or host=... dbname=...); its database is "
        "the one the server's list is read from. Shown masked, never with its password.",
    ),
    server: str | None = typer.Option(
        None, "--server", metavar="NAME", help="The server's name in the warehouse (host:port)."
    ),
    database: list[str] = typer.Option(
        [],
        "--database",
        metavar="NAME",
        help="Read only this database (repeatable); default: every database the role may "
        "connect to.",
    ),
    signals_since: dt.datetime | None = typer.Option(
        None,
        "--signals-since",
        formats=["%Y-%m-%d"],
        help=f"First day of Odoo business signals to load (default: {SIGNAL_MONTHS} months "
        "before this month).",
    ),
    connect_timeout: float = typer.Option(
        CONNECT_TIMEOUT_SECONDS,
        "--connect-timeout",
        min=1,
        help="Seconds to wait for a connection.",
    ),
    statement_timeout: float = typer.Option(
        READ_TIMEOUT_SECONDS, "--statement-timeout", min=1, help="Seconds any one query may take."
    ),
    replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Read a PostgreSQL server's databases (read-only): sizes, growth, bloat, unused indexes,
    idle connections, and for Odoo its modules, attachments, busy tables and business volume."""
    project = project_of(ctx)
    parsed = parse_dsn(dsn)
    request = PostgresRequest(
        dsn=parsed,
        signals_since=signals_since.date() if signals_since else default_signals_since(),
        server=server,
        databases=tuple(database),
        tenants=database_tenants(_catalog(project)),
        timeouts=Timeouts(connect_timeout, statement_timeout),
    )

    def previous(name: str) -> Mapping[str, Snapshot]:
        with project.warehouse() as warehouse:
            return previous_sizes(warehouse, name)

    run_collector(
        project,
        "postgres",
        parsed.shown,
        lambda: collect_postgres(request, previous),
        output,
        print_tables,
        allow_shrink=replace,
    )


def default_signals_since(today: dt.date | None = None) -> dt.date:
    """The first day of the month SIGNAL_MONTHS months before this one."""
    today = today or dt.datetime.now(dt.UTC).date()
    months = today.year * 12 + today.month - 1 - SIGNAL_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def _catalog(project: Project) -> Catalog | None:
    """The project's catalog when it has one: without it databases have no tenant."""
    return project.catalog() if project.settings.catalog_path.exists() else None


def database_tenants(catalog: Catalog | None) -> dict[str, tuple[str, str]]:
    """Database name -> (tenant, environment), from the tenants' environments."""
    if catalog is None:
        return {}
    return {
        name: (tenant.id, kind.value)
        for tenant in catalog.tenants
        for kind, environment in tenant.environments.items()
        for name in environment.databases
    }


DATABASE_COLUMNS = [
    Column("name", "database"),
    Column("tenant"),
    Column("environment"),
    Column("size", "size (bytes)", numeric=True),
    Column("growth", "growth (bytes)", numeric=True),
    Column("tables", numeric=True),
    Column("bloat", "bloat (bytes)", numeric=True),
    Column("unused_indexes", "unused indexes", numeric=True),
    Column("connections", "connections (idle)", numeric=True),
    Column("modules", "Odoo modules (custom)", numeric=True),
    Column("attachments", "attachment files (bytes)", numeric=True),
    Column("failed_mail", "failed mail", numeric=True),
]

ATTACHMENT_COLUMNS = [
    Column("database"),
    Column("res_model"),
    Column("count", numeric=True),
    Column("logical", numeric=True),
    Column("physical", numeric=True),
    Column("in_database", "in database", numeric=True),
]


def print_tables(summary: dict[str, Any]) -> None:
    databases = summary["databases"]
    render(
        [_database_row(d) for d in databases],
        DATABASE_COLUMNS,
        OutputFormat.TABLE,
        title=f"PostgreSQL {summary['server']}",
    )
    attachments = [
        _attachment_row(d["name"], a)
        for d in databases
        if d["odoo"] is not None
        for a in d["odoo"]["attachments"]
    ]
    if attachments:
        render(attachments, ATTACHMENT_COLUMNS, OutputFormat.TABLE, title="Odoo attachments")


def _database_row(database: dict[str, Any]) -> dict[str, Any]:
    odoo = database["odoo"]
    growth = database["growth"]
    unused = database["unused_indexes"]
    return {
        "name": database["name"],
        "tenant": database["tenant"],
        "environment": database["environment"],
        "size": database["size_bytes"],
        "growth": None if growth is None else growth["bytes"],
        "tables": database["tables"],
        "bloat": database["bloat_bytes"],
        "unused_indexes": f"{len(unused)} ({database['unused_index_bytes']:,} B)",
        "connections": f"{database['connections']} ({database['idle_connections']})",
        "modules": None
        if odoo is None
        else f"{odoo['modules_installed']} ({odoo['custom_modules']})",
        "attachments": None
        if odoo is None or odoo["attachment_store"] is None
        else odoo["attachment_store"]["physical_bytes"],
        "failed_mail": None if odoo is None else odoo["failed_mail"],
    }


def _attachment_row(database: str, attachment: dict[str, Any]) -> dict[str, Any]:
    return {
        "database": database,
        "res_model": attachment["res_model"] or "(none)",
        "count": attachment["count"],
        "logical": attachment["logical_bytes"],
        "physical": attachment["physical_bytes"],
        "in_database": attachment["db_bytes"],
    }
