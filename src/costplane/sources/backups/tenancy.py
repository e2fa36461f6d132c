"""Which tenant a backup belongs to, from the names the catalog declares.

Backup systems name what they back up by a database (pgBackRest stanzas, the
databases inside a cluster), a namespace (Velero) or an object-store prefix.
The catalog ties each of those names to one tenant and environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.catalog import Catalog, EnvironmentKind, Tenant


@dataclass(frozen=True, order=True)
class Placement:
    """Where a backup belongs; all None for a backup no catalog name claims."""

    tenant: str | None = None
    environment: str | None = None
    database: str | None = None


UNMAPPED = Placement()


class TenantIndex:
    """The catalog's databases, namespaces and tenant ids, each to its placement."""

    def __init__(self, catalog: Catalog) -> None:
        self.tenants: dict[str, Tenant] = {t.id: t for t in catalog.tenants}
        self.databases: dict[str, Placement] = {}
        self.namespaces: dict[str, Placement] = {}
        for tenant in catalog.tenants:
            for kind, environment in tenant.environments.items():
                only = environment.databases[0] if len(environment.databases) == 1 else None
                for database in environment.databases:
                    self.databases[database] = Placement(tenant.id, kind.value, database)
                for namespace in environment.namespaces:
                    self.namespaces[namespace] = Placement(tenant.id, kind.value, only)

    def for_tenant(self, tenant_id: str, environment: str | None = None) -> Placement | None:
        """The tenant in `environment`; without one, in production when it has it.

        None for an unknown tenant, or an environment the tenant does not declare.
        """
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            return None
        declared = {kind.value: env for kind, env in tenant.environments.items()}
        chosen = environment or EnvironmentKind.PRODUCTION.value
        if chosen not in declared:
            return None if environment else Placement(tenant_id)
        databases = declared[chosen].databases
        return Placement(tenant_id, chosen, databases[0] if len(databases) == 1 else None)

    def for_name(self, name: str) -> Placement | None:
        """A catalog database, namespace or tenant id, tried in that order."""
        return self.databases.get(name) or self.namespaces.get(name) or self.for_tenant(name)

    def region(self, tenant_id: str | None) -> str | None:
        """The tenant's data-residency region, to compare with where its backups are."""
        tenant = self.tenants.get(tenant_id) if tenant_id else None
        return tenant.region if tenant else None
