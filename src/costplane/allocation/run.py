"""`allocate`: compute the allocation for a window of days and store it in the warehouse.

The dimension tables and the window are registered as temporary tables on the
warehouse's own connection; the allocation expression is compiled to the
engine's SQL and written by one `INSERT ... SELECT` that replaces the window's
days in `allocations`, in one transaction. Nothing large leaves the engine.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from costplane.allocation.apportion import NANO
from costplane.allocation.dimensions import read_dimensions
from costplane.allocation.engine import Inputs, allocation_table
from costplane.allocation.window import DAY, Window, day_table
from costplane.catalog import Catalog
from costplane.warehouse import ALLOCATIONS, SnapshotConflictError, Warehouse, temporary_table

OVERHEAD = pa.schema(
    [
        ("day", pa.date32()),
        ("overhead", pa.string()),
        ("cost_domain", pa.string()),
        ("rule", pa.string()),
        ("billed", pa.int64()),
        ("amortized", pa.int64()),
    ]
)


@dataclass(frozen=True)
class AllocationRun:
    window: Window
    rows: int
    allocated_at: dt.datetime


def allocate(
    warehouse: Warehouse, catalog: Catalog, window: Window | None = None
) -> AllocationRun | None:
    """Allocate `window` (default: the days whose data changed since they were allocated).

    Everything the allocation reads, and its write, is one snapshot of the warehouse
    (`Warehouse.snapshot`), so an ingest committed meanwhile is either wholly in it or
    wholly out, and the result reconciles with the bill it read. A snapshot that
    collides with another allocation of the same days is run again.
    """
    for attempt in range(1, SNAPSHOT_ATTEMPTS + 1):
        try:
            with warehouse.snapshot():
                return allocate_in_snapshot(warehouse, catalog, window)
        except SnapshotConflictError:
            if attempt == SNAPSHOT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


SNAPSHOT_ATTEMPTS = 3


def allocate_in_snapshot(
    warehouse: Warehouse, catalog: Catalog, window: Window | None
) -> AllocationRun | None:
    window = window or pending_window(warehouse)
    if window is None:
        return None
    allocated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = compute(warehouse, catalog, window).mutate(allocated_at=ibis.literal(allocated_at))
    written = warehouse.replace_days(ALLOCATIONS.name, window.start, window.end, rows)
    return AllocationRun(window, written, allocated_at)


def compute(warehouse: Warehouse, catalog: Catalog, window: Window) -> ir.Table:
    """The allocation of the window as an Ibis expression on the warehouse's backend.

    Intermediate results the expression reuses are materialised as temporary
    tables on the warehouse's connection as the expression is built.
    """

    def stage(name: str, table: ir.Table) -> ir.Table:
        return temporary_table(warehouse, name, table)

    return allocation_table(allocation_inputs(warehouse, catalog, window), catalog, stage)


def pending_window(warehouse: Warehouse) -> Window | None:
    """The days with usage or bill data, from the first one whose allocation is missing or
    older than the newest load (a conservative rule: a reload may touch any day)."""
    span = data_span(warehouse)
    if span is None:
        return None
    first, end = span
    newest = max((record.loaded_at for record in warehouse.loads()), default=None)
    table = warehouse.table(ALLOCATIONS.name)
    done = table.group_by("day").aggregate(at=table.allocated_at.min()).to_pyarrow().to_pylist()
    fresh = {row["day"] for row in done if newest is None or row["at"] >= newest}
    stale = [day for day in Window(first, end).days() if day not in fresh]
    return Window(stale[0], end) if stale else None


def data_span(warehouse: Warehouse) -> tuple[dt.date, dt.date] | None:
    """The first day and the day after the last with bill charges or usage samples.

    A charge counts on every day its period covers (a monthly fee beside three days of
    usage holds a share of every day of the month), not only on the day it starts.
    """
    lines = warehouse.table("billing_lines")
    usage = warehouse.table("usage_samples")
    bounds = [
        lines.aggregate(first=lines.charge_period_start.min(), end=lines.charge_period_end.max()),
        usage.aggregate(first=usage.hour.min(), end=usage.hour.max() + ibis.interval(hours=1)),
    ]
    found = [row for b in bounds for row in b.to_pyarrow().to_pylist() if row["first"]]
    if not found:
        return None
    first = min(row["first"] for row in found).date()
    last = max(max(row["end"], row["first"]) - dt.timedelta(microseconds=1) for row in found)
    return first, last.date() + DAY


FACT_INPUTS = (
    "billing_lines",
    "usage_samples",
    "service_usage",
    "database_stats",
    "cache_stats",
    "backup_records",
)
"""The warehouse tables an allocation reads, named as the `Inputs` fields that hold them."""


def allocation_inputs(warehouse: Warehouse, catalog: Catalog, window: Window) -> Inputs:
    """The inputs of one allocation, temporary tables registered on the warehouse."""
    small = small_tables(warehouse, catalog, window)
    return Inputs(
        **{name: warehouse.table(name) for name in FACT_INPUTS},
        **{name: temporary_table(warehouse, name, table) for name, table in small.items()},
    )


def small_tables(warehouse: Warehouse, catalog: Catalog, window: Window) -> dict[str, pa.Table]:
    """The other `Inputs` of one allocation, read into Arrow: the days, the dimensions from
    the latest inventory, and the catalog's overhead. They are small (one row per day,
    node, volume, namespace, tenant), so another engine can be handed them as they are."""
    dims = read_dimensions(warehouse, catalog)
    first, end = charge_span(warehouse, window)
    return {
        "days": day_table(first, end),
        "window": day_table(window.start, window.end),
        "nodes": dims.nodes,
        "endpoints": dims.endpoints,
        "volumes": dims.volumes,
        "namespaces": dims.namespaces,
        "tenants": dims.tenants,
        "overhead": overhead_days(catalog, window),
    }


def charge_span(warehouse: Warehouse, window: Window) -> tuple[dt.date, dt.date]:
    """The days every charge overlapping the window covers, so long charges split whole."""
    lines = warehouse.table("billing_lines")
    overlapping = lines.filter(
        lines.charge_period_start < window.end_at, lines.charge_period_end > window.start_at
    )
    span = (
        overlapping.aggregate(
            first=overlapping.charge_period_start.min(), last=overlapping.charge_period_end.max()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    if span["first"] is None:
        return window.start, window.end
    last_day = (span["last"] - dt.timedelta(microseconds=1)).date()
    return min(window.start, span["first"].date()), max(window.end, last_day + DAY)


def overhead_days(catalog: Catalog, window: Window) -> pa.Table:
    """Each overhead's monthly amount, an equal share on each day of its month."""
    rows = []
    for entry in catalog.allocation.overhead:
        for day in window.days():
            if (entry.start and day < entry.start) or (entry.end and day >= entry.end):
                continue
            days_in_month = calendar.monthrange(day.year, day.month)[1]
            nano = int((entry.monthly_amount * NANO / days_in_month).to_integral_value())
            rows.append(
                {
                    "day": day,
                    "overhead": entry.id,
                    "cost_domain": entry.cost_domain.value if entry.cost_domain else None,
                    "rule": entry.rule.value,
                    "billed": nano,
                    "amortized": nano,
                }
            )
    return pa.Table.from_pylist(rows, OVERHEAD)
