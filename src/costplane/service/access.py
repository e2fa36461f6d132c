"""Who may see what: the roles of the API's tokens, the rights each holds, and the one
rule that keeps a tenant's token to its own tenant.

Every surface that serves more than one person (the REST API, the dashboard) asks `may`
before an operation and `tenant_scope` for the tenant it reads. The table of rights is
docs/serving.md's; a tenant sees its own cost, findings and catalog entry, nothing of
the host's (the bill, margins, sources, the audit log) and nothing of another tenant.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from costplane.errors import CostplaneError


class Role(enum.StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    ENGINEER = "engineer"
    VIEWER = "viewer"
    TENANT = "tenant"


class Right(enum.StrEnum):
    READ_COST = "read_cost"
    """Showback, chargeback and unit cost (a tenant: its own lines only)."""
    READ_MARGIN = "read_margin"
    READ_RECONCILE = "read_reconcile"
    READ_FINDINGS = "read_findings"
    DECIDE_FINDINGS = "decide_findings"
    """Acknowledge and suppress."""
    READ_SOURCES = "read_sources"
    READ_AUDIT = "read_audit"
    PLAN_ACTIONS = "plan_actions"
    """Dry runs only: applying stays a CLI step taken by a person."""
    READ_CATALOG = "read_catalog"
    """Tenants and service classes (a tenant: its own entry and its own class)."""


RIGHTS: Mapping[Role, frozenset[Right]] = {
    Role.ADMIN: frozenset(Right),
    Role.FINANCE: frozenset(
        {
            Right.READ_COST,
            Right.READ_MARGIN,
            Right.READ_RECONCILE,
            Right.READ_FINDINGS,
            Right.READ_AUDIT,
            Right.READ_CATALOG,
        }
    ),
    Role.ENGINEER: frozenset(
        {
            Right.READ_COST,
            Right.READ_FINDINGS,
            Right.DECIDE_FINDINGS,
            Right.READ_SOURCES,
            Right.PLAN_ACTIONS,
            Right.READ_CATALOG,
        }
    ),
    Role.VIEWER: frozenset({Right.READ_COST, Right.READ_FINDINGS, Right.READ_CATALOG}),
    Role.TENANT: frozenset({Right.READ_COST, Right.READ_FINDINGS, Right.READ_CATALOG}),
}
"""The default rights of each role (docs/serving.md, "Roles")."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a token's subject and role, and for a tenant token its tenant."""

    subject: str
    role: Role
    tenant: str | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.TENANT) != (self.tenant is not None):
            raise ValueError("a tenant principal, and only it, names a tenant")


class AccessDeniedError(CostplaneError):
    """The principal holds no right to what it asked for (HTTP 403)."""

    exit_code = 2


def may(principal: Principal, right: Right) -> bool:
    return right in RIGHTS[principal.role]


def refusal(principal: Principal, right: Right) -> AccessDeniedError:
    """The error for a principal without `right`, naming what it may not do."""
    return AccessDeniedError(f"the role {principal.role} may not {_doing(right)}")


def tenant_scope(principal: Principal, requested: str | None) -> str | None:
    """The tenant a read is narrowed to: a tenant principal's own (asking for another is
    AccessDeniedError), anyone else's `requested` one (None: every tenant)."""
    if principal.tenant is None:
        return requested
    if requested is not None and requested != principal.tenant:
        raise AccessDeniedError(f"a token of tenant {principal.tenant} sees that tenant only")
    return principal.tenant


def _doing(right: Right) -> str:
    verb, _, what = right.value.partition("_")
    return f"{verb} {what.replace('_', ' ')}"
