"""`costplane render tenant`: a tenant's environments from its class, as GitOps manifests."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from costplane.catalog import EnvironmentKind
from costplane.service import RenderFormat, RenderRequest, render_tenant
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Render Kubernetes manifests from the catalog's service classes.")


class EnvironmentChoice(enum.StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
    DR = "dr"
    ALL = "all"


COLUMNS = [
    Column("environment"),
    Column("namespace"),
    Column("objects", numeric=True),
    Column("web_replicas", "web pods", numeric=True),
    Column("web_max_replicas", "max pods", numeric=True),
    Column("workers", "workers/pod", numeric=True),
    Column("web_cpu", "cpu/pod"),
    Column("web_memory", "memory/pod"),
]


@app.command("tenant")
def tenant(
    ctx: typer.Context,
    tenant_id: str = typer.Argument(..., metavar="TENANT", help="A catalog tenant id."),
    environment: EnvironmentChoice = typer.Option(
        EnvironmentChoice.ALL, "--environment", help="One environment, or all the tenant has."
    ),
    out: Path = typer.Option(
        ..., "--out", metavar="DIR", file_okay=False, help="Directory to write the manifests to."
    ),
    fmt: RenderFormat = typer.Option(
        RenderFormat.KUSTOMIZE,
        "--format",
        help="kustomize: base/, overlays/<env>/, backups/; plain: one <env>.yaml per environment.",
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Write the tenant's environments as its class entitles them: namespace, quota, Odoo
    workloads sized by Odoo's worker model, ingress, isolation, sleep and backups.
    Deterministic: the same catalog gives the same bytes."""
    chosen = None if environment is EnvironmentChoice.ALL else EnvironmentKind(environment.value)
    request = RenderRequest(tenant=tenant_id, out=out, environment=chosen, format=fmt)
    rendered = render_tenant(project_of(ctx), request)
    if output is OutputFormat.JSON:
        emit_json(rendered)
        return
    rows = [summary.__dict__ for summary in rendered.environments]
    render(
        rows,
        COLUMNS,
        output,
        title=f"{rendered.tenant} ({rendered.service_class}): {len(rendered.files)} files in "
        f"{rendered.out}",
    )
