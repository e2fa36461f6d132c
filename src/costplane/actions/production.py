"""Production is never acted on by accident: an action that changes the cluster is refused
on a production namespace unless `--allow-production` says so.

Production is the catalog's word: the namespaces of its tenants' `production`
environments; a finding that says `environment: production` counts too (govern
resolved it from labels and the catalog). Reports and notifications change nothing
and are never refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from costplane.actions.registry import Action
from costplane.actions.target import Target
from costplane.catalog import Catalog, EnvironmentKind
from costplane.errors import InputError

PRODUCTION = EnvironmentKind.PRODUCTION.value


@dataclass(frozen=True)
class ProductionGuard:
    """Which namespaces are production, and whether acting on them was allowed."""

    namespaces: frozenset[str]
    allowed: bool = False

    @classmethod
    def of(cls, catalog: Catalog | None, *, allowed: bool = False) -> ProductionGuard:
        names: set[str] = set()
        for tenant in catalog.tenants if catalog is not None else ():
            environment = tenant.environments.get(EnvironmentKind.PRODUCTION)
            names.update(environment.namespaces if environment is not None else ())
        return cls(frozenset(names), allowed)

    def check_namespaces(self, action: str, namespaces: Iterable[str]) -> None:
        """Refuse `--namespace` names that are production (before anything is read)."""
        self._refuse(action, sorted(set(namespaces) & self.namespaces))

    def check_targets(self, action: Action, targets: Iterable[Target]) -> None:
        """Refuse targets the action would change in production namespaces or from
        production findings (a kind it does not act on is left alone anyway)."""
        production = {_namespace(t) for t in targets if self._is_production(action, t)}
        self._refuse(action.name, sorted(production))

    def _is_production(self, action: Action, target: Target) -> bool:
        if target.held or target.missing or not action.handles(target) or not _namespace(target):
            return False  # left alone anyway
        finding = target.finding or {}
        return _namespace(target) in self.namespaces or finding.get("environment") == PRODUCTION

    def _refuse(self, action: str, production: list[str]) -> None:
        if production and not self.allowed:
            raise InputError(
                f"{action}: refusing to act on production namespace"
                f"{'s' if len(production) > 1 else ''} {', '.join(production)} "
                "(the catalog's production environment): give --allow-production to act on "
                "production"
            )


def _namespace(target: Target) -> str:
    return target.name if target.kind == "Namespace" else target.namespace
