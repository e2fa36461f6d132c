"""`costplane collect backups`: pgBackRest, Velero and an S3 bucket into `backup_records`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from costplane.sources.backups import (
    BackupSources,
    BucketSource,
    PgBackRestSource,
    TenantIndex,
    collect_backups,
    parse_stanza_tenant,
)
from costplane.surfaces.cli.collect import app, run_collector
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of

SYSTEM_COLUMNS = [
    Column("system"),
    Column("target"),
    Column("status"),
    Column("records", numeric=True),
    Column("error"),
]
TENANT_COLUMNS = [
    Column("tenant"),
    Column("newest_backup_at", "newest backup"),
    Column("backup_id", "backup"),
    Column("size_bytes", "bytes", numeric=True),
    Column("location"),
    Column("systems"),
]


@app.command("backups")
def backups(
    ctx: typer.Context,
    pgbackrest_info: Path | None = typer.Option(
        None,
        "--pgbackrest-info",
        exists=True,
        dir_okay=False,
        metavar="FILE",
        help="A saved `pgbackrest info --output=json`.",
    ),
    pgbackrest_config: Path | None = typer.Option(
        None,
        "--pgbackrest-config",
        exists=True,
        dir_okay=False,
        metavar="FILE",
        help="A pgbackrest.conf: runs `pgbackrest info --output=json` with it (or, with "
        "--pgbackrest-info, only says where the repositories are).",
    ),
    stanza_tenant: list[str] = typer.Option(
        [],
        "--stanza-tenant",
        metavar="STANZA=TENANT[/ENVIRONMENT]",
        help="Tie a stanza to a tenant when its name is not a catalog database, namespace "
        "or tenant id; repeatable.",
    ),
    s3_bucket: str | None = typer.Option(
        None, "--s3-bucket", metavar="BUCKET", help="List this bucket through the S3 API."
    ),
    s3_endpoint: str | None = typer.Option(
        None,
        "--s3-endpoint",
        metavar="URL",
        help="An S3-compatible endpoint (default: AWS).",
    ),
    s3_prefix: str = typer.Option(
        "",
        "--s3-prefix",
        metavar="PREFIX",
        help="List under this prefix; the next path segment names the tenant.",
    ),
    s3_region: str | None = typer.Option(
        None, "--s3-region", metavar="REGION", help="The bucket's region, when boto3 needs it."
    ),
    velero: bool = typer.Option(
        False, "--velero", help="Velero Backups from the latest Kubernetes inventory."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """List backups per tenant: newest backup, its size and location, and which systems list it.

    Credentials for S3 come from boto3's usual chain (AWS_* variables, ~/.aws, a role)."""
    project = project_of(ctx)
    catalog = project.catalog()
    tenants = TenantIndex(catalog)
    mapping = dict(parse_stanza_tenant(text, tenants) for text in stanza_tenant)
    pgbackrest = (
        PgBackRestSource(pgbackrest_info, pgbackrest_config, mapping)
        if pgbackrest_info or pgbackrest_config
        else None
    )
    bucket = BucketSource(s3_bucket, s3_endpoint, s3_prefix, s3_region) if s3_bucket else None
    sources = BackupSources(pgbackrest, bucket, project.warehouse if velero else None)
    run_collector(
        project,
        "backups",
        sources.target,
        lambda: collect_backups(sources, catalog),
        output,
        _table,
    )


def _table(summary: dict[str, Any]) -> None:
    render(summary["systems"], SYSTEM_COLUMNS, OutputFormat.TABLE, title="backup systems")
    rows = [{**t, "systems": " ".join(t["systems"])} for t in summary["tenants"]]
    render(rows, TENANT_COLUMNS, OutputFormat.TABLE, title="newest backup per tenant")
