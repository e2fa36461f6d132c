"""`costplane serve`: the REST API (and, beside it, the dashboard) over one project.

`create_app(project)` builds the FastAPI application; `principal` is the dependency that
says who asks (the bearer token, or the dashboard's `costplane_token` cookie), and
`allowed(right)` the one that also checks the role's right.
"""

from costplane.surfaces.server.actions import ObjectSource
from costplane.surfaces.server.app import API, create_app
from costplane.surfaces.server.auth import COOKIE, allowed, principal
from costplane.surfaces.server.problems import PROBLEM_JSON, Problem, Unauthenticated, problem
from costplane.surfaces.server.served import served_project

__all__ = [
    "API",
    "COOKIE",
    "PROBLEM_JSON",
    "ObjectSource",
    "Problem",
    "Unauthenticated",
    "allowed",
    "create_app",
    "principal",
    "problem",
    "served_project",
]
