"""The `Metrics` model as Prometheus metric families: one custom collector, no global state.

Prometheus keeps samples as 64-bit floats, so money leaves Decimal here, and only here:
a float holds about 15 significant digits, a cent of a hundred million exactly enough
(docs/metrics.md). Money metrics carry the catalog's `currency` as a label rather than
in their name (`_cost`, not `_eur`), so a dashboard works whatever the currency. A
source's age is computed at each scrape, from the cached time of its last success.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from prometheus_client.core import GaugeMetricFamily, Metric

from costplane.service import Metrics


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    labels: tuple[str, ...]


def _family(name: str, help_text: str, *labels: str) -> Family:
    return Family(f"costplane_{name}", help_text, labels)


MONTH = "month of the last allocated day, to date"
TENANT_COST = _family(
    "tenant_cost",
    f"Cost of a tenant in an environment and cost domain, every kind it carries; {MONTH}.",
    "tenant",
    "environment",
    "cost_domain",
    "currency",
)
TENANT_DAILY_COST = _family(
    "tenant_daily_cost",
    "Allocated cost of a tenant in an environment and cost domain on the last allocated day.",
    "tenant",
    "environment",
    "cost_domain",
    "currency",
)
TENANT_CHARGE = _family(
    "tenant_charge",
    f"What chargeback charges a tenant (markup, rounding and minimum included); {MONTH}.",
    "tenant",
    "currency",
)
ALLOCATED_COST = _family(
    "allocated_cost",
    f"Cost allocation placed, by kind (direct, shared, idle, overhead, unallocated); {MONTH}.",
    "kind",
    "cost_domain",
    "currency",
)
ALLOCATED_DAILY_COST = _family(
    "allocated_daily_cost",
    "Cost allocation placed on the last allocated day, by kind and cost domain.",
    "kind",
    "cost_domain",
    "currency",
)
UNTENANTED_COST = _family(
    "untenanted_cost",
    f"Of costplane_allocated_cost, what no tenant carries (unshared idle, unallocated); {MONTH}.",
    "kind",
    "cost_domain",
    "currency",
)
BILLED_COST = _family("billed_cost", f"The bill (report reconcile); {MONTH}.", "currency")
UNRECONCILED_COST = _family(
    "unreconciled_cost",
    f"The bill minus what allocation placed (report reconcile's difference); {MONTH}.",
    "currency",
)
LAST_ALLOCATED_DAY = _family(
    "last_allocated_day_timestamp_seconds",
    "Start (UTC) of the last allocated day, the day the daily costs are of.",
)
ALLOCATED_DAYS = _family(
    "allocated_days", "Allocated days of the month the month-to-date costs cover.", "period"
)
FINDINGS = _family(
    "findings",
    "Findings kept by govern, per policy, severity and status.",
    "policy",
    "severity",
    "status",
)
FINDINGS_WASTE = _family(
    "findings_monthly_waste",
    "Monthly waste of the findings kept by govern, per policy, severity and status.",
    "policy",
    "severity",
    "status",
    "currency",
)
BUDGET_AMOUNT = _family("budget_amount", "A catalog budget's monthly amount.", "budget", "currency")
BUDGET_ACTUAL = _family(
    "budget_actual_cost", f"Cost within a budget's scope; {MONTH}.", "budget", "currency"
)
BUDGET_FORECAST = _family(
    "budget_forecast_cost",
    "Cost within a budget's scope forecast for the month's end (budgets status).",
    "budget",
    "currency",
)
BUDGET_USED = _family(
    "budget_used_ratio",
    "Month-to-date cost over a budget's monthly amount (1 = all used).",
    "budget",
)
SOURCE_LAST_SUCCESS = _family(
    "source_last_success_timestamp_seconds",
    "When the last good (ok or partial) collection of a source and target finished.",
    "source",
    "target",
)
SOURCE_AGE = _family(
    "source_age_seconds",
    "Age of the last good collection of a source and target, at the scrape.",
    "source",
    "target",
)
SOURCE_STATUS = _family(
    "source_status",
    "1 for the status (ok, partial, failed) of the last run of a source and target.",
    "source",
    "target",
    "status",
)
COMPUTED = _family(
    "metrics_computed_timestamp_seconds",
    "When these metrics were last computed: they are recomputed only when data changed.",
)
GATHER_SECONDS = _family(
    "metrics_gather_duration_seconds",
    "How long the last gathering took: the first scrape after a change waits that long.",
)

FAMILIES = (
    TENANT_COST,
    TENANT_DAILY_COST,
    TENANT_CHARGE,
    ALLOCATED_COST,
    ALLOCATED_DAILY_COST,
    UNTENANTED_COST,
    BILLED_COST,
    UNRECONCILED_COST,
    LAST_ALLOCATED_DAY,
    ALLOCATED_DAYS,
    FINDINGS,
    FINDINGS_WASTE,
    BUDGET_AMOUNT,
    BUDGET_ACTUAL,
    BUDGET_FORECAST,
    BUDGET_USED,
    SOURCE_LAST_SUCCESS,
    SOURCE_AGE,
    SOURCE_STATUS,
    COMPUTED,
    GATHER_SECONDS,
)
"""Every metric the endpoint exposes (docs/metrics.md lists them all)."""

SOURCE_STATUSES = ("ok", "partial", "failed")


class MetricsCollector:
    """A prometheus-client collector over `current()`, the (cached) model of this scrape."""

    def __init__(
        self,
        current: Callable[[], Metrics],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._current = current
        self._now = now

    def describe(self) -> Iterator[Metric]:
        """The families without samples: registering does not compute the model."""
        for family in FAMILIES:
            yield GaugeMetricFamily(family.name, family.help, labels=family.labels)

    def collect(self) -> Iterator[Metric]:
        metrics = self._current()
        families = {f.name: Gauges(f) for f in FAMILIES}

        def add(family: Family, labels: Sequence[str | None], value: Decimal | float) -> None:
            families[family.name].add(labels, value)

        if (costs := metrics.costs) is not None:
            money = costs.currency
            for t in costs.tenants:
                add(TENANT_COST, (t.tenant, t.environment, t.cost_domain, money), t.month_to_date)
                add(TENANT_DAILY_COST, (t.tenant, t.environment, t.cost_domain, money), t.day)
            for c in costs.charges:
                add(TENANT_CHARGE, (c.tenant, money), c.charge)
            for k in costs.kinds:
                add(ALLOCATED_COST, (k.kind, k.cost_domain, money), k.month_to_date)
                add(ALLOCATED_DAILY_COST, (k.kind, k.cost_domain, money), k.day)
                if k.untenanted:
                    add(UNTENANTED_COST, (k.kind, k.cost_domain, money), k.untenanted)
            add(BILLED_COST, (money,), costs.billed)
            add(UNRECONCILED_COST, (money,), costs.unreconciled)
            day = dt.datetime.combine(costs.last_day, dt.time(), dt.UTC)
            add(LAST_ALLOCATED_DAY, (), day.timestamp())
            add(ALLOCATED_DAYS, (costs.period,), costs.allocated_days)
            for b in costs.budgets:
                add(BUDGET_AMOUNT, (b.budget, money), b.monthly_amount)
                add(BUDGET_ACTUAL, (b.budget, money), b.actual)
                add(BUDGET_FORECAST, (b.budget, money), b.forecast)
                if b.monthly_amount:
                    add(BUDGET_USED, (b.budget,), b.actual / b.monthly_amount)
        for g in metrics.findings:
            add(FINDINGS, (g.policy, g.severity, g.status), g.count)
            add(FINDINGS_WASTE, (g.policy, g.severity, g.status, g.currency), g.monthly_waste)
        now = self._now()
        for s in metrics.sources:
            for status in SOURCE_STATUSES:
                add(SOURCE_STATUS, (s.source, s.target, status), int(s.status == status))
            if s.last_success is not None:
                finished = s.last_success.replace(tzinfo=dt.UTC)
                add(SOURCE_LAST_SUCCESS, (s.source, s.target), finished.timestamp())
                add(SOURCE_AGE, (s.source, s.target), (now - finished).total_seconds())
        add(COMPUTED, (), metrics.computed_at.timestamp())
        add(GATHER_SECONDS, (), metrics.gather_seconds)
        for gauges in families.values():
            yield gauges.family


class Gauges:
    """One family being filled; a label without a value (None) is exposed empty, which
    Prometheus reads as the label being absent."""

    def __init__(self, family: Family) -> None:
        self.family = GaugeMetricFamily(family.name, family.help, labels=family.labels)

    def add(self, labels: Sequence[str | None], value: Decimal | float) -> None:
        self.family.add_metric([label or "" for label in labels], float(value))
