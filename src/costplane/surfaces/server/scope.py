"""The tenant a request reads: a tenant token's own, or the one asked for, which the
catalog must have (404 otherwise)."""

from __future__ import annotations

from costplane.errors import NotFoundError
from costplane.service import Principal, Project, tenant_scope


def narrowed(project: Project, who: Principal, tenant: str | None) -> str | None:
    """None: every tenant. Another tenant than a tenant token's own is 403."""
    scope = tenant_scope(who, tenant)
    if scope is not None and project.catalog().tenant(scope) is None:
        raise NotFoundError(f"no tenant {scope!r} in the catalog")
    return scope
