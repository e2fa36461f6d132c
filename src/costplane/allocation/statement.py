"""Showback and chargeback: a month of the `allocations` table as finance and tenants read it.

Showback is every amount the allocation placed in the month, per tenant (and the
`--by` dimensions), in kind columns (direct, shared, idle, overhead) so each euro
shows where it comes from; what no tenant carries (unallocated, unshared idle)
is a line of its own, so the statement adds up to the bill, plus price-sheet and
overhead cost, exactly. Chargeback turns each tenant's lines into charges by the
catalog's `chargeback` rules. The rules, with a worked example: docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import ibis.expr.types as ir

from costplane.allocation.kind import AllocationKind
from costplane.allocation.window import DAY, Window
from costplane.catalog import Catalog, ChargebackRules
from costplane.errors import ExecutionError, InputError
from costplane.warehouse import ALLOCATIONS, Warehouse

ZERO = Decimal(0)

Dimension = Literal["tenant", "environment", "service_class", "cost_domain"]
DIMENSIONS: dict[str, Dimension] = {
    "tenant": "tenant",
    "environment": "environment",
    "service-class": "service_class",
    "domain": "cost_domain",
}
"""What `--by` accepts, and the `allocations` column each name groups by."""

KINDS = tuple(AllocationKind)

LineKind = Literal["tenant", "shared", "idle", "overhead", "unallocated"]
"""`tenant` for a tenant's line; otherwise the kind of a cost no tenant carries."""


def dimensions(text: str, *, tenant_required: bool = True) -> tuple[Dimension, ...]:
    """`--by tenant,environment,...` as `allocations` columns, always in the order of
    DIMENSIONS (tenant first); tenant is required unless `tenant_required` is False (a
    daily series may be grouped by domain alone, or not at all)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in DIMENSIONS:
            choices = ", ".join(DIMENSIONS)
            raise InputError(f"--by {text!r}: unknown dimension {name!r}; choose from {choices}")
    if tenant_required and "tenant" not in names:
        raise InputError(f"--by {text!r}: must include tenant (statements are per tenant)")
    return tuple(column for name, column in DIMENSIONS.items() if name in names)


def to_step(amount: Decimal, step: Decimal) -> Decimal:
    """`amount` rounded half up (away from zero, as invoices round) to a multiple of `step`."""
    units = (amount / step).to_integral_value(rounding=ROUND_HALF_UP)
    return (units * step).quantize(step)


@dataclass(frozen=True)
class Period:
    """A calendar month and the days of it the `allocations` table holds."""

    window: Window
    allocated_days: tuple[dt.date, ...]
    allocated_at: dt.datetime | None = None
    """When the least recently allocated of those days was allocated."""

    @property
    def name(self) -> str:
        return f"{self.window.start:%Y-%m}"

    @property
    def days_in_month(self) -> int:
        return (self.window.end - self.window.start).days

    @property
    def complete(self) -> bool:
        return len(self.allocated_days) == self.days_in_month

    @property
    def label(self) -> str:
        """The days a report of the period covers: its allocated days, not the whole month
        (`2026-10-01 to 2026-10-03`; `5 days, 2026-10-01 to 2026-10-12` when not in a row)."""
        first, last = self.allocated_days[0], self.allocated_days[-1]
        if (last - first).days + 1 == len(self.allocated_days):
            return f"{first} to {last}"
        return f"{len(self.allocated_days)} days, {first} to {last}"


def allocated_period(warehouse: Warehouse, window: Window) -> Period:
    """The month `window` is, with its allocated days; an InputError naming the command
    to run when none of its days is allocated."""
    if window != Window.month(f"{window.start:%Y-%m}"):
        raise InputError(f"reports cover a calendar month, not {window.label}")
    rows = period_rows(warehouse, window)
    days = rows.group_by("day").aggregate(allocated_at=rows.allocated_at.min()).order_by("day")
    found = days.to_pyarrow().to_pylist()
    if not found:
        last = window.end - DAY
        raise InputError(
            f"{window.start:%Y-%m} is not allocated yet: run "
            f"`costplane allocate --from {window.start} --to {last}` (after ingesting its data)"
        )
    times = [row["allocated_at"] for row in found if row["allocated_at"] is not None]
    return Period(window, tuple(row["day"] for row in found), min(times, default=None))


def loaded_since(warehouse: Warehouse, period: Period) -> dt.datetime | None:
    """The newest load, when it came after the period was allocated (so `costplane
    allocate` would allocate the period again: a reload may touch any day).

    `allocated_at` is kept to the second, so loads are compared to the second: a load
    in the same second as the allocation counts as before it.
    """
    newest = max((record.loaded_at for record in warehouse.loads()), default=None)
    if newest is None or period.allocated_at is None:
        return None
    return newest if newest.replace(microsecond=0) > period.allocated_at else None


def period_rows(warehouse: Warehouse, window: Window) -> ir.Table:
    """The `allocations` rows of the window's days."""
    table = warehouse.table(ALLOCATIONS.name)
    return table.filter(table.day >= window.start, table.day < window.end)


@dataclass(frozen=True)
class KindCosts:
    """Cost by allocation kind; `total` is their sum."""

    direct: Decimal = ZERO
    shared: Decimal = ZERO
    idle: Decimal = ZERO
    overhead: Decimal = ZERO
    unallocated: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.direct + self.shared + self.idle + self.overhead + self.unallocated

    def __add__(self, other: KindCosts) -> KindCosts:
        return KindCosts(**{k: getattr(self, k) + getattr(other, k) for k in KINDS})

    def rounded(self, step: Decimal) -> KindCosts:
        return KindCosts(**{k: to_step(getattr(self, k), step) for k in KINDS})

    @classmethod
    def of(cls, kind: str, cost: Decimal) -> KindCosts:
        if kind not in KINDS:
            raise ExecutionError(f"the allocations table has an unknown kind {kind!r}")
        return cls(**{kind: cost})


def summed(costs: Iterable[KindCosts]) -> KindCosts:
    return sum(costs, KindCosts())


@dataclass(frozen=True)
class ShowbackLine:
    """One tenant's cost for one combination of the `--by` dimensions (those not grouped
    by are None), or a cost no tenant carries (`tenant` None, `line` its kind)."""

    line: LineKind
    tenant: str | None
    costs: KindCosts
    environment: str | None = None
    service_class: str | None = None
    cost_domain: str | None = None


@dataclass(frozen=True)
class Showback:
    """The month's allocated cost: tenant lines, then the lines without a tenant."""

    period: Period
    by: tuple[Dimension, ...]
    lines: tuple[ShowbackLine, ...]
    sources: Mapping[str, Decimal] = field(default_factory=dict)
    """Total cost per `source`: bill, price-sheet, catalog (overhead)."""

    @property
    def total(self) -> KindCosts:
        return summed(line.costs for line in self.lines)

    def tenant_costs(self) -> dict[str, Decimal]:
        """Each tenant's total allocated cost (every kind it carries)."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            if line.tenant is not None:
                totals[line.tenant] = totals.get(line.tenant, ZERO) + line.costs.total
        return totals

    @property
    def untenanted(self) -> Decimal:
        """What no tenant carries: unallocated, unshared idle, pools no tenant took."""
        return sum((line.costs.total for line in self.lines if line.tenant is None), ZERO)

    def rounded(self, step: Decimal) -> Showback:
        """Every amount of every line rounded to `step`; totals are then sums of those."""
        lines = tuple(replace(line, costs=line.costs.rounded(step)) for line in self.lines)
        return replace(self, lines=lines)


def showback(
    warehouse: Warehouse, window: Window, by: tuple[Dimension, ...] = ("tenant",)
) -> Showback:
    """The showback of the month `window`, grouped by `by` (which includes tenant)."""
    if "tenant" not in by:
        raise InputError("a showback is grouped by tenant, and optionally more")
    period = allocated_period(warehouse, window)
    rows = period_rows(warehouse, window)
    grouped = rows.group_by([*by, "kind"]).aggregate(cost=rows.cost.sum())
    by_source = rows.group_by("source").aggregate(cost=rows.cost.sum())
    lines: dict[tuple[LineKind, tuple[str | None, ...]], KindCosts] = {}
    for row in grouped.to_pyarrow().to_pylist():
        costs = KindCosts.of(row["kind"], row["cost"])
        line: LineKind = "tenant" if row["tenant"] is not None else row["kind"]
        key = (line, tuple(row[column] for column in by))
        lines[key] = lines.get(key, KindCosts()) + costs
    ordered = sorted(lines.items(), key=lambda item: _order(*item[0]))
    return Showback(
        period=period,
        by=by,
        lines=tuple(
            ShowbackLine(line=line, costs=costs, **dict(zip(by, values, strict=True)))
            for (line, values), costs in ordered
        ),
        sources={row["source"]: row["cost"] for row in by_source.to_pyarrow().to_pylist()},
    )


LINE_ORDER: tuple[LineKind, ...] = ("tenant", "shared", "overhead", "idle", "unallocated")


def _order(line: LineKind, values: tuple[str | None, ...]) -> tuple[object, ...]:
    """Tenant lines by tenant and dimensions, then the untenanted ones; None sorts last."""
    return (LINE_ORDER.index(line), *((value is None, value or "") for value in values))


ChargeLineKind = Literal["cost", "minimum"]


@dataclass(frozen=True)
class ChargebackLine:
    """A charged line (`cost`: the counted cost before markup, exact; `charge`: rounded to
    the step), or a tenant's `minimum` charge adjustment (`cost` zero)."""

    tenant: str
    line: ChargeLineKind
    cost: Decimal
    charge: Decimal
    environment: str | None = None
    service_class: str | None = None
    cost_domain: str | None = None


@dataclass(frozen=True)
class TenantCharge:
    tenant: str
    cost: Decimal
    charge: Decimal
    """The sum of its charged lines, before the minimum."""
    minimum: Decimal
    """What raises the month to `minimum_monthly`; zero when it is reached."""

    @property
    def total(self) -> Decimal:
        return self.charge + self.minimum


@dataclass(frozen=True)
class Chargeback:
    period: Period
    by: tuple[Dimension, ...]
    rules: ChargebackRules
    lines: tuple[ChargebackLine, ...]

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), ZERO)

    @property
    def tenants(self) -> tuple[TenantCharge, ...]:
        totals: dict[str, TenantCharge] = {}
        for line in self.lines:
            seen = totals.get(line.tenant, TenantCharge(line.tenant, ZERO, ZERO, ZERO))
            if line.line == "minimum":
                totals[line.tenant] = replace(seen, minimum=seen.minimum + line.charge)
            else:
                totals[line.tenant] = replace(
                    seen, cost=seen.cost + line.cost, charge=seen.charge + line.charge
                )
        return tuple(totals.values())

    def rounded(self, step: Decimal) -> Chargeback:
        """The cost column rounded to `step` (charges already are)."""
        lines = tuple(replace(line, cost=to_step(line.cost, step)) for line in self.lines)
        return replace(self, lines=lines)


def counted_cost(costs: KindCosts, rules: ChargebackRules) -> Decimal:
    """What chargeback charges of a tenant line: direct and overhead always, shared and
    spread idle as the rules say; never unallocated (a tenant line has none)."""
    return (
        costs.direct
        + costs.overhead
        + (costs.shared if rules.include_shared else ZERO)
        + (costs.idle if rules.include_idle else ZERO)
    )


def chargeback(
    warehouse: Warehouse,
    window: Window,
    rules: ChargebackRules,
    by: tuple[Dimension, ...] = ("tenant",),
    catalog: Catalog | None = None,
) -> Chargeback:
    """The chargeback of the month `window`, grouped by `by` (which includes tenant); with
    the `catalog`, each tenant's minimum counts only the days its contracts cover."""
    statement = showback(warehouse, window, by)
    days = contract_days(catalog, statement.period) if catalog is not None else None
    return charge(statement, rules, days)


def contract_days(catalog: Catalog, period: Period) -> dict[str, int]:
    """Per tenant of the catalog: how many of the period's allocated days a contract covers."""
    return {
        tenant.id: sum(1 for day in period.allocated_days if tenant.contract_on(day))
        for tenant in catalog.tenants
    }


def minimum_due(rules: ChargebackRules, period: Period, days: int) -> Decimal:
    """`minimum_monthly` for `days` of the month, rounded half up to the step (whole when
    every day of the month counts)."""
    if days >= period.days_in_month:
        return rules.minimum_monthly
    return to_step(rules.minimum_monthly * days / period.days_in_month, rules.rounding)


def charge(
    statement: Showback, rules: ChargebackRules, contract_days: Mapping[str, int] | None = None
) -> Chargeback:
    """Each tenant line: counted cost × (1 + markup), rounded half up to the step; then each
    tenant's month raised to its minimum by a `minimum` line after its own lines. The
    minimum is prorated by the days that count: those of `contract_days` for a tenant it
    names, else every allocated day of the month."""
    factor = 1 + rules.markup_percent / 100
    by_tenant: dict[str, list[ShowbackLine]] = {}
    for line in statement.lines:
        if line.tenant is not None:
            by_tenant.setdefault(line.tenant, []).append(line)
    lines: list[ChargebackLine] = []
    for tenant, own in by_tenant.items():
        charged = [
            ChargebackLine(
                tenant=tenant,
                line="cost",
                cost=cost,
                charge=to_step(cost * factor, rules.rounding),
                environment=line.environment,
                service_class=line.service_class,
                cost_domain=line.cost_domain,
            )
            for line in own
            if (cost := counted_cost(line.costs, rules)) != 0
        ]
        month = sum((line.charge for line in charged), ZERO)
        allocated = len(statement.period.allocated_days)
        days = allocated if contract_days is None else contract_days.get(tenant, allocated)
        due = minimum_due(rules, statement.period, days)
        if month < due:
            short = due - month
            charged.append(ChargebackLine(tenant=tenant, line="minimum", cost=ZERO, charge=short))
        lines += charged
    return Chargeback(statement.period, statement.by, rules, tuple(lines))
