"""The project a server serves: one for every request.

Its catalog is parsed once per change of the file (`Project.catalog`); the state store's
engine is shared by every request (SQLAlchemy pools its connections); the warehouse is
opened per request, read-only (docs/serving.md).
"""

from __future__ import annotations

from fastapi import Request

from costplane.service import Project


def served_project(request: Request) -> Project:
    """The project of the app answering (a FastAPI dependency)."""
    project: Project = request.app.state.project
    return project
