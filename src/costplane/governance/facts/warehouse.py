"""Facts the warehouse knows, as one `Facts` provider (see `fact.py` for the interface).

- `usage_samples` (usage.py): cpu_p95_cores, cpu_max_cores, memory_peak_bytes,
  usage_samples, requested_core_hours, requested_gib_hours, namespace_usage_hours,
  namespace_cpu_peak_percent, history_hours;
- `usage_samples` through rightsizing (rightsizing.py): cpu_recommended_cores,
  memory_recommended_bytes, cpu_reclaimable_cores, memory_reclaimable_bytes;
- `service_usage` (services.py): requests, last_traffic, log_bytes_per_day,
  volume_used_bytes;
- `allocations` (cost.py): allocated_cost;
- `backup_records` (backups.py): last_backup, last_verified_restore, backup_region,
  data_region;
- `database_stats` (databases.py): database_size_bytes, unused_index_bytes,
  unused_indexes, attachment_db_bytes, failed_mail;
- `cache_stats` (caches.py): maxmemory_bytes, used_memory_bytes, evicted_keys;
- nodes, pods' hourly requests and the nodes' bill, through `costplane.insight`
  (capacity.py, with a catalog): idle_capacity_saving, idle_capacity_nodes.

Each is read in bulk, one Ibis query per kind of fact and window whatever the
number of resources, and the result is kept for the run, so the same query runs
on DuckDB and PostgreSQL. Entitlements come from the catalog (`CatalogFacts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from costplane.catalog import Catalog
from costplane.governance.facts.backups import BackupFacts
from costplane.governance.facts.caches import CacheFacts
from costplane.governance.facts.capacity import CapacityFacts
from costplane.governance.facts.cost import CostFacts
from costplane.governance.facts.databases import DatabaseFacts
from costplane.governance.facts.fact import FactRequest, FactSources
from costplane.governance.facts.rightsizing import RightsizingFacts
from costplane.governance.facts.services import ServiceFacts
from costplane.governance.facts.usage import UsageFacts
from costplane.governance.inventory.resources import ResourceRef
from costplane.warehouse import Warehouse


class WarehouseFacts:
    """Every warehouse-backed fact; `catalog` supplies tenants' regions for `data_region`."""

    def __init__(self, warehouse: Warehouse, catalog: Catalog | None = None) -> None:
        self.warehouse = warehouse
        self.usage = UsageFacts(warehouse)
        self.rightsizing = RightsizingFacts(warehouse)
        self.services = ServiceFacts(warehouse)
        self.costs = CostFacts(warehouse)
        self.backups = BackupFacts(warehouse, catalog)
        self.databases = DatabaseFacts(warehouse)
        self.caches = CacheFacts(warehouse)
        self.capacity = CapacityFacts(warehouse, catalog) if catalog is not None else None
        self._sources = FactSources(
            self.usage,
            self.rightsizing,
            self.services,
            self.costs,
            self.backups,
            self.databases,
            self.caches,
            *([self.capacity] if self.capacity is not None else []),
        )

    def provides(self, name: str) -> bool:
        return self._sources.provides(name)

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        return self._sources.values(request, subjects)
