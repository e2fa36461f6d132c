"""The dashboard: server-rendered pages over the same service operations as the CLI and
the API, every asset served from this package (no CDN, no script), see docs/dashboard.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.exceptions import HTTPException

from costplane.service import Project
from costplane.surfaces.web.forms import FormKey
from costplane.surfaces.web.pages import dashboard, page_errors
from costplane.surfaces.web.session import COOKIE, Sessions
from costplane.surfaces.web.signed_in import token_viewers
from costplane.surfaces.web.viewer import Identify, Viewer

if TYPE_CHECKING:  # the server imports this package: its cache is only named here
    from costplane.surfaces.server.report_cache import ReportCache

__all__ = ["COOKIE", "Identify", "Viewer", "install_dashboard", "token_viewers"]


def install_dashboard(
    app: FastAPI, project: Project, identify: Identify, reports: ReportCache | None = None
) -> None:
    """Serve the pages at `/` from `app`: `identify` turns a session's token into its viewer
    (the server's tokens and access rules decide; the pages only ask); `reports` keeps the
    costliest parts of a page per data version, as the API keeps its reports."""
    sessions = Sessions(identify, FormKey())
    app.include_router(dashboard(project, sessions, reports))
    for_programs = app.exception_handlers.get(HTTPException)  # the server's, if installed
    for error, handler in page_errors(sessions, for_programs).items():
        app.add_exception_handler(error, handler)
