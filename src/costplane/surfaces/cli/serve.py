"""`costplane serve`: the REST API (and the dashboard) over the project, on uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from costplane.service import ClusterAccess, Project
from costplane.surfaces.cli.act import CONTEXT, IN_CLUSTER, KUBECONFIG
from costplane.surfaces.cli.output import console
from costplane.surfaces.cli.project import project_of
from costplane.surfaces.server import API, ObjectSource, create_app

HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every one).")
PORT = typer.Option(8080, "--port", min=1, max=65535, help="TCP port.")


def serve(
    ctx: typer.Context,
    host: str = HOST,
    port: int = PORT,
    manifests: Path | None = typer.Option(
        None,
        "--manifests",
        file_okay=False,
        exists=True,
        help="Action plans read objects from this directory of manifests, not the cluster.",
    ),
    kubeconfig: Path | None = KUBECONFIG,
    context: str | None = CONTEXT,
    in_cluster: bool = IN_CLUSTER,
) -> None:
    """Serve the REST API at /api/v1 (OpenAPI at /api/v1/openapi.json), health checks at
    /healthz and /readyz and Prometheus metrics at /metrics, until interrupted. Every API
    request needs a token (`costplane token create`); put TLS in front with a reverse proxy
    (docs/serving.md). Action plans are dry runs, against --manifests or the cluster."""
    cluster = ClusterAccess(kubeconfig=kubeconfig, context=context, in_cluster=in_cluster)
    run_server(project_of(ctx), host, port, ObjectSource(manifests, cluster))


def run_server(project: Project, host: str, port: int, objects: ObjectSource | None = None) -> None:
    app = create_app(project, objects, warm=True)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"serving {project.settings.home.resolve()} at http://{shown}:{port}/ (the dashboard; "
        f"API: {API}, OpenAPI: {API}/openapi.json); Ctrl+C stops",
        markup=False,
        soft_wrap=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
