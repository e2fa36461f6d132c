"""The resources that are not Kubernetes objects, built from the warehouse and the catalog.

- `database`: one per database in `database_stats` (its latest snapshot); keys server,
  database, tenant, environment; ref name = the database, cluster = its server.
- `cache`: one per Redis server in `cache_stats` (latest snapshot); keys server, tenants
  (the key spaces seen), maxmemoryPolicy; ref name = the server. A server holding one
  tenant's keys is that tenant's (its production's).
- `backup-set`: one per database with backups in `backup_records`, and per production
  database of the catalog; keys tenant, environment, database, tools; ref name = the
  database, namespace = its environment's first namespace.
- `tenant`: one per catalog tenant, the catalog's entry; ref name = the tenant id.
- `environment`: one per tenant environment; keys tenant, environment, namespaces,
  databases; ref name = `<tenant>/<environment>`.
- `node-pool`: one per node pool of the latest Node inventory (the pool labels the
  allocation reads; `(no pool)` for nodes without one); keys cluster, pool, nodeType,
  nodes, zones; ref name = `<cluster>/<pool>`, cluster = its cluster. Only with the
  capacity facts.

Every document also has `kind` and `metadata.name` (and `metadata.namespace` for a
backup set), so policies read them like Kubernetes objects. What is measured about
them (sizes, evictions, backup times) is read as facts, not copied here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from costplane.catalog import Catalog, EnvironmentKind
from costplane.governance.facts.caches import CacheFacts
from costplane.governance.facts.capacity import POOL_WINDOW, CapacityFacts
from costplane.governance.facts.databases import DatabaseFacts, latest_rows
from costplane.governance.inventory.resources import Inventory, ResourceRef
from costplane.warehouse import Warehouse

Document = dict[str, Any]
PRODUCTION = EnvironmentKind.PRODUCTION.value


def add_warehouse_resources(
    inventory: Inventory,
    warehouse: Warehouse,
    catalog: Catalog,
    end: dt.datetime,
    *,
    databases: DatabaseFacts | None = None,
    caches: CacheFacts | None = None,
    capacity: CapacityFacts | None = None,
) -> None:
    """Add database, cache, backup-set, tenant and environment resources as of `end`
    (naive UTC); pass the fact providers of the run to share their queries."""
    places = _catalog_places(catalog)
    _add(inventory, "database", _databases(databases or DatabaseFacts(warehouse), end, places))
    _add(inventory, "cache", _caches(warehouse, caches or CacheFacts(warehouse), end, catalog))
    _add(inventory, "backup-set", _backup_sets(warehouse, end, catalog, places))
    _add(inventory, "tenant", _tenants(catalog))
    _add(inventory, "environment", _environments(catalog))
    if capacity is not None:
        _add(inventory, "node-pool", _node_pools(capacity, end))


def _add(inventory: Inventory, kind: str, found: list[tuple[Document, ResourceRef]]) -> None:
    if found:
        inventory.add(kind, [d for d, _ in found], [r for _, r in found])


class _Places:
    """The catalog's databases and environments: whose, which class, which namespace."""

    def __init__(self) -> None:
        self.database_owner: dict[str, tuple[str, str]] = {}
        self.namespace: dict[tuple[str, str], str] = {}
        self.service_class: dict[str, str] = {}


def _catalog_places(catalog: Catalog) -> _Places:
    places = _Places()
    for tenant in catalog.tenants:
        places.service_class[tenant.id] = tenant.service_class
        for kind, environment in tenant.environments.items():
            if environment.namespaces:
                places.namespace[(tenant.id, kind.value)] = environment.namespaces[0]
            for database in environment.databases:
                places.database_owner[database] = (tenant.id, kind.value)
    return places


def _databases(
    facts: DatabaseFacts, end: dt.datetime, places: _Places
) -> list[tuple[Document, ResourceRef]]:
    found = []
    for (server, database), row in sorted(facts.latest(end).items()):
        tenant, environment = row["tenant"], row["environment"]
        if not tenant:
            tenant, environment = places.database_owner.get(database, (None, environment))
        document = {
            "kind": "database",
            "metadata": {"name": database},
            "server": server,
            "database": database,
            "tenant": tenant,
            "environment": environment,
        }
        ref = ResourceRef(
            "database",
            database,
            cluster=server,
            tenant=tenant,
            environment=environment,
            service_class=places.service_class.get(tenant or ""),
        )
        found.append((document, ref))
    return found


def _caches(
    warehouse: Warehouse, facts: CacheFacts, end: dt.datetime, catalog: Catalog
) -> list[tuple[Document, ResourceRef]]:
    servers = facts.latest(end)
    rows = latest_rows(warehouse.table("cache_stats"), end, ("server",))
    keyed = rows.filter(rows.tenant.notnull() & (rows.tenant != "")).select("server", "tenant")
    tenants: dict[str, set[str]] = defaultdict(set)
    for row in keyed.to_pyarrow().to_pylist():
        tenants[row["server"]].add(row["tenant"])
    found = []
    for server in sorted(servers):
        seen = sorted(tenants.get(server, set()))
        owner = catalog.tenant(seen[0]) if len(seen) == 1 else None
        environment = (
            PRODUCTION if owner and EnvironmentKind.PRODUCTION in owner.environments else None
        )
        document = {
            "kind": "cache",
            "metadata": {"name": server},
            "server": server,
            "tenants": seen,
            "maxmemoryPolicy": servers[server].get("maxmemory_policy"),
        }
        ref = ResourceRef(
            "cache",
            server,
            tenant=owner.id if owner else None,
            environment=environment,
            service_class=owner.service_class if owner else None,
        )
        found.append((document, ref))
    return found


def _backup_sets(
    warehouse: Warehouse, end: dt.datetime, catalog: Catalog, places: _Places
) -> list[tuple[Document, ResourceRef]]:
    records = warehouse.table("backup_records")
    listed = records.filter((records.taken_at <= end) & records.database.notnull())
    rows = listed.select("tenant", "environment", "database", "tool").distinct().to_pyarrow()
    sets: dict[str, dict[str, Any]] = {}
    for row in rows.to_pylist():
        entry = sets.setdefault(row["database"], {"tools": set()})
        entry.setdefault("tenant", row["tenant"])
        entry.setdefault("environment", row["environment"])
        if row["tool"]:
            entry["tools"].add(row["tool"])
    for tenant in catalog.tenants:
        production = tenant.environments.get(EnvironmentKind.PRODUCTION)
        for database in production.databases if production else []:
            entry = sets.setdefault(database, {"tools": set()})
            entry.setdefault("tenant", tenant.id)
            entry.setdefault("environment", PRODUCTION)
    found = []
    for database, entry in sorted(sets.items()):
        owner: str | None = entry["tenant"]
        environment: str | None = entry["environment"]
        if not owner:
            owner, environment = places.database_owner.get(database, (None, environment))
        namespace = places.namespace.get((owner or "", environment or ""))
        metadata = {"name": database, **({"namespace": namespace} if namespace else {})}
        document = {
            "kind": "backup-set",
            "metadata": metadata,
            "tenant": owner,
            "environment": environment,
            "database": database,
            "tools": sorted(entry["tools"]),
        }
        ref = ResourceRef(
            "backup-set",
            database,
            namespace=namespace,
            tenant=owner,
            environment=environment,
            service_class=places.service_class.get(owner or ""),
        )
        found.append((document, ref))
    return found


def _tenants(catalog: Catalog) -> list[tuple[Document, ResourceRef]]:
    found = []
    for tenant in catalog.tenants:
        entry: Mapping[str, Any] = tenant.model_dump(mode="json")
        document = {"kind": "tenant", "metadata": {"name": tenant.id}, **entry}
        ref = ResourceRef("tenant", tenant.id, tenant=tenant.id, service_class=tenant.service_class)
        found.append((document, ref))
    return found


def _environments(catalog: Catalog) -> list[tuple[Document, ResourceRef]]:
    found = []
    for tenant in catalog.tenants:
        for kind, environment in tenant.environments.items():
            name = f"{tenant.id}/{kind.value}"
            document = {
                "kind": "environment",
                "metadata": {"name": name},
                "tenant": tenant.id,
                "environment": kind.value,
                "namespaces": list(environment.namespaces),
                "databases": list(environment.databases),
            }
            ref = ResourceRef(
                "environment",
                name,
                tenant=tenant.id,
                environment=kind.value,
                service_class=tenant.service_class,
            )
            found.append((document, ref))
    return found


def _node_pools(capacity: CapacityFacts, end: dt.datetime) -> list[tuple[Document, ResourceRef]]:
    found = []
    for pool in capacity.state(end - POOL_WINDOW, end).pools:
        name = f"{pool.cluster}/{pool.pool}"
        document = {
            "kind": "node-pool",
            "metadata": {"name": name},
            "cluster": pool.cluster,
            "pool": pool.pool,
            "nodeType": pool.node_type,
            "nodes": len(pool.nodes),
            "zones": pool.zones,
        }
        found.append((document, ResourceRef("node-pool", name, cluster=pool.cluster)))
    return found
