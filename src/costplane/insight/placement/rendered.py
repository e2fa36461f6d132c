"""The cost of a tenant's environments rendered from a service class and priced from the
price sheet: what it would cost in that class, where no allocation can say it yet.

Per environment kind the tenant has and the class gives a quota for: the quota's CPU at
the price sheet's CPU price per core-month and its memory at the memory price per
GiB-month; its databases' size at the database storage price; production attachments at
the object storage price; and, for a dedicated class, `placement.dedicated_overhead_monthly`.
Each part is for the month's allocated days (× allocated days / days in the month), to
the cent, so it stands beside an allocated cost of the same days.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import Catalog, Tenancy, Tenant
from costplane.insight.placement.footprint import Footprint
from costplane.money import cents

GIB = Decimal(2**30)


@dataclass(frozen=True)
class RenderedCost:
    service_class: str
    environments: tuple[str, ...]
    """The tenant's environment kinds the class gives a quota for."""
    dropped: tuple[str, ...]
    """The tenant's environment kinds the class has no quota for (not rendered)."""
    compute: Decimal
    memory: Decimal
    database: Decimal
    file_store: Decimal
    overhead: Decimal
    total: Decimal


def rendered_cost(
    catalog: Catalog,
    class_id: str,
    tenant: Tenant,
    footprint: Footprint | None,
    share: Decimal,
) -> RenderedCost:
    """`tenant` in class `class_id`, for `share` of a month (allocated days / days in it)."""
    service_class = catalog.service_classes[class_id]
    prices = catalog.price_sheet
    kept = [kind for kind in tenant.environments if kind in service_class.quota]
    dropped = [kind.value for kind in tenant.environments if kind not in service_class.quota]
    cores = sum((service_class.quota[kind].cpu for kind in kept), Decimal(0))
    memory_gib = sum((Decimal(service_class.quota[kind].memory) for kind in kept), Decimal(0)) / GIB
    database_bytes = 0
    store_bytes = 0
    if footprint is not None:
        database_bytes = sum(footprint.database_bytes.get(kind.value, 0) for kind in kept)
        store_bytes = footprint.file_store_bytes
    overhead = (
        catalog.placement.dedicated_overhead_monthly
        if service_class.tenancy is Tenancy.DEDICATED
        else Decimal(0)
    )
    compute = cents(cores * prices.cpu.per_month * share)
    memory = cents(memory_gib * prices.memory.per_month * share)
    database = cents(Decimal(database_bytes) / GIB * prices.database_storage.per_month * share)
    file_store = cents(Decimal(store_bytes) / GIB * prices.object_storage.per_month * share)
    fixed = cents(overhead * share)
    return RenderedCost(
        service_class=class_id,
        environments=tuple(kind.value for kind in kept),
        dropped=tuple(dropped),
        compute=compute,
        memory=memory,
        database=database,
        file_store=file_store,
        overhead=fixed,
        total=compute + memory + database + file_store + fixed,
    )
