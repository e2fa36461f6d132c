"""`costplane collect redis`: a Redis server's memory, limits and evictions, per tenant."""

from __future__ import annotations

from typing import Any

import typer

from costplane.catalog import Catalog
from costplane.masked_url import masked_url
from costplane.service import Project
from costplane.sources.redis import (
    MAX_KEYS,
    MAX_SECONDS,
    RedisRequest,
    check_url,
    collect_redis,
)
from costplane.surfaces.cli.collect import app, run_collector
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of


@app.command("redis")
def redis_command(
    ctx: typer.Context,
    url: str = typer.Option(
        ...,
        "--url",
        envvar="COSTPLANE_REDIS_URL",
        show_envvar=True,
        metavar="URL",
        help="redis://[user:password@]host:port/db (rediss:// for TLS); the tenant split reads "
        "that database. Shown masked, never with its password.",
    ),
    server: str | None = typer.Option(
        None,
        "--server",
        metavar="NAME",
        help="The server's name in the warehouse (default host:port, plus /db when not 0).",
    ),
    max_keys: int = typer.Option(
        MAX_KEYS, "--max-keys", min=1, help="Stop sampling after this many keys."
    ),
    max_seconds: float = typer.Option(
        MAX_SECONDS, "--max-seconds", min=0.001, help="Stop sampling after this many seconds."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Read INFO (memory, maxmemory and policy, evicted and expired keys) and the memory of
    each tenant's keys (the catalog's redis.tenant_key_pattern), sampled with SCAN and
    MEMORY USAGE within --max-keys and --max-seconds and extrapolated."""
    check_url(url)
    project = project_of(ctx)
    catalog = _catalog(project)
    request = RedisRequest(
        url=url,
        tenants=tuple(t.id for t in catalog.tenants) if catalog else (),
        key_pattern=catalog.redis.tenant_key_pattern if catalog else "{tenant}:*",
        server=server,
        max_keys=max_keys,
        max_seconds=max_seconds,
    )
    run_collector(
        project, "redis", masked_url(url), lambda: collect_redis(request), output, print_tables
    )


def _catalog(project: Project) -> Catalog | None:
    """The project's catalog when it has one: without it no key is a tenant's."""
    return project.catalog() if project.settings.catalog_path.exists() else None


SERVER_COLUMNS = [
    Column("server"),
    Column("used_memory", "used memory (bytes)", numeric=True),
    Column("maxmemory", "maxmemory (bytes)", numeric=True),
    Column("maxmemory_policy", "policy"),
    Column("evicted_keys", "evicted keys", numeric=True),
    Column("expired_keys", "expired keys", numeric=True),
    Column("keys", numeric=True),
    Column("sampled", numeric=True),
]

TENANT_COLUMNS = [
    Column("tenant"),
    Column("keys", numeric=True),
    Column("memory_bytes", "memory (bytes)", numeric=True),
    Column("sampled_fraction", "sampled", numeric=True),
]


def print_tables(summary: dict[str, Any]) -> None:
    fraction = summary["sampled_fraction"]
    server = {**summary, "sampled": None if fraction is None else f"{fraction:.1%}"}
    render([server], SERVER_COLUMNS, OutputFormat.TABLE, title=f"Redis {summary['server']}")
    tenants = [
        {**t, "sampled_fraction": f"{t['sampled_fraction']:.1%}"} for t in summary["tenants"]
    ]
    if summary["unattributed"] and summary["unattributed"]["keys"]:
        tenants.append({"tenant": "(no tenant)", **summary["unattributed"]})
    render(tenants, TENANT_COLUMNS, OutputFormat.TABLE, title="memory per tenant (estimated)")
