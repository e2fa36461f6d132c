"""Who an object belongs to: tenant, environment, service class, and its namespace's role.

The same rules as allocation (docs/allocation.md, section 4), so a finding names
the tenant its cost is charged to: the catalog's label keys on the object, then
on its namespace, then the catalog's environments (a namespace listed there).
A cluster-scoped volume belongs to the namespace of its claim. A namespace is
`shared` (labelled `costplane.io/shared: "true"` or listed in
`allocation.shared_namespaces`), `platform` (`allocation.platform_namespaces`),
`tenant`, or `unknown`: its cost cannot be placed until it is labelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costplane.catalog import Catalog, LabelKeys

TENANT, SHARED, PLATFORM, UNKNOWN = "tenant", "shared", "platform", "unknown"


@dataclass(frozen=True)
class Owner:
    """What an object is tied to; `role` is its namespace's."""

    tenant: str | None = None
    environment: str | None = None
    service_class: str | None = None
    role: str = UNKNOWN


class Ownership:
    """Resolves owners from label keys, the namespaces seen and the catalog (optional)."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog
        self.labels = catalog.labels if catalog is not None else LabelKeys()
        self._namespace_labels: dict[tuple[str | None, str], Mapping[str, str]] = {}
        self._listed: dict[str, Owner] = {}
        self._class_of: dict[str, str] = {}
        self._shared: set[str] = set()
        self._platform: set[str] = set()
        if catalog is not None:
            self._read_catalog(catalog)

    def _read_catalog(self, catalog: Catalog) -> None:
        for tenant in catalog.tenants:
            self._class_of[tenant.id] = tenant.service_class
            for kind, environment in tenant.environments.items():
                for name in environment.namespaces:
                    self._listed[name] = Owner(tenant.id, kind.value, tenant.service_class, TENANT)
        self._shared = set(catalog.allocation.shared_namespaces)
        self._platform = {
            name for names in catalog.allocation.platform_namespaces.values() for name in names
        }

    def add_namespace(self, cluster: str | None, namespace: Mapping[str, Any]) -> None:
        """Remember a Namespace object's labels (call for every Namespace first)."""
        metadata = _mapping(namespace.get("metadata"))
        name = metadata.get("name")
        if isinstance(name, str):
            self._namespace_labels[(cluster, name)] = _strings(metadata.get("labels"))

    def namespace(self, cluster: str | None, name: str) -> Owner:
        """The owner and role of a namespace."""
        labels = self._namespace_labels.get((cluster, name), {})
        if name in self._platform:
            return Owner(role=PLATFORM)
        if labels.get(self.labels.shared) == "true" or name in self._shared:
            return Owner(role=SHARED)
        tenant = labels.get(self.labels.tenant)
        listed = self._listed.get(name)
        if tenant:
            environment = labels.get(self.labels.environment)
            service_class = labels.get(self.labels.service_class) or self._class_of.get(tenant)
            if listed is not None and listed.tenant == tenant:
                environment = environment or listed.environment
            return Owner(tenant, environment, service_class, TENANT)
        return listed if listed is not None else Owner()

    def of(self, cluster: str | None, obj: Mapping[str, Any]) -> Owner:
        """The owner of any object: its own labels, else its namespace's (or its claim's)."""
        metadata = _mapping(obj.get("metadata"))
        kind = obj.get("kind")
        name = metadata.get("name")
        if kind == "Namespace" and isinstance(name, str):
            return self.namespace(cluster, name)
        namespace = metadata.get("namespace")
        if not isinstance(namespace, str):
            claim = _mapping(_mapping(obj.get("spec")).get("claimRef"))
            namespace = claim.get("namespace") if kind == "PersistentVolume" else None
        inherited = self.namespace(cluster, namespace) if isinstance(namespace, str) else Owner()
        own = _strings(metadata.get("labels"))
        tenant = own.get(self.labels.tenant)
        if not tenant:
            return inherited
        return Owner(
            tenant,
            own.get(self.labels.environment) or inherited.environment,
            own.get(self.labels.service_class) or self._class_of.get(tenant),
            inherited.role if inherited.tenant == tenant else TENANT,
        )

    def service_class(self, tenant: str | None) -> str | None:
        return self._class_of.get(tenant) if tenant else None

    def likely_tenant(self, name: str) -> str | None:
        """The catalog tenant whose id starts the name (`acme-migration` -> acme), longest
        first: for a finding on an unlabelled namespace, whom to ask."""
        found = [tid for tid in self._class_of if name.startswith(f"{tid}-")]
        return max(found, key=len) if found else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: object) -> dict[str, str]:
    return {str(k): v for k, v in _mapping(value).items() if isinstance(v, str)}
