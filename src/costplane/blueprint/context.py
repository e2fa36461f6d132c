"""Everything one environment's objects are rendered from: names, labels, hosts, sizing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costplane.blueprint.sizing import EnvironmentSizing
from costplane.catalog import Catalog, EnvironmentKind, ServiceClass, Tenancy, Tenant

Manifest = dict[str, Any]
"""One Kubernetes object as its JSON document."""

APP = "odoo"
WEB = "odoo-web"
CRON = "odoo-cron"
HTTP_PORT = 8069
GEVENT_PORT = 8072
"""Odoo's gevent (longpolling / websocket) port."""
REDIS = "redis"


@dataclass(frozen=True)
class EnvironmentContext:
    """One tenant environment as the catalog describes it, resolved to names."""

    catalog: Catalog
    tenant: Tenant
    service_class_id: str
    service_class: ServiceClass
    kind: EnvironmentKind
    namespace: str
    database: str
    sizing: EnvironmentSizing

    @property
    def dedicated(self) -> bool:
        return self.service_class.tenancy is Tenancy.DEDICATED

    @property
    def labels(self) -> dict[str, str]:
        """The labels allocation and the policies read, on every rendered object."""
        keys = self.catalog.labels
        return {
            keys.tenant: self.tenant.id,
            keys.environment: self.kind.value,
            keys.service_class: self.service_class_id,
            keys.cost_centre: self.tenant.cost_centre or self.tenant.id,
            "app.kubernetes.io/managed-by": "costplane",
            "app.kubernetes.io/part-of": APP,
        }

    def metadata(self, name: str, *, namespaced: bool = True) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "labels": dict(self.labels)}
        if namespaced:
            meta["namespace"] = self.namespace
        return meta

    def fill(self, pattern: str) -> str:
        """A catalog pattern with {tenant} and {environment} replaced."""
        return pattern.replace("{tenant}", self.tenant.id).replace("{environment}", self.kind.value)

    @property
    def image(self) -> str:
        return self.service_class.blueprint.odoo.image or self.catalog.platform.odoo_image

    @property
    def database_host(self) -> str:
        conventions = self.catalog.platform.database
        if self.dedicated:
            return self.fill(conventions.dedicated_host)
        return conventions.shared_host

    @property
    def redis_host(self) -> str:
        if self.dedicated:
            return f"{REDIS}.{self.namespace}.svc.cluster.local"
        return self.catalog.platform.redis.shared_host

    @property
    def redis_prefix(self) -> str:
        """Odoo's session keys carry the tenant prefix the catalog's Redis pattern reads."""
        pattern = self.catalog.redis.tenant_key_pattern
        return pattern.replace("{tenant}", self.tenant.id).rstrip("*")

    @property
    def host(self) -> str:
        ingress = self.catalog.platform.ingress
        pattern = ingress.production_host if self.kind.is_production else ingress.host
        return self.fill(pattern)


def database_name(tenant: Tenant, kind: EnvironmentKind) -> str:
    """The environment's first database; a DR standby replicates production's."""
    for candidate in (kind, EnvironmentKind.PRODUCTION):
        environment = tenant.environments.get(candidate)
        if environment is not None and environment.databases:
            return environment.databases[0]
    return f"{tenant.id.replace('-', '_')}_{kind.value}"
