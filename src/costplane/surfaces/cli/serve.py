"""`costplane serve`: the REST API (and the dashboard) over the project, on uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from costplane.service import Project
from costplane.surfaces.cli.output import console
from costplane.surfaces.cli.project import project_of
from costplane.surfaces.server import API, create_app

HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every one).")
PORT = typer.Option(8080, "--port", min=1, max=65535, help="TCP port.")


def serve(ctx: typer.Context, host: str = HOST, port: int = PORT) -> None:
    """Serve the REST API at /api/v1 (OpenAPI at /api/v1/openapi.json) and health checks at
    /healthz and /readyz, until interrupted. Every API request needs a token (`costplane
    token create`); put TLS in front with a reverse proxy (docs/serving.md)."""
    run_server(project_of(ctx), host, port)


def run_server(project: Project, host: str, port: int) -> None:
    app = create_app(project)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"serving {project.settings.home.resolve()} at http://{shown}:{port}/ "
        f"(API: {API}, OpenAPI: {API}/openapi.json); Ctrl+C stops",
        markup=False,
        soft_wrap=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
