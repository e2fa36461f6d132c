"""Spreading what no single tenant consumed: shared platform cost, idle capacity, overhead.

A pool is an amount on a day (and, for cluster services, in a cluster) that is
not yet any tenant's. Pools reach tenants with the same exact `apportion`:

- platform namespaces (Traefik, logging) follow their domain's driver: requests
  per router, log bytes per namespace, of the tenants in the same cluster;
- other shared namespaces, and idle capacity when `share_idle` is set, follow
  the shared rule over the tenants with direct cost in the same cluster that day
  (`weighted`: in proportion to it; `even`: equally), falling back to every
  tenant with direct cost that day when the cluster has none;
- overhead follows its own rule over every tenant with direct cost that day.

What still finds no tenant stays a pool line without a tenant, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from costplane.allocation.apportion import apportion, unweighted
from costplane.catalog import SharedRule

AMOUNTS = ("billed", "amortized")
TENANT_COLUMNS = ("tenant", "environment", "service_class")


def tenant_weights(direct: ir.Table, rule: SharedRule, by_cluster: bool) -> ir.Table:
    """Each tenant environment's weight per day (and cluster): its direct cost, or 1."""
    keys = ["day", "cluster", *TENANT_COLUMNS] if by_cluster else ["day", *TENANT_COLUMNS]
    rows = direct.filter(direct.cluster.notnull()) if by_cluster else direct
    totals = rows.group_by(keys).aggregate(cost=rows.billed.sum())
    weight = totals.cost.cast("float64") if rule is SharedRule.WEIGHTED else ibis.literal(1.0)
    return totals.filter(totals.cost > 0).mutate(weight=weight).drop("cost")


def spread(
    pools: ir.Table, weights: ir.Table, key: Sequence[str], join_on: Sequence[str]
) -> tuple[ir.Table, ir.Table]:
    """(each pool's shares per tenant, the pools no tenant could take).

    `pools` is unique by `key`; `weights` are matched to it on `join_on` (a part
    of `key`), so one set of tenant weights serves every pool of a day.
    """
    keyed = pools.select(*key).distinct().join(weights, list(join_on))
    shares = apportion(pools, keyed, key, AMOUNTS, consumer_order=list(TENANT_COLUMNS))
    return shares, unweighted(pools, keyed, key)


def spread_by_rule(
    pools: ir.Table, direct: ir.Table, rule: SharedRule, key: Sequence[str]
) -> tuple[ir.Table, ir.Table]:
    """Pools keyed by `key` (which has day and cluster) to the cluster's tenants, and
    what no tenant of the cluster takes to every tenant of the day (cluster kept)."""
    in_cluster, left = spread(
        pools, tenant_weights(direct, rule, by_cluster=True), key, ["day", "cluster"]
    )
    anywhere, rest = spread(left, tenant_weights(direct, rule, by_cluster=False), key, ["day"])
    columns = [*key, *TENANT_COLUMNS, *AMOUNTS]
    return in_cluster.select(*columns).union(anywhere.select(*columns)), rest
