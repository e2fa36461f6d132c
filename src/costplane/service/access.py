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
    READ_ENTITLEMENTS = "read_entitlements"
    """Entitlements against use, and DR evidence (a tenant: its own)."""
    READ_RECOMMENDATIONS = "read_recommendations"
    """Workload rightsizing and database forecasts (a tenant: its own)."""
    READ_FLEET = "read_fleet"
    """The whole platform's: nodes, commitments, the spend forecast, budgets, anomalies."""
    READ_DRIFT = "read_drift"
    """The tenants' rendered manifests against what runs."""
    READ_STATEMENTS = "read_statements"
    """A tenant's monthly statement (a tenant: its own)."""


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
            Right.READ_ENTITLEMENTS,
            Right.READ_RECOMMENDATIONS,
            Right.READ_FLEET,
            Right.READ_STATEMENTS,
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
            Right.READ_ENTITLEMENTS,
            Right.READ_RECOMMENDATIONS,
            Right.READ_FLEET,
            Right.READ_DRIFT,
        }
    ),
    Role.VIEWER: frozenset(
        {
            Right.READ_COST,
            Right.READ_FINDINGS,
            Right.READ_CATALOG,
            Right.READ_ENTITLEMENTS,
            Right.READ_RECOMMENDATIONS,
            Right.READ_FLEET,
        }
    ),
    Role.TENANT: frozenset(
        {
            Right.READ_COST,
            Right.READ_FINDINGS,
            Right.READ_CATALOG,
            Right.READ_ENTITLEMENTS,
            Right.READ_RECOMMENDATIONS,
            Right.READ_STATEMENTS,
        }
    ),
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
