"""Allocated cost day by day, and the newest allocated month: what a dashboard draws,
and the cost of any range of days (the reports cover a calendar month as a whole).

The operations read the `allocations` table through the allocation stage, read-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from costplane.allocation import (
    Dimension,
    Window,
    daily_cost,
    daily_cost_by_tenant,
    dimensions,
    last_allocated_day,
)
from costplane.errors import InputError
from costplane.service.project import Project

MAX_DAYS = 366
"""The longest range one request reads: a year of days (a longer view is the monthly reports')."""


@dataclass(frozen=True)
class TenantDaysRequest:
    """One tenant's days of one month (`YYYY-MM`)."""

    month: Window
    tenant: str

    @classmethod
    def of(cls, period: str, tenant: str) -> TenantDaysRequest:
        return cls(Window.month(period), tenant)


@dataclass(frozen=True)
class TenantDayCost:
    """What one tenant cost on one day in one environment and cost domain."""

    day: dt.date
    environment: str | None
    cost_domain: str | None
    cost: Decimal


@dataclass(frozen=True)
class TenantsDays:
    """Every tenant's `tenant_days` of one month, read in one query.

    A server answering the pages of thousands of tenants reads the month once and each
    page takes its tenant's slice: the month's rows are one Arrow table, a tenant's rows
    contiguous (`spans`: tenant to first row and count), which keeps about 30 bytes a row
    where Python objects would take hundreds.
    """

    rows: pa.Table
    spans: Mapping[str, tuple[int, int]]

    def of(self, tenant: str) -> list[TenantDayCost]:
        """The tenant's days, as `tenant_days` gives them (none: no cost that month)."""
        first, count = self.spans.get(tenant, (0, 0))
        return [
            TenantDayCost(r["day"], r["environment"], r["cost_domain"], Decimal(r["cost"]))
            for r in self.rows.slice(first, count).to_pylist()
        ]


def every_tenant_days(project: Project, period: str) -> TenantsDays:
    """Each tenant's days of the month (`YYYY-MM`): `tenant_days` for every tenant at once."""
    month = Window.month(period)
    with project.warehouse(create=False) as warehouse:
        table = daily_cost_by_tenant(
            warehouse, month.start, month.end, ("environment", "cost_domain")
        )
    runs = pc.run_end_encode(table.column("tenant").combine_chunks())  # a run per tenant
    ends = runs.run_ends.to_pylist()
    starts = [0, *ends][: len(ends)]
    spans = {
        tenant: (start, end - start)
        for tenant, start, end in zip(runs.values.to_pylist(), starts, ends, strict=True)
    }
    rows = table.drop_columns(["tenant"])
    encoded = {c: rows.column(c).dictionary_encode() for c in ("environment", "cost_domain")}
    for name, column in encoded.items():
        rows = rows.set_column(rows.schema.get_field_index(name), name, column)
    # Copied out of the engine's result chunks, which held three times the rows' bytes
    # (150 MB for a month of 5,000 tenants, kept by the server: 52 MB copied).
    return TenantsDays(rows.combine_chunks(), spans)


def latest_month(project: Project) -> str | None:
    """The month (`YYYY-MM`) of the newest allocated day; None before any allocation."""
    with project.warehouse(create=False) as warehouse:
        last = last_allocated_day(warehouse)
    return None if last is None else f"{last:%Y-%m}"


def tenant_days(project: Project, request: TenantDaysRequest) -> list[TenantDayCost]:
    """The tenant's cost per day, environment and cost domain, every kind it carries (direct,
    shared, idle, overhead), ordered by day: its showback lines, day by day."""
    month = request.month
    with project.warehouse(create=False) as warehouse:
        rows = daily_cost(
            warehouse,
            month.start,
            month.end,
            ("environment", "cost_domain"),
            tenant=request.tenant,
        )
    return [
        TenantDayCost(r["day"], r["environment"], r["cost_domain"], Decimal(r["cost"]))
        for r in rows
    ]


@dataclass(frozen=True)
class DailyCostRequest:
    """Allocated cost per day from `window.start` to the day before `window.end`, grouped by
    the report's dimensions (none: one line a day), for one tenant or all."""

    window: Window
    by: tuple[Dimension, ...] = ()
    tenant: str | None = None

    @classmethod
    def of(
        cls, first: dt.date, last: dt.date, by: str = "", tenant: str | None = None
    ) -> DailyCostRequest:
        """From the first and last day (both included) and `--by` as the reports take it."""
        if last < first:
            raise InputError(f"--to {last}: before --from {first}")
        days = (last - first).days + 1
        if days > MAX_DAYS:
            raise InputError(f"--from {first} --to {last}: {days} days; at most {MAX_DAYS}")
        window = Window.of_days(first, days, "--from")
        return cls(window, dimensions(by, tenant_required=False), tenant)


@dataclass(frozen=True)
class DailyCosts:
    """The days' lines, each `day`, the `by` columns and `cost`; the exact total of them."""

    request: DailyCostRequest
    currency: str
    lines: tuple[dict[str, Any], ...]
    total: Decimal
    days_allocated: int
    """Days of the range with anything allocated (all tenants): fewer than the range's
    days means part of it is not allocated yet."""


def daily_cost_report(project: Project, request: DailyCostRequest) -> DailyCosts:
    """Every kind counts (direct, shared, idle, overhead; unallocated on lines without a
    tenant), so over a whole month the total is `report showback`'s."""
    window = request.window
    currency = project.catalog().currency
    with project.warehouse(create=False) as warehouse:
        rows = daily_cost(warehouse, window.start, window.end, request.by, request.tenant)
        allocated = len(daily_cost(warehouse, window.start, window.end))
    lines = tuple({**row, "cost": Decimal(row["cost"])} for row in rows)
    total = sum((line["cost"] for line in lines), start=Decimal(0))
    return DailyCosts(request, currency, lines, total, allocated)


def daily_cost_document(report: DailyCosts) -> dict[str, Any]:
    """The JSON document of `report daily -o json` and `GET /api/v1/cost/daily`."""
    window = report.request.window
    days = (window.end - window.start).days
    notes = []
    if report.days_allocated < days:
        notes.append(
            f"{days - report.days_allocated} of the {days} days are not allocated: "
            "their cost is not in the lines"
        )
    return {
        "currency": report.currency,
        "start": window.start,
        "end": window.end - dt.timedelta(days=1),
        "by": list(report.request.by),
        "tenant": report.request.tenant,
        "lines": list(report.lines),
        "total": report.total,
        "notes": notes,
    }
