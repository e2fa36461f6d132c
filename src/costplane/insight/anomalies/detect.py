"""Cost anomalies of a month: days a tenant's or a cluster's cost in a domain ran
above its baseline, with the excess money and what drove it.

Series: daily allocated cost per (tenant, cost domain) for every tenant, and per
(cluster, cost domain) over everything the cluster carries (tenants, shared, idle). Each
allocated day of the month is judged against the baseline of `baseline.expected`. The
driver is the part of the series that grew most against its own median: a namespace (or,
for a cluster, a tenant), or, when the cost carries no namespace (databases, caches,
backups), the bill line of the domain that grew most that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from costplane.allocation import Window, daily_billed, daily_cost
from costplane.insight.anomalies.baseline import (
    LEVEL_DAYS,
    MIN_REFERENCE,
    REFERENCE_DAYS,
    Sensitivity,
    expected,
)
from costplane.warehouse import Warehouse

ORDERS = "orders_confirmed"
"""The business signal a tenant's expected cost follows (Odoo's confirmed sale orders)."""
ZERO = Decimal(0)
NANO = Decimal("0.000000001")
Series = dict[dt.date, Decimal]


@dataclass(frozen=True)
class Anomaly:
    tenant: str | None
    """None for a cluster's series."""
    cost_domain: str
    day: dt.date
    expected: Decimal
    actual: Decimal
    excess: Decimal
    driver: str
    """The namespace, tenant or bill line (resource id) that grew most."""
    cluster: str | None = None
    """The cluster of a cluster's series; None for a tenant's."""
    driver_excess: Decimal = ZERO
    """How much the driver grew against its own median that day."""
    score: Decimal = ZERO
    """excess / spread: how many spreads above the expected amount, to 0.1."""
    business: Decimal = Decimal(1)
    """The tenant's confirmed orders that day over their own expected count, when above 1:
    the factor `expected` already carries (a cost that follows the business is none)."""


@dataclass(frozen=True)
class Anomalies:
    period: str
    days: tuple[dt.date, ...]
    """The month's allocated days that were judged (enough history before them)."""
    anomalies: tuple[Anomaly, ...]


@dataclass(frozen=True)
class _Owner:
    tenant: str | None
    cluster: str | None
    domain: str


def find_anomalies(
    warehouse: Warehouse, month: Window, sensitivity: Sensitivity | None = None
) -> Anomalies:
    """Every anomaly of the month's allocated days, by day, largest excess first."""
    rule = sensitivity or Sensitivity()
    first = month.start - dt.timedelta(days=REFERENCE_DAYS)
    rows = daily_cost(
        warehouse, first, month.end, ("tenant", "cluster", "cost_domain", "namespace", "kind")
    )
    days = sorted({row["day"] for row in rows})
    series: dict[_Owner, Series] = defaultdict(lambda: defaultdict(lambda: ZERO))
    parts: dict[_Owner, dict[str, Series]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: ZERO))
    )
    totals: dict[tuple[str | None, str | None], Series] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    for row in rows:
        day, cost, domain = row["day"], row["cost"], row["cost_domain"]
        if row["tenant"] is not None:
            owner = _Owner(row["tenant"], None, domain)
            series[owner][day] += cost
            parts[owner][_part(row["namespace"], row["kind"])][day] += cost
            totals[(row["tenant"], None)][day] += cost
        if row["cluster"] is not None:
            owner = _Owner(None, row["cluster"], domain)
            series[owner][day] += cost
            parts[owner][row["tenant"] or ""][day] += cost
            totals[(None, row["cluster"])][day] += cost
    orders = _orders(warehouse, first, month.end)
    judged = [
        d
        for d in days
        if month.start <= d < month.end
        and sum(1 for e in days if d - dt.timedelta(days=REFERENCE_DAYS) <= e < d) >= MIN_REFERENCE
    ]
    found: list[Anomaly] = []
    billed: dict[str, list[dict[str, Any]]] = {}
    for owner in sorted(series, key=lambda o: (o.tenant or "", o.cluster or "", o.domain)):
        values = series[owner]
        for day in judged:
            volume = orders.get(owner.tenant or "", {})
            anomaly = _judge(
                owner, values, day, days, totals[(owner.tenant, owner.cluster)], volume, rule
            )
            if anomaly is None:
                continue
            driver, grew = _driver(parts[owner], day, days)
            if not driver:
                if owner.domain not in billed:
                    billed[owner.domain] = daily_billed(warehouse, first, month.end, owner.domain)
                driver, grew = _bill_driver(billed[owner.domain], day, days)
            found.append(
                Anomaly(
                    tenant=anomaly.tenant,
                    cost_domain=anomaly.cost_domain,
                    day=day,
                    expected=anomaly.expected,
                    actual=anomaly.actual,
                    excess=anomaly.excess,
                    driver=driver,
                    cluster=anomaly.cluster,
                    driver_excess=grew.quantize(NANO, rounding=ROUND_HALF_UP),
                    score=anomaly.score,
                    business=anomaly.business,
                )
            )
    found = _without_echoes(found)
    found.sort(key=lambda a: (a.day, -a.excess, a.tenant or "", a.cluster or "", a.cost_domain))
    return Anomalies(f"{month.start:%Y-%m}", tuple(d for d in judged), tuple(found))


def _without_echoes(found: list[Anomaly]) -> list[Anomaly]:
    """Drop a tenant's anomaly driven by its share of shared cost (`(shared)`, `(idle)`,
    `(overhead)`) when the tenant has another anomaly that day: under the weighted rule
    that share follows the tenant's direct cost, so it only echoes the anomaly kept."""
    rooted = {(a.tenant, a.day) for a in found if a.tenant is not None and not _echo(a)}
    return [a for a in found if not (_echo(a) and (a.tenant, a.day) in rooted)]


def _echo(anomaly: Anomaly) -> bool:
    return anomaly.tenant is not None and anomaly.driver.startswith("(")


def _part(namespace: str | None, kind: str) -> str:
    """What a tenant's cost is made of, for its driver: the namespace; without one, its
    kind when not direct (`(shared)`: its share of shared cost grew with its direct
    cost); "" for direct cost no namespace carries (the bill is asked)."""
    if namespace:
        return namespace
    return "" if kind == "direct" else f"({kind})"


def _judge(
    owner: _Owner,
    values: Mapping[dt.date, Decimal],
    day: dt.date,
    days: list[dt.date],
    total: Mapping[dt.date, Decimal],
    orders: Mapping[dt.date, Decimal],
    rule: Sensitivity,
) -> Anomaly | None:
    base = expected(values, day, days, rule.floor)
    if base is None:
        return None
    business = _business(orders, day, days)
    actual = values.get(day, ZERO)
    amount = (base.amount * business).quantize(NANO, rounding=ROUND_HALF_UP)
    spread = base.spread * business
    excess = actual - amount
    if excess <= rule.k * spread:
        return None
    recent = [total.get(d, ZERO) for d in days if d < day][-LEVEL_DAYS:]
    if excess < max(rule.min_excess, rule.min_share * median(recent)):
        return None
    score = (excess / spread).quantize(Decimal("0.1")) if spread > 0 else ZERO
    return Anomaly(
        owner.tenant,
        owner.domain,
        day,
        amount,
        actual,
        excess,
        "",
        owner.cluster,
        ZERO,
        score,
        business.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )


def _business(orders: Mapping[dt.date, Decimal], day: dt.date, days: list[dt.date]) -> Decimal:
    """The day's confirmed orders over their own weekday-adjusted median, at least 1 (a
    quiet day does not make a cost anomalous); 1 without enough order history."""
    if not orders:
        return Decimal(1)
    base = expected(orders, day, days, ZERO)
    if base is None or base.amount <= 0:
        return Decimal(1)
    return max(Decimal(1), orders.get(day, ZERO) / base.amount)


def _orders(warehouse: Warehouse, first: dt.date, end: dt.date) -> dict[str, Series]:
    """Confirmed production orders per tenant and day (`business_signals`)."""
    signals = warehouse.table("business_signals")
    rows = signals.filter(
        signals.day >= first,
        signals.day < end,
        signals.signal == ORDERS,
        signals.environment == "production",
    )
    summed = rows.group_by(["tenant", "day"]).aggregate(count=rows["count"].sum())
    found: dict[str, Series] = defaultdict(dict)
    for row in summed.to_pyarrow().to_pylist():
        if row["tenant"] is not None and row["count"] is not None:
            found[row["tenant"]][row["day"]] = Decimal(row["count"])
    return found


def _grown(values: Mapping[dt.date, Decimal], day: dt.date, days: list[dt.date]) -> Decimal:
    before = [values.get(d, ZERO) for d in days if d < day][-LEVEL_DAYS:]
    return values.get(day, ZERO) - (median(before) if before else ZERO)


def _driver(
    parts: Mapping[str, Mapping[dt.date, Decimal]], day: dt.date, days: list[dt.date]
) -> tuple[str, Decimal]:
    """The named part (namespace or tenant) that grew most; "" when the unnamed part did."""
    grown = sorted(
        ((_grown(values, day, days), name) for name, values in parts.items()), reverse=True
    )
    if not grown:
        return "", ZERO
    growth, name = grown[0]
    return name, growth


def _bill_driver(
    lines: list[dict[str, Any]], day: dt.date, days: list[dt.date]
) -> tuple[str, Decimal]:
    """The bill line (resource id) of the domain whose billed cost grew most that day."""
    by_line: dict[str, Series] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in lines:
        by_line[row["resource_id"] or row["resource_name"] or "(no resource id)"][row["day"]] += (
            row["cost"]
        )
    grown = sorted(
        ((_grown(values, day, days), name) for name, values in by_line.items()), reverse=True
    )
    if not grown:
        return "(no bill line)", ZERO
    growth, name = grown[0]
    return name, growth
