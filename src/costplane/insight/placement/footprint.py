"""What a tenant's Odoo databases hold, from the PostgreSQL collector's newest snapshot of
each (`database_stats`): the custom modules installed, the bytes a migration moves, and the
counts a migration must find again on the other side.

A database belongs to the tenant environment the catalog lists it under; one the catalog
does not list keeps the tenant and environment its row was collected with. The file
store is the `attachment_store` row (each stored file counted once); without it, the sum
of the per-model `attachments` rows. Row counts are the exact `odoo_table` counts where
the collector took them, else the `table` rows (statistics, possibly estimated).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir

from costplane.allocation import Window
from costplane.catalog import Catalog, EnvironmentKind
from costplane.insight.placement.window_bounds import bounds
from costplane.warehouse import Warehouse

KINDS = (
    "database",
    "table",
    "odoo_table",
    "module",
    "custom_module",
    "attachments",
    "attachment_store",
    "odoo_rows_added",
)
"""The `relation_kind`s placement and migration read."""


@dataclass(frozen=True)
class Footprint:
    custom_modules: tuple[str, ...] | None
    """Installed custom modules of its production databases; None when the collector saw
    no module list (the catalog's `custom_modules` count stands in)."""
    database_bytes: Mapping[str, int]
    """Per environment kind: the size of its databases."""
    file_store_bytes: int
    """Production attachments in the file store, physical bytes."""
    attachments: int
    """Production attachments, counted."""
    row_counts: Mapping[str, int]
    """Production tables' rows (summed over its production databases)."""
    row_counts_exact: bool
    queue_jobs_month: int | None
    """Odoo queue jobs created in the window's month (production); None when not collected."""
    taken_at: dt.datetime | None
    """The newest snapshot read."""

    @property
    def production_bytes(self) -> int:
        return self.database_bytes.get(EnvironmentKind.PRODUCTION.value, 0)


@dataclass
class _Gathered:
    modules: set[str] = field(default_factory=set)
    modules_seen: bool = False
    sizes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    store: int | None = None
    per_model: int = 0
    store_count: int | None = None
    per_model_count: int = 0
    exact_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stat_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    queue_jobs: int | None = None
    taken_at: dt.datetime | None = None


def footprints(warehouse: Warehouse, catalog: Catalog, window: Window) -> dict[str, Footprint]:
    """Each tenant's footprint from the newest snapshot of each database up to the window's
    end; a tenant without any snapshot is absent."""
    _, end = bounds(window)
    stats = latest_rows(warehouse.table("database_stats"), end, ("server", "database"))
    stats = stats.filter(stats.relation_kind.isin(KINDS))
    columns = ("database", "tenant", "environment", "relation_kind", "relation", "taken_at")
    rows = stats.select(*columns, "size_bytes", "row_count").to_pyarrow().to_pylist()
    where = {
        database: (tenant.id, kind.value)
        for tenant in catalog.tenants
        for kind, environment in tenant.environments.items()
        for database in environment.databases
    }
    month = f"{window.start:%Y-%m}"
    gathered: dict[str, _Gathered] = defaultdict(_Gathered)
    for row in rows:
        owner = where.get(row["database"]) or (row["tenant"], row["environment"])
        if owner[0] is None:
            continue
        _gather(gathered[owner[0]], owner[1], row, month)
    return {tenant: _footprint(found) for tenant, found in gathered.items()}


def _gather(found: _Gathered, environment: str | None, row: dict[str, Any], month: str) -> None:
    kind, size, count = row["relation_kind"], row["size_bytes"] or 0, row["row_count"] or 0
    if found.taken_at is None or row["taken_at"] > found.taken_at:
        found.taken_at = row["taken_at"]
    if kind == "database":
        found.sizes[environment or "unknown"] += size
    if environment != EnvironmentKind.PRODUCTION.value:
        return
    if kind in ("custom_module", "module"):
        found.modules_seen = True
        if kind == "custom_module":
            found.modules.add(row["relation"])
    elif kind == "attachment_store":
        found.store = (found.store or 0) + size
        found.store_count = (found.store_count or 0) + count
    elif kind == "attachments":
        found.per_model += size
        found.per_model_count += count
    elif kind == "odoo_table":
        found.exact_rows[row["relation"]] += count
    elif kind == "table":
        found.stat_rows[row["relation"]] += count
    elif kind == "odoo_rows_added" and row["relation"] == f"queue_job/{month}":
        found.queue_jobs = (found.queue_jobs or 0) + count


def _footprint(found: _Gathered) -> Footprint:
    exact = bool(found.exact_rows)
    return Footprint(
        custom_modules=tuple(sorted(found.modules)) if found.modules_seen else None,
        database_bytes=dict(found.sizes),
        file_store_bytes=found.per_model if found.store is None else found.store,
        attachments=found.per_model_count if found.store_count is None else found.store_count,
        row_counts=dict(sorted((found.exact_rows if exact else found.stat_rows).items())),
        row_counts_exact=exact,
        queue_jobs_month=found.queue_jobs,
        taken_at=found.taken_at,
    )


def latest_rows(table: ir.Table, end: dt.datetime, identity: tuple[str, ...]) -> ir.Table:
    """The rows of each identity's newest snapshot taken at or before `end`."""
    taken = table.filter(table.taken_at <= end)
    newest = taken.group_by(list(identity)).aggregate(newest=taken.taken_at.max())
    predicates = [taken[k] == newest[k] for k in identity]
    joined = taken.join(newest, [*predicates, taken.taken_at == newest.newest])
    return joined.select(*(taken[c] for c in table.columns))
