"""The daily allocation, written once as Ibis expressions (docs/allocation.md).

`allocation_table` builds one expression from the warehouse tables and the
dimensions; it runs unchanged on DuckDB, PostgreSQL and Spark. Money travels as
whole nano-units (int64) through every split and becomes decimal(38, 9) only
at the end, so the parts of each billed amount add up to it exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from costplane.allocation.apportion import NANO, apportion, unweighted, without
from costplane.allocation.charges import bill_charges, resource_costs
from costplane.allocation.consumers import Sources, consumers, daily_usage
from costplane.allocation.kind import AllocationKind
from costplane.allocation.shared import (
    AMOUNTS,
    TENANT_COLUMNS,
    spread,
    spread_by_rule,
    tenant_weights,
)
from costplane.catalog import Catalog, CostDomain, SharedRule

MONEY = dt.Decimal(38, 9)
PART = dt.Decimal(28, 9)  # two of these add up exactly on every engine (Spark: decimal(29, 9))


@dataclass(frozen=True)
class Inputs:
    """The warehouse tables and the dimension tables, as Ibis tables on one backend."""

    billing_lines: ir.Table
    usage_samples: ir.Table
    service_usage: ir.Table
    database_stats: ir.Table
    cache_stats: ir.Table
    backup_records: ir.Table
    days: ir.Table  # every day any charge overlapping the window covers
    window: ir.Table  # the days to allocate
    nodes: ir.Table
    endpoints: ir.Table
    volumes: ir.Table
    namespaces: ir.Table
    tenants: ir.Table
    overhead: ir.Table  # day, overhead, cost_domain, rule, billed, amortized


Stage = Callable[[str, ir.Table], ir.Table]
"""Where the engine may materialise an intermediate result (a temporary table).

Keeping everything one expression is correct but makes SQL that repeats shared
parts (Ibis inlines them); staging the few reused results keeps each query small.
"""


def in_one_expression(_name: str, table: ir.Table) -> ir.Table:
    return table


def allocation_table(
    inputs: Inputs, catalog: Catalog, stage: Stage = in_one_expression
) -> ir.Table:
    """Every amount of the window's bill (and price-sheet and overhead cost) placed."""
    inputs = replace(inputs, nodes=billed_as(inputs.nodes))
    prices = catalog.price_sheet
    cpu_price, memory_price = float(prices.cpu.canonical), float(prices.memory.canonical)
    window_days = inputs.window.select("day")
    charges = bill_charges(inputs.billing_lines, inputs.days).semi_join(window_days, "day")
    labels = catalog.labels
    bill = resource_costs(charges, labels.tenant, labels.environment, labels.service_class)
    bill = stage("bill", bill.mutate(source=ibis.literal("bill")))
    usage = stage(
        "usage",
        daily_usage(
            inputs.usage_samples.filter(
                inputs.usage_samples.hour >= inputs.window.day_start.min(),
                inputs.usage_samples.hour < inputs.window.day_end.max(),
            )
        ),
    )
    costs = stage(
        "costs",
        bill.union(price_sheet_costs(inputs, bill, usage, cpu_price, memory_price, catalog)),
    )
    sources = Sources(
        costs=costs,
        usage=usage,
        nodes=inputs.nodes,
        endpoints=inputs.endpoints,
        database_sizes=as_of(
            inputs.database_stats.filter(inputs.database_stats.relation_kind == "database"),
            inputs.window,
            ["server", "database"],
        ).select("day", "server", "tenant", "environment", "size_bytes"),
        cache_memory=as_of(
            inputs.cache_stats.filter(inputs.cache_stats.tenant.notnull()),
            inputs.window,
            ["server", "tenant"],
        ).select("day", "server", "tenant", "memory_bytes"),
        service_usage=inputs.service_usage.semi_join(window_days, "day"),
        backup_bytes=backup_bytes(inputs.backup_records, inputs.window),
    )
    found = stage(
        "consumers", consumers(sources, catalog.allocation.drivers, cpu_price, memory_price)
    )
    order = ["kind", "cluster", "namespace", "tenant", "environment", "node_pool"]
    split = apportion(costs, found, ["day", "resource"], AMOUNTS, order)
    placed = stage("placed", resolve(split, inputs.namespaces, inputs.tenants))
    lost = unweighted(costs, found, ["day", "resource"])
    return finish(placed, lost, inputs, catalog)


def billed_as(nodes: ir.Table) -> ir.Table:
    """Nodes with the id their cost is known by: the providerID, or `node/<cluster>/<name>`
    for a node without one (priced from the sheet only), so pricing and splitting agree."""
    fallback = ibis.literal("node/") + nodes.cluster + "/" + nodes.node
    return nodes.mutate(provider_id=nodes.provider_id.fill_null(fallback))


def price_sheet_costs(
    inputs: Inputs,
    bill: ir.Table,
    usage: ir.Table,
    cpu_price: float,
    memory_price: float,
    catalog: Catalog,
) -> ir.Table:
    """Nodes and volumes of clusters the bill does not cover that day, at price-sheet prices.

    A cluster is priced from the sheet on a day it ran containers but none of its nodes
    has a bill line; then every node it has is priced (a node that runs no pod is idle,
    not free). A resource that has a bill line of its own that day keeps it and is not
    priced again: the split needs one amount per resource and day.
    """
    billed_nodes = inputs.nodes.join(bill, inputs.nodes.provider_id == bill.resource)
    covered = billed_nodes.select("day", "cluster").distinct()
    unbilled = without(usage.select("day", "cluster").distinct(), covered, ["day", "cluster"])
    nodes = unbilled.join(inputs.nodes, ["cluster"])
    per_day = (nodes.cpu_cores * cpu_price + nodes.memory_gib * memory_price) * 24 * NANO
    node_costs = nodes.select(
        day=nodes.day,
        resource=nodes.provider_id,
        amount=per_day.round(0).cast("int64"),
        cost_domain=ibis.literal(CostDomain.COMPUTE.value),
    )
    storage = {name: float(price.canonical) for name, price in catalog.price_sheet.storage.items()}
    volumes = unbilled.join(inputs.volumes, ["cluster"])
    volume_price = ibis.cases(
        *((volumes.storage_class == name, price) for name, price in storage.items()),
        else_=ibis.null(float),
    )
    volume_costs = volumes.filter(volume_price.notnull()).select(
        day=volumes.day,
        resource=volumes.resource_id,
        amount=(volumes.capacity_gib * volume_price * 24 * NANO).round(0).cast("int64"),
        cost_domain=ibis.literal(CostDomain.STORAGE.value),
    )
    priced = without(node_costs.union(volume_costs), bill, ["day", "resource"])
    return shaped_costs(priced, source="price-sheet")


def shaped_costs(priced: ir.Table, source: str) -> ir.Table:
    none = ibis.null(str)
    return priced.select(
        day=priced.day,
        resource=priced.resource,
        billed=priced.amount,
        amortized=priced.amount,
        cost_domain=priced.cost_domain,
        service_subcategory=none,
        tag_tenant=none,
        tag_environment=none,
        tag_service_class=none,
        tag_cluster=none,
        tag_namespace=none,
        source=ibis.literal(source),
    )


def as_of(snapshots: ir.Table, window: ir.Table, identity: list[str]) -> ir.Table:
    """For each day, each object's latest snapshot taken by the end of that day (7 days back)."""
    paired = snapshots.join(
        window,
        [
            snapshots.taken_at <= window.day_end,
            snapshots.taken_at > window.day_end - ibis.interval(days=7),
        ],
    )
    newest = ibis.row_number().over(
        group_by=[paired.day, *(paired[c] for c in identity)], order_by=ibis.desc(paired.taken_at)
    )
    return paired.mutate(_rank=newest).filter(ibis._._rank == 0).drop("_rank")


def backup_bytes(records: ir.Table, window: ir.Table) -> ir.Table:
    """Per day, each tenant's bytes of the backups the latest catalogue lists as done by then."""
    backups = records.filter(records.record_type == "backup", records.status == "ok")
    latest = backups.taken_at.max().over(group_by=[backups.tool, backups.tenant, backups.database])
    listed = backups.mutate(_latest=latest).filter(ibis._.taken_at == ibis._._latest)
    listed = listed.mutate(bucket=listed.location.re_extract(r"^([a-z0-9]+://[^/]+)", 1))
    held = listed.join(window, listed.finished_at < window.day_end)
    return held.group_by(["day", "bucket", "tenant", "environment"]).aggregate(
        size_bytes=held.size_bytes.sum()
    )


def resolve(split: ir.Table, namespaces: ir.Table, tenants: ir.Table) -> ir.Table:
    """Each consumer as tenant, shared, platform, idle or unknown (its namespace unmapped)."""
    joined = split.left_join(
        namespaces,
        [split.cluster == namespaces.cluster, split.namespace == namespaces.namespace],
    )
    tenant = joined.tenant.fill_null(joined.tenant_right)
    joined = joined.mutate(
        tenant=tenant,
        environment=joined.environment.fill_null(joined.environment_right),
        service_class_hint=joined.service_class.fill_null(joined.service_class_right),
        role=ibis.cases(
            (joined.kind == AllocationKind.IDLE.value, "idle"),
            (tenant.notnull(), "tenant"),
            (joined.role.notnull(), joined.role),
            else_="unknown",
        ),
    )
    joined = joined.drop(
        "cluster_right",
        "namespace_right",
        "tenant_right",
        "environment_right",
        "service_class",
        "service_class_right",
    )
    classed = joined.left_join(tenants, joined.tenant == tenants.tenant)
    return classed.mutate(
        service_class=classed.service_class_hint.fill_null(classed.service_class)
    ).drop("tenant_right", "service_class_hint")


def finish(placed: ir.Table, lost: ir.Table, inputs: Inputs, catalog: Catalog) -> ir.Table:
    """Direct, shared, idle, unallocated and overhead lines, grouped into the output."""
    rules = catalog.allocation
    direct = placed.filter(placed.role == "tenant")
    platform, leftover = platform_shares(placed, direct, inputs, catalog)
    # Shared namespaces and platform cost no driver could place can fall on one key (day,
    # cluster, domain, source): summed into one pool, as the split takes one amount a key.
    pool_columns = ["day", "cluster", "cost_domain", "source", *AMOUNTS]
    shared_rows = placed.filter(placed.role == "shared").select(*pool_columns)
    shared_pools = pools(shared_rows.union(leftover.select(*pool_columns)), [])
    shared, unshared = spread_by_rule(
        shared_pools, direct, rules.shared_rule, ["day", "cluster", "cost_domain", "source"]
    )
    idle = placed.filter(placed.role == "idle")
    lines = [
        out(direct, kind=AllocationKind.DIRECT),
        out(placed.filter(placed.role == "unknown"), kind=AllocationKind.UNALLOCATED),
        out(
            lost.mutate(tenant=ibis.null(str)), kind=AllocationKind.UNALLOCATED, keep_resource=True
        ),
        out(platform, kind=AllocationKind.SHARED),
        out(shared, kind=AllocationKind.SHARED),
        out(unshared, kind=AllocationKind.SHARED),
    ]
    if rules.share_idle:
        idle_pools = pools(idle, ["node_pool"])
        spread_idle, kept = spread_by_rule(
            idle_pools,
            direct,
            rules.shared_rule,
            ["day", "cluster", "node_pool", "cost_domain", "source"],
        )
        lines += [
            out(pooled(spread_idle), kind=AllocationKind.IDLE),
            out(pooled(kept), kind=AllocationKind.IDLE),
        ]
    else:
        lines.append(out(idle, kind=AllocationKind.IDLE, keep_resource=True))
    lines.append(overhead_shares(inputs.overhead, direct))
    return group(ibis.union(*lines))


NO_POOL = ""
"""A node pool key for nodes without a pool label: a NULL key would match no tenant's
weights in the split (NULL equals nothing), so such idle was never spread."""


def pools(rows: ir.Table, extra: list[str]) -> ir.Table:
    """Amounts summed per day, cluster, domain and source (and `extra`), keys never NULL:
    a domain the bill does not classify is `overhead` (as in the output), a missing
    `extra` value NO_POOL (see `pooled`)."""
    keyed = rows.mutate(
        cost_domain=rows.cost_domain.fill_null("overhead"),
        **{column: rows[column].fill_null(NO_POOL) for column in extra},
    )
    keys = ["day", "cluster", *extra, "cost_domain", "source"]
    return keyed.group_by(keys).aggregate(
        billed=keyed.billed.sum(), amortized=keyed.amortized.sum()
    )


def pooled(rows: ir.Table) -> ir.Table:
    """Spread idle with its node pool as the allocation states it: NULL when it has none."""
    return rows.mutate(node_pool=rows.node_pool.nullif(NO_POOL))


def platform_shares(
    placed: ir.Table, direct: ir.Table, inputs: Inputs, catalog: Catalog
) -> tuple[ir.Table, ir.Table]:
    """Platform namespaces' cost by their domain's driver; what finds no tenant, as pools."""
    rows = placed.filter(placed.role == "platform")
    by_domain = rows.group_by(
        ["day", "cluster", "platform_domain", "cost_domain", "source"]
    ).aggregate(billed=rows.billed.sum(), amortized=rows.amortized.sum())
    drivers = catalog.allocation.drivers
    meters = {
        CostDomain.INGRESS.value: ("traefik", drivers.ingress),
        CostDomain.OBSERVABILITY.value: ("logs", drivers.observability),
    }
    usage = inputs.service_usage
    parts = []
    for domain, (service, driver) in meters.items():
        meter = usage.filter(usage.service == service)
        meter = meter.join(inputs.namespaces, ["cluster", "namespace"]).filter(
            ibis._.role == "tenant"
        )
        weighted = meter.group_by(["day", "cluster", *TENANT_COLUMNS]).aggregate(
            weight=meter.quantity.sum()
        )
        if driver == "even":
            weighted = weighted.mutate(weight=ibis.literal(1.0))
        parts.append(weighted.mutate(platform_domain=ibis.literal(domain)))
    weights = ibis.union(*parts)
    key = ["day", "cluster", "platform_domain", "cost_domain", "source"]
    shares, rest = spread(by_domain, weights, key, ["day", "cluster", "platform_domain"])
    return shares, rest.drop("platform_domain")


def overhead_shares(overhead: ir.Table, direct: ir.Table) -> ir.Table:
    """Fixed catalog costs per day, spread by each entry's rule over the day's tenants."""
    lines = []
    for rule in SharedRule:
        pool = overhead.filter(overhead.rule == rule.value).drop("rule")
        shares, rest = spread(
            pool, tenant_weights(direct, rule, by_cluster=False), ["day", "overhead"], ["day"]
        )
        lines += [
            out(shares, kind=AllocationKind.OVERHEAD),
            out(rest, kind=AllocationKind.OVERHEAD),
        ]
    return ibis.union(*lines)


def out(rows: ir.Table, kind: AllocationKind, keep_resource: bool = False) -> ir.Table:
    """Rows in the output shape (before grouping), amounts still in nano-units."""

    def column(name: str, dtype: dt.DataType) -> ir.Value:
        return rows[name].cast(dtype) if name in rows.columns else ibis.null(dtype)

    source = column("source", dt.string)
    return rows.select(
        day=rows.day,
        tenant=column("tenant", dt.string),
        environment=column("environment", dt.string),
        service_class=column("service_class", dt.string),
        namespace=column("namespace", dt.string),
        cluster=column("cluster", dt.string),
        node_pool=column("node_pool", dt.string),
        cost_domain=column("cost_domain", dt.string).fill_null("overhead"),
        kind=ibis.literal(kind.value),
        source=source.fill_null("catalog"),
        resource=column("resource", dt.string) if keep_resource else ibis.null(str),
        billed=rows.billed,
        amortized=rows.amortized,
        cpu_core_hours=column("cpu_core_hours", dt.float64),
        cpu_usage_core_hours=column("cpu_usage_core_hours", dt.float64),
        memory_gib_hours=column("memory_gib_hours", dt.float64),
        memory_usage_gib_hours=column("memory_usage_gib_hours", dt.float64),
        weight=column("weight", dt.float64),
        usage_weight=column("usage_weight", dt.float64),
    )


ALLOCATION_KEY = (
    "day",
    "tenant",
    "environment",
    "service_class",
    "namespace",
    "cluster",
    "node_pool",
    "cost_domain",
    "kind",
    "source",
    "resource",
)
"""What one row of the allocation is about: its rows are unique by these columns."""


def group(lines: ir.Table) -> ir.Table:
    keys = list(ALLOCATION_KEY)
    grouped = lines.group_by(keys).aggregate(
        billed=lines.billed.sum(),
        amortized=lines.amortized.sum(),
        cpu_core_hours=lines.cpu_core_hours.sum(),
        cpu_usage_core_hours=lines.cpu_usage_core_hours.sum(),
        memory_gib_hours=lines.memory_gib_hours.sum(),
        memory_usage_gib_hours=lines.memory_usage_gib_hours.sum(),
        usage_weight=lines.usage_weight.sum(),
        weight=lines.weight.sum(),
    )
    efficiency = ibis.ifelse(
        grouped.weight > 0, grouped.usage_weight / grouped.weight, ibis.null(float)
    )
    return grouped.select(
        *keys,
        cost=money(grouped.billed),
        amortized_cost=money(grouped.amortized),
        cpu_core_hours=grouped.cpu_core_hours,
        cpu_usage_core_hours=grouped.cpu_usage_core_hours,
        memory_gib_hours=grouped.memory_gib_hours,
        memory_usage_gib_hours=grouped.memory_usage_gib_hours,
        efficiency=efficiency,
    )


def money(nano: ir.IntegerValue) -> ir.DecimalValue:
    """Nano-units as an exact decimal(38, 9) on every engine.

    Whole units and the nano-units below one are converted apart, then added as
    decimal(28, 9). One division of the whole amount would not do: DuckDB divides
    decimals as doubles (123456789.012345678 came back as 123456789.012345680),
    and Spark keeps only 6 places of a quotient of wide decimals. Here each double
    is far from a rounding boundary: the units are a whole number (rounded, never
    floored), the fraction has 9 digits (a double holds 15).
    """
    magnitude = int64(nano).abs()
    below_one = magnitude % NANO
    units = ((magnitude - below_one) / NANO).round().cast(dt.int64)
    exact = units.cast(PART) + (below_one / NANO).cast(PART)
    return ibis.ifelse(nano < 0, -exact, exact).cast(MONEY)


def int64(value: ir.IntegerValue) -> ir.IntegerValue:
    """`value` cast to int64 in the SQL as well. Ibis leaves out a cast to the type it
    already infers, but DuckDB sums int64 into a 128-bit integer, whose `%` is slow."""
    return ops.Cast(value, to=dt.int64).to_expr()
