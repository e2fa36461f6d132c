"""The bill as cost per resource per day, in nano-units, ready to be split.

A charge whose period lies within one UTC day belongs to that day. A longer one
(a monthly fee, a purchase) is spread over the days it covers by the seconds of
each, with `apportion`, so its days add up to the charge exactly. Each charge is
placed in a cost domain by its FOCUS service classification, and the tags the
cost model uses are read from its `Tags`.
"""

from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

from costplane.allocation.apportion import NANO, apportion
from costplane.allocation.cost_domain import cost_domain

AMOUNTS = ("billed", "amortized")

CLUSTER_TAG = "kubernetes.io/cluster"
PVC_NAMESPACE_TAG = "kubernetes.io/created-for/pvc/namespace"


def tag(tags: ir.StringValue, key: str) -> ir.StringValue:
    """The value of one key of a FOCUS `Tags` JSON object (NULL when absent).

    A regular expression rather than JSON functions: label keys contain dots and
    slashes, which JSON paths split on differently in every engine.
    """
    return tags.re_extract(rf'"{re.escape(key)}"\s*:\s*"([^"]*)"', 1).nullif("")


def bill_charges(lines: ir.Table, days: ir.Table) -> ir.Table:
    """Every charge overlapping `days`, per day, with its nano-amounts and attributes.

    `days` must cover every charge's whole period (see `charge_span`), so a
    charge spread over several days is split over all of them before the days
    outside the allocation window are dropped by the caller.
    """
    one_second = ibis.interval(seconds=1)
    charges = lines.mutate(
        line_start=lines.charge_period_start,
        line_end=ibis.greatest(lines.charge_period_end, lines.charge_period_start + one_second),
        billed=(lines.billed_cost * NANO).round(0).cast("int64"),
        amortized=(lines.effective_cost.fill_null(lines.billed_cost) * NANO).round(0).cast("int64"),
    )
    day_of = charges.line_start.truncate("D")
    single = charges.filter(charges.line_end <= day_of + ibis.interval(days=1))
    single = single.mutate(day=single.line_start.date())
    multi = charges.filter(charges.line_end > day_of + ibis.interval(days=1))
    overlap = multi.join(days, [multi.line_start < days.day_end, multi.line_end > days.day_start])
    seconds = (
        ibis.least(overlap.line_end, overlap.day_end).epoch_seconds()
        - ibis.greatest(overlap.line_start, overlap.day_start).epoch_seconds()
    )
    weights = overlap.select("load_id", "source_row", "day", weight=seconds.cast("float64"))
    spread = apportion(
        multi.select("load_id", "source_row", *AMOUNTS),
        weights,
        key=["load_id", "source_row"],
        amount_columns=AMOUNTS,
        consumer_order=["day"],
    )
    attributes = multi.drop(*AMOUNTS)
    spread = spread.join(attributes, ["load_id", "source_row"]).drop("weight")
    columns = list(spread.columns)
    return single.select(*columns).union(spread.select(*columns))


def resource_costs(
    charges: ir.Table, labels_tenant: str, labels_environment: str, labels_service_class: str
) -> ir.Table:
    """Cost per (day, resource): what the split works on, one row each."""
    resource = charges.resource_id.fill_null(
        ibis.literal("(no resource) ") + charges.service_name.fill_null("")
    )
    described = charges.mutate(
        resource=resource,
        cost_domain=cost_domain(charges.service_category, charges.service_subcategory),
        tag_tenant=tag(charges.tags, labels_tenant),
        tag_environment=tag(charges.tags, labels_environment),
        tag_service_class=tag(charges.tags, labels_service_class),
        tag_cluster=tag(charges.tags, CLUSTER_TAG),
        tag_namespace=tag(charges.tags, PVC_NAMESPACE_TAG),
    )
    return described.group_by(["day", "resource"]).aggregate(
        billed=described.billed.sum(),
        amortized=described.amortized.sum(),
        cost_domain=described.cost_domain.min(),
        service_subcategory=described.service_subcategory.min(),
        tag_tenant=described.tag_tenant.min(),
        tag_environment=described.tag_environment.min(),
        tag_service_class=described.tag_service_class.min(),
        tag_cluster=described.tag_cluster.min(),
        tag_namespace=described.tag_namespace.min(),
    )
