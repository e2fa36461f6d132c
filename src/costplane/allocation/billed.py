"""What the bill says before any allocation: billed cost per cost domain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from costplane.allocation.cost_domain import cost_domain
from costplane.warehouse import Warehouse

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class DomainCost:
    domain: str
    billed_cost: Decimal
    effective_cost: Decimal


def _charges(warehouse: Warehouse, start: dt.datetime, end: dt.datetime) -> ir.Table:
    lines = warehouse.table("billing_lines")
    return lines.filter(lines.charge_period_start >= start, lines.charge_period_start < end)


def billed_by_domain(
    warehouse: Warehouse, start: dt.datetime, end: dt.datetime
) -> list[DomainCost]:
    """Billed and effective cost per cost domain for charges starting in [start, end)."""
    lines = _charges(warehouse, start, end)
    lines = lines.mutate(
        domain=cost_domain(lines.service_category, lines.service_subcategory).fill_null(
            UNCLASSIFIED
        )
    )
    totals = lines.group_by("domain").aggregate(
        billed_cost=lines.billed_cost.sum(), effective_cost=lines.effective_cost.sum()
    )
    rows = totals.order_by(ibis.desc("billed_cost")).to_pyarrow().to_pylist()
    # Exact: a reader adds them up before it rounds what it prints.
    return [DomainCost(r["domain"], r["billed_cost"], r["effective_cost"]) for r in rows]
