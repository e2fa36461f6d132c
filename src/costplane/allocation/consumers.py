"""Who consumed each billed resource, and how much: the weights the bill is split by.

Each rule finds, for a resource on a day, its consumers and a weight for each.
Rules are tried in order; the first that finds any consumer for a resource-day
is the one used, so a rule never double counts another's resource:

1. node: a node's providerID. Each namespace's containers weigh what they would
   cost at the node's CPU and memory hourly prices (max(request, usage) hours);
   what no container takes is the node's idle capacity.
2. endpoint: a volume's id or a load balancer's address; its namespace.
3. database: a managed PostgreSQL server; its databases by size (driver `size`).
4. cache: a managed Redis; each tenant's key space by memory (driver `memory`).
5. object storage: a bucket; bytes under each namespace's prefix (driver `bytes`).
6. backup storage: a bucket; each tenant's backup bytes (driver `backup-bytes`).
7. tags: the tenant label among the resource's tags, or the namespace a volume
   was created for.
8. logs: any other observability charge; log bytes per namespace of its cluster.
9. egress: any other ingress-domain charge; bytes sent per namespace of its cluster.

A resource no rule claims stays unallocated. Every rule yields rows of one
shape (`CONSUMER_COLUMNS`), so they are chosen between and split in one go.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from costplane.allocation.kind import AllocationKind
from costplane.catalog import CostDomain, Drivers
from costplane.quantity import GIB

CONSUMER_COLUMNS: dict[str, dt.DataType] = {
    "day": dt.date,
    "resource": dt.string,
    "rule": dt.int64,
    "kind": dt.string,
    "cluster": dt.string,
    "namespace": dt.string,
    "node_pool": dt.string,
    "tenant": dt.string,
    "environment": dt.string,
    "service_class": dt.string,
    "weight": dt.float64,
    "usage_weight": dt.float64,
    "cpu_core_hours": dt.float64,
    "cpu_usage_core_hours": dt.float64,
    "memory_gib_hours": dt.float64,
    "memory_usage_gib_hours": dt.float64,
}
"""Every rule's rows: who (tenant or namespace), how much (weight), and for containers
the quantities and a usage weight (what the used share would cost) for efficiency."""


@dataclass(frozen=True)
class Sources:
    """The warehouse tables and dimensions the rules read, narrowed to the window."""

    costs: ir.Table  # resource_costs
    usage: ir.Table  # usage per day, cluster, node, namespace
    nodes: ir.Table
    endpoints: ir.Table
    database_sizes: ir.Table  # day, server, tenant, environment, size_bytes
    cache_memory: ir.Table  # day, server, tenant, memory_bytes
    service_usage: ir.Table  # day, cluster, namespace, service, resource, metric, quantity
    backup_bytes: ir.Table  # day, bucket, tenant, environment, size_bytes


def shaped(table: ir.Table, **values: ir.Value) -> ir.Table:
    """Rows in the consumer shape: given columns, the rest NULL of the right type."""
    columns = {
        name: values[name].cast(dtype) if name in values else ibis.null(dtype)
        for name, dtype in CONSUMER_COLUMNS.items()
    }
    return table.select(**columns)


def daily_usage(usage_samples: ir.Table) -> ir.Table:
    """Container hours per day, cluster, node and namespace: requested-or-used and used."""
    cpu = ibis.greatest(usage_samples.cpu_request_cores, usage_samples.cpu_usage_cores)
    memory = ibis.greatest(
        usage_samples.memory_request_bytes.cast("float64"), usage_samples.memory_usage_bytes
    )
    hours = usage_samples.mutate(day=usage_samples.hour.date(), cpu=cpu, memory=memory)
    return hours.group_by(["day", "cluster", "node", "namespace"]).aggregate(
        cpu_core_hours=hours.cpu.sum(),
        cpu_usage_core_hours=hours.cpu_usage_cores.sum(),
        memory_gib_hours=hours.memory.sum() / GIB,
        memory_usage_gib_hours=hours.memory_usage_bytes.sum() / GIB,
    )


def node_rule(s: Sources, cpu_price: float, memory_price: float) -> ir.Table:
    """Rule 1: containers at the node's prices; the rest of the node is idle.

    The node's daily cost is split into a CPU and a memory part by the price
    sheet's ratio (OpenCost's rule), each divided by its capacity-hours.
    """
    nodes = s.nodes.join(s.costs, s.nodes.provider_id == s.costs.resource)
    cpu_value = nodes.cpu_cores * cpu_price
    cpu_share = cpu_value / (cpu_value + nodes.memory_gib * memory_price)
    priced = nodes.mutate(
        cpu_unit=nodes.billed.cast("float64") * cpu_share / (nodes.cpu_cores * 24),
        memory_unit=nodes.billed.cast("float64") * (1 - cpu_share) / (nodes.memory_gib * 24),
    )
    used = priced.join(s.usage, ["day", "cluster", "node"])
    containers = used.mutate(
        weight=used.cpu_core_hours * used.cpu_unit + used.memory_gib_hours * used.memory_unit,
        usage_weight=used.cpu_usage_core_hours * used.cpu_unit
        + used.memory_usage_gib_hours * used.memory_unit,
    )
    taken = containers.group_by(["day", "resource"]).aggregate(taken=containers.weight.sum())
    idle = priced.left_join(taken, ["day", "resource"])
    idle = idle.mutate(
        weight=ibis.greatest(idle.billed.cast("float64") - idle.taken.fill_null(0.0), 0.0)
    )
    return shaped(
        containers,
        day=containers.day,
        resource=containers.resource,
        rule=ibis.literal(1),
        kind=ibis.literal(AllocationKind.DIRECT.value),
        cluster=containers.cluster,
        namespace=containers.namespace,
        node_pool=containers.node_pool,
        weight=containers.weight,
        usage_weight=containers.usage_weight,
        cpu_core_hours=containers.cpu_core_hours,
        cpu_usage_core_hours=containers.cpu_usage_core_hours,
        memory_gib_hours=containers.memory_gib_hours,
        memory_usage_gib_hours=containers.memory_usage_gib_hours,
    ).union(
        shaped(
            idle,
            day=idle.day,
            resource=idle.resource,
            rule=ibis.literal(1),
            kind=ibis.literal(AllocationKind.IDLE.value),
            cluster=idle.cluster,
            node_pool=idle.node_pool,
            weight=idle.weight,
        )
    )


def endpoint_rule(s: Sources) -> ir.Table:
    """Rule 2: a volume or a load balancer belongs to one namespace."""
    found = s.costs.join(s.endpoints, s.costs.resource == s.endpoints.resource_id)
    return _direct(found, 2, cluster=found.cluster, namespace=found.namespace)


def database_rule(s: Sources, driver: str) -> ir.Table:
    """Rule 3: a PostgreSQL server's databases, by size (or evenly)."""
    found = s.costs.join(
        s.database_sizes,
        [s.costs.day == s.database_sizes.day, s.costs.resource == s.database_sizes.server],
    )
    weight = found.size_bytes.cast("float64") if driver == "size" else ibis.literal(1.0)
    return _direct(found, 3, tenant=found.tenant, environment=found.environment, weight=weight)


def cache_rule(s: Sources, driver: str) -> ir.Table:
    """Rule 4: a Redis server's tenant key spaces, by memory (or evenly)."""
    found = s.costs.join(
        s.cache_memory,
        [s.costs.day == s.cache_memory.day, s.costs.resource == s.cache_memory.server],
    )
    weight = found.memory_bytes.cast("float64") if driver == "memory" else ibis.literal(1.0)
    return _direct(found, 4, tenant=found.tenant, weight=weight)


def object_storage_rule(s: Sources, driver: str) -> ir.Table:
    """Rule 5: a bucket's bytes under each namespace's prefix (`s3://bucket/prefix/`)."""
    stored = s.service_usage.filter(s.service_usage.service == "object-storage")
    stored = stored.mutate(bucket=stored.resource.re_extract(r"^([a-z0-9]+://[^/]+)", 1))
    found = s.costs.join(stored, [s.costs.day == stored.day, s.costs.resource == stored.bucket])
    weight = found.quantity if driver == "bytes" else ibis.literal(1.0)
    return _direct(found, 5, cluster=found.cluster, namespace=found.namespace, weight=weight)


def backup_rule(s: Sources, driver: str) -> ir.Table:
    """Rule 6: a backup bucket's bytes per tenant."""
    found = s.costs.join(
        s.backup_bytes,
        [s.costs.day == s.backup_bytes.day, s.costs.resource == s.backup_bytes.bucket],
    )
    weight = found.size_bytes.cast("float64") if driver == "backup-bytes" else ibis.literal(1.0)
    return _direct(found, 6, tenant=found.tenant, environment=found.environment, weight=weight)


def tag_rule(s: Sources) -> ir.Table:
    """Rule 7: the tenant tag, or the namespace a volume was created for."""
    tagged = s.costs.filter(s.costs.tag_tenant.notnull() | s.costs.tag_namespace.notnull())
    by_tenant = tagged.tag_tenant.notnull()
    return _direct(
        tagged,
        7,
        tenant=tagged.tag_tenant,
        environment=ibis.ifelse(by_tenant, tagged.tag_environment, ibis.null(str)),
        service_class=ibis.ifelse(by_tenant, tagged.tag_service_class, ibis.null(str)),
        cluster=tagged.tag_cluster,
        namespace=ibis.ifelse(by_tenant, ibis.null(str), tagged.tag_namespace),
    )


def metered_rule(s: Sources, rule: int, domain: CostDomain, service: str, driver: str) -> ir.Table:
    """Rules 8 and 9: a cluster's log or egress charge, by each namespace's bytes."""
    charges = s.costs.filter(s.costs.cost_domain == domain.value)
    meter = s.service_usage.filter(s.service_usage.service == service)
    found = charges.join(
        meter,
        [
            charges.day == meter.day,
            charges.tag_cluster.isnull() | (charges.tag_cluster == meter.cluster),
        ],
    )
    weight = found.quantity if driver != "even" else ibis.literal(1.0)
    return _direct(found, rule, cluster=found.cluster, namespace=found.namespace, weight=weight)


def _direct(
    found: ir.Table, rule: int, weight: ir.Value | None = None, **who: ir.Value
) -> ir.Table:
    return shaped(
        found,
        day=found.day,
        resource=found.resource,
        rule=ibis.literal(rule),
        kind=ibis.literal(AllocationKind.DIRECT.value),
        weight=ibis.literal(1.0) if weight is None else weight,
        **who,
    )


def consumers(s: Sources, drivers: Drivers, cpu_price: float, memory_price: float) -> ir.Table:
    """Every resource-day's consumers under the first rule that finds any."""
    candidates = ibis.union(
        node_rule(s, cpu_price, memory_price),
        endpoint_rule(s),
        database_rule(s, drivers.database),
        cache_rule(s, drivers.cache),
        object_storage_rule(s, drivers.object_storage),
        backup_rule(s, drivers.backup),
        tag_rule(s),
        metered_rule(s, 8, CostDomain.OBSERVABILITY, "logs", drivers.observability),
        metered_rule(s, 9, CostDomain.INGRESS, "egress", drivers.egress),
    )
    candidates = candidates.filter(candidates.weight > 0)
    first = candidates.rule.min().over(group_by=[candidates.day, candidates.resource])
    ranked = candidates.mutate(_first=first)
    return ranked.filter(ranked.rule == ranked._first).drop("_first")
